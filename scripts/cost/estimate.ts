/**
 * The monthly estimate of a render: one pricing rule per resource type, grouped as a platform operator
 * reads a bill (control plane, nodes, NAT, endpoints, ...). Pure: resources, region and price table in,
 * priced lines out. A resource that has a cost but no price is listed in `notPriced` with the reason,
 * never counted as zero; types that cost nothing of their own are named in NO_CHARGE.
 */
import { alwaysOnPods, cheapestFit, karpenterPools, poolAllows, poolFor, type Candidate } from "./capacity";
import { parseGiB, type CostResource } from "./resources";
import { RegionPrices, type PriceTable } from "./prices";

/** Groups of the estimate, in display order. */
export const GROUPS = [
    "EKS control plane", "System node group", "Karpenter pools", "NAT gateways", "VPC interface endpoints", "ElastiCache",
    "EBS volumes", "SQS", "S3", "KMS keys", "Secrets Manager", "CloudWatch Logs",
] as const;
export type Group = (typeof GROUPS)[number];

/** One priced line: quantity × unit price per month. */
export interface CostLine {
    group: Group;
    item: string;
    quantity: number;
    unit: string;
    unitUsd: number;
    monthlyUsd: number;
}

/** Something that costs money but is not in the total, and why. */
export interface NotPriced {
    what: string;
    count: number;
    why: string;
}

export interface Estimate {
    region: string;
    lines: CostLine[];
    /** Sum per group, in GROUPS order, groups without lines left out. */
    groups: { group: Group; monthlyUsd: number }[];
    totalUsd: number;
    notPriced: NotPriced[];
    /** Facts beside the total (per GPU node-hour, spot priced at on-demand, ...). */
    notes: string[];
    /** The usage volumes assumed, each stated. */
    assumptions: string[];
    /** Price keys whose value was carried from another region. */
    carried: string[];
    /** Ids of the price sources used. */
    sources: string[];
}

/** Types with no charge of their own, by type prefix, with the reason. */
export const NO_CHARGE: [prefix: string, why: string][] = [
    ["aws:iam/", "IAM is free"],
    ["aws:ec2/vpc:", "VPCs are free"], ["aws:ec2/subnet:", "subnets are free"], ["aws:ec2/routeTable", "route tables are free"],
    ["aws:ec2/internetGateway:", "internet gateways are free"], ["aws:ec2/securityGroup:", "security groups are free"],
    ["aws:vpc/securityGroup", "security group rules are free"], ["aws:ec2/tag:", "tags are free"],
    ["aws:ec2/launchTemplate:", "priced with the node group that uses it"], ["aws:ec2/flowLog:", "priced as log ingestion of its log group"],
    ["aws:eks/addon:", "EKS add-ons are free (they run on the nodes)"], ["aws:eks/access", "access entries are free"],
    ["aws:eks/podIdentityAssociation:", "Pod Identity is free"], ["aws:kms/alias:", "aliases are free"],
    ["aws:secretsmanager/secretVersion:", "priced with its secret"], ["aws:sqs/queuePolicy:", "queue policies are free"],
    ["aws:sqs/redriveAllowPolicy:", "redrive policies are free"], ["aws:cloudwatch/event", "AWS service events on the default bus are free"],
    ["aws:elasticache/subnetGroup:", "subnet groups are free"], ["aws:elasticache/parameterGroup:", "parameter groups are free"],
    ["aws:s3/bucket", "bucket settings are free (storage is priced with the bucket)"], ["aws:ecr/lifecyclePolicy:", "lifecycle policies are free"],
    ["aws:sns/", "SNS topics, subscriptions and topic policies have no monthly fee (alert deliveries are a few cents)"],
    ["aws:chatbot/", "AWS Chatbot is free (it relays the SNS topic)"],
    ["random:", "generated locally"], ["docker:", "built locally; pushed layers are priced with their registry (ECR storage)"],
    ["kubernetes:", "runs on the cluster's nodes (priced as node capacity)"],
];

/** The note of a render without an EKS cluster (target kubernetes). */
export const NO_EKS_NOTE = "no EKS cluster: the pods and volumes run on an existing cluster's nodes and storage, which are not this stack's AWS bill";

/** Storage classes priced as gp3: gp3 itself, and none (the platform's default StorageClass is gp3). */
const EBS_CLASSES = ["gp3", undefined, ""];

/** The monthly estimate of `resources` in `region`. */
export function estimate(resources: CostResource[], region: string, table: PriceTable): Estimate {
    const prices = new RegionPrices(table, region);
    const hours = table.hoursPerMonth;
    const a = table.assumptions;
    const lines: CostLine[] = [];
    const notPriced: NotPriced[] = [];
    const notes: string[] = [];
    const assumptions = new Set<string>();
    const handled = new Set<CostResource>();

    const missing = (what: string, why: string, count = 1) => {
        const same = notPriced.find((n) => n.what === what && n.why === why);
        if (same) same.count += count;
        else notPriced.push({ what, count, why });
    };
    /** Adds a line when the key has a price in the region; otherwise a not-priced entry. */
    const add = (group: Group, item: string, quantity: number, unit: string, key: string) => {
        const unitUsd = prices.use(key);
        if (unitUsd === undefined) missing(item, prices.known ? `no price for ${key} in ${region}` : `region ${region} is not in the price table`);
        else lines.push({ group, item, quantity, unit, unitUsd, monthlyUsd: quantity * unitUsd });
    };
    const ofType = (...types: string[]) => resources.filter((r) => types.includes(r.type)).map((r) => { handled.add(r); return r; });
    const gp3 = (group: Group, item: string, gib: number) => add(group, item, gib, "GB-month", "ebs:gp3-gb-month");

    for (const r of ofType("aws:eks/cluster:Cluster")) add("EKS control plane", `cluster ${r.inputs.name ?? r.name} (standard support)`, hours, "hour", "eks:cluster-hour");

    const templates = resources.filter((r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate");
    for (const r of ofType("aws:eks/nodeGroup:NodeGroup")) {
        const nodes = Number(r.inputs.scalingConfig?.desiredSize ?? 0);
        const type = r.inputs.instanceTypes?.[0];
        const name = r.inputs.nodeGroupName ?? r.name;
        if (r.inputs.capacityType === "SPOT") missing(`node group ${name}`, "spot prices are not in the AWS Price List");
        else add("System node group", `${nodes} × ${type} (desired size)`, nodes * hours, "instance-hour", `ec2:${type}`);
        const template = templates.find((t) => t.name === r.name);
        // Launch templates and node groups give volume sizes in GiB, as numbers.
        const size = template?.inputs.blockDeviceMappings?.[0]?.ebs?.volumeSize ?? r.inputs.diskSize;
        const disk = size !== undefined ? Number(size) : undefined;
        if (disk === undefined) missing(`root volumes of node group ${name}`, "no volume size in its launch template");
        else gp3("System node group", `${nodes} × ${disk} GiB gp3 root volume`, nodes * disk);
    }

    // Without an EKS cluster (the kubernetes target), pods and volumes run on someone else's existing
    // cluster: node capacity and storage are not this stack's AWS bill.
    const onEks = resources.some((r) => r.type === "aws:eks/cluster:Cluster");
    if (onEks) karpenter(resources, table, prices, { add, gp3, missing, notes });
    else if (resources.some((r) => r.type.startsWith("kubernetes:"))) notes.push(NO_EKS_NOTE);

    const nats = ofType("aws:ec2/natGateway:NatGateway");
    for (const r of nats) add("NAT gateways", `NAT gateway ${r.name}`, hours, "hour", "nat:gateway-hour");
    for (const r of ofType("aws:ec2/eip:Eip")) add("NAT gateways", `public IPv4 address ${r.name}`, hours, "hour", "ipv4:address-hour");
    if (nats.length > 0) {
        add("NAT gateways", "data processed by the NAT gateways", a.natProcessedGbPerMonth, "GB", "nat:gb-processed");
        assumptions.add(`NAT gateways process ${a.natProcessedGbPerMonth} GB per month in all (pulls from public registries, LLM API calls, AWS APIs without an endpoint)`);
    }

    const interfaces = ofType("aws:ec2/vpcEndpoint:VpcEndpoint").filter((r) => (r.inputs.vpcEndpointType ?? "Gateway") === "Interface");
    for (const r of interfaces) {
        const azs = (r.inputs.subnetIds ?? []).length;
        add("VPC interface endpoints", `${String(r.inputs.serviceName).split(".").slice(3).join(".")} in ${azs} AZ`, azs * hours, "AZ-hour", "vpce:az-hour");
    }
    if (interfaces.length > 0) {
        add("VPC interface endpoints", "data processed by the endpoints", a.interfaceEndpointGbPerMonth * interfaces.length, "GB", "vpce:gb-processed");
        assumptions.add(`each interface endpoint processes ${a.interfaceEndpointGbPerMonth} GB per month`);
    }

    for (const r of ofType("aws:elasticache/replicationGroup:ReplicationGroup", "aws:elasticache/cluster:Cluster")) {
        const nodes = Number(r.inputs.numCacheClusters ?? r.inputs.numCacheNodes ?? (r.inputs.numNodeGroups ?? 1) * ((r.inputs.replicasPerNodeGroup ?? 0) + 1));
        const engine = String(r.inputs.engine ?? "redis");
        add("ElastiCache", `${nodes} × ${r.inputs.nodeType} (${engine})`, nodes * hours, "node-hour", `elasticache:${engine}:${r.inputs.nodeType}`);
        if (Number(r.inputs.snapshotRetentionLimit ?? 0) > 0) notes.push(`ElastiCache ${r.inputs.replicationGroupId ?? r.name}: snapshot storage beyond the free allowance is not priced`);
    }

    for (const r of ofType("kubernetes:apps/v1:StatefulSet").filter(() => onEks)) {
        const replicas = Number(r.inputs.spec?.replicas ?? 1);
        for (const claim of r.inputs.spec?.volumeClaimTemplates ?? []) {
            const gib = parseGiB(claim.spec?.resources?.requests?.storage) ?? 0;
            const what = `${replicas} × ${gib} GiB volume ${claim.metadata?.name} of StatefulSet ${r.inputs.metadata?.name}`;
            if (EBS_CLASSES.includes(claim.spec?.storageClassName)) gp3("EBS volumes", what, replicas * gib);
            else missing(what, `storage class ${claim.spec.storageClassName} is not in the price table`);
        }
    }
    for (const r of ofType("kubernetes:core/v1:PersistentVolumeClaim").filter(() => onEks)) {
        const gib = parseGiB(r.inputs.spec?.resources?.requests?.storage) ?? 0;
        if (EBS_CLASSES.includes(r.inputs.spec?.storageClassName)) gp3("EBS volumes", `${gib} GiB claim ${r.inputs.metadata?.name}`, gib);
        else missing(`claim ${r.inputs.metadata?.name}`, `storage class ${r.inputs.spec?.storageClassName} is not in the price table`);
    }
    for (const r of ofType("kubernetes:helm.sh/v3:Release").filter(() => onEks)) {
        const values = r.inputs.values ?? {};
        // Where charts declare their volume: `persistence` (Tempo, Grafana), `server.persistentVolume` (Prometheus).
        const volumes = [
            { spec: values.persistence, replicas: values.replicas ?? values.replicaCount },
            { spec: values.server?.persistentVolume, replicas: values.server?.replicaCount },
        ];
        for (const { spec, replicas: count } of volumes) {
            if (spec?.enabled !== true || parseGiB(spec.size) === undefined) continue;
            const replicas = Number(count ?? 1);
            gp3("EBS volumes", `${replicas} × ${spec.size} volume of chart ${r.inputs.chart}`, replicas * (parseGiB(spec.size) as number));
        }
    }
    for (const r of ofType("kubernetes:core/v1:Service").filter((s) => s.inputs.spec?.type === "LoadBalancer")) {
        missing(`load balancer of Service ${r.inputs.metadata?.name}`, "load balancers are not in the price table");
    }

    for (const r of ofType("aws:sqs/queue:Queue")) {
        if (r.inputs.fifoQueue) missing(`FIFO queue ${r.inputs.name ?? r.name}`, "FIFO request prices are not in the price table");
        else add("SQS", `queue ${r.inputs.name ?? r.name}`, a.sqsMillionRequestsPerQueuePerMonth, "million requests", "sqs:standard-million-requests");
    }
    if (lines.some((l) => l.group === "SQS")) assumptions.add(`each SQS queue serves ${a.sqsMillionRequestsPerQueuePerMonth} million requests per month (the account's 1 million free requests are not deducted)`);

    for (const r of ofType("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")) add("S3", `bucket ${r.inputs.bucket ?? r.name} (Standard)`, a.s3StoredGbPerBucket, "GB-month", "s3:standard-gb-month");
    if (lines.some((l) => l.group === "S3")) assumptions.add(`each S3 bucket stores ${a.s3StoredGbPerBucket} GB in S3 Standard (requests and transfer not priced)`);

    const keys = ofType("aws:kms/key:Key");
    for (const r of keys) add("KMS keys", `key ${r.name}`, 1, "key-month", "kms:key-month");
    if (keys.some((r) => r.inputs.enableKeyRotation)) notes.push("KMS keys with rotation on cost $1 more per month after each of their first two yearly rotations; requests beyond 20,000 per month are not priced");

    for (const r of ofType("aws:secretsmanager/secret:Secret")) add("Secrets Manager", `secret ${r.inputs.name ?? r.name}`, 1, "secret-month", "secretsmanager:secret-month");

    const daysPerMonth = hours / 24;
    for (const r of ofType("aws:cloudwatch/logGroup:LogGroup")) {
        const name = r.inputs.name ?? r.name;
        const retention = Number(r.inputs.retentionInDays ?? 0);
        add("CloudWatch Logs", `log group ${name}: ingestion`, a.logIngestGbPerGroupPerMonth, "GB", "logs:ingest-gb");
        if (retention > 0) add("CloudWatch Logs", `log group ${name}: ${retention} days kept`, a.logIngestGbPerGroupPerMonth * retention / daysPerMonth, "GB-month", "logs:store-gb-month");
        else missing(`storage of log group ${name}`, "logs kept forever grow without bound");
    }
    if (lines.some((l) => l.group === "CloudWatch Logs")) assumptions.add(`each log group ingests ${a.logIngestGbPerGroupPerMonth} GB per month; stored volume is that times the retention`);

    for (const r of ofType("aws:cloudwatch/metricAlarm:MetricAlarm")) missing(`alarm ${r.inputs.name ?? r.name}`, "alarm prices are not in the price table");
    for (const r of ofType("aws:amp/workspace:Workspace")) {
        missing(`AMP workspace ${r.inputs.alias ?? r.name}`, "Amazon Managed Service for Prometheus bills samples ingested, stored and queried, with no fixed fee: usage is not in the render");
    }
    for (const r of ofType("aws:ecr/repository:Repository")) missing(`ECR repository ${r.inputs.name ?? r.name}`, "storage depends on the images pushed");

    for (const r of resources.filter((x) => !handled.has(x))) {
        const free = NO_CHARGE.find(([prefix]) => r.type.startsWith(prefix));
        if (!free) missing(r.type, "no pricing rule for this resource type");
    }

    const groups = GROUPS.map((group) => ({ group, monthlyUsd: lines.filter((l) => l.group === group).reduce((n, l) => n + l.monthlyUsd, 0) }))
        .filter((g) => lines.some((l) => l.group === g.group));
    return {
        region, lines, groups, totalUsd: groups.reduce((n, g) => n + g.monthlyUsd, 0), notPriced, notes,
        assumptions: [...assumptions], carried: prices.carriedKeys(), sources: prices.sourcesUsed(),
    };
}

interface Sink {
    add(group: Group, item: string, quantity: number, unit: string, key: string): void;
    gp3(group: Group, item: string, gib: number): void;
    missing(what: string, why: string, count?: number): void;
    notes: string[];
}

/** Karpenter pools at idle: the cheapest priced nodes that hold their always-on pods, and the price of one more GPU node. */
function karpenter(resources: CostResource[], table: PriceTable, prices: RegionPrices, sink: Sink): void {
    const pools = karpenterPools(resources);
    if (!prices.known && pools.length > 0) {
        sink.missing("Karpenter pools", `region ${prices.region} is not in the price table`, pools.length);
        return;
    }
    const pods = alwaysOnPods(resources).filter((p) => p.replicas > 0);
    const onSystemNodes = (p: (typeof pods)[number]) => Object.keys(p.nodeSelector).some((k) => k.endsWith("/node-role") && p.nodeSelector[k] === "system");
    const unplaced = pods.filter((p) => !onSystemNodes(p) && !poolFor(p, pools));
    if (unplaced.length > 0) sink.missing(`always-on pods that match no node pool (${unplaced.map((p) => p.owner).join(", ")})`, "no Karpenter pool would launch a node for them", unplaced.length);
    const hours = table.hoursPerMonth;
    for (const pool of pools) {
        const candidates: Candidate[] = Object.entries(table.instances)
            .filter(([type]) => poolAllows(pool, type) && prices.get(`ec2:${type}`) !== undefined)
            .map(([type, spec]) => ({ type, spec, hourlyUsd: prices.get(`ec2:${type}`) as number }));
        const mine = pods.filter((p) => !onSystemNodes(p) && poolFor(p, pools) === pool);
        if (pool.capacityTypes.includes("spot")) sink.notes.push(`pool ${pool.name} may use spot capacity: priced at on-demand, an upper bound (spot prices vary and are not in the AWS Price List)`);
        const gpuNode = candidates.filter((c) => (c.spec.gpus ?? 0) > 0).sort((x, y) => x.hourlyUsd - y.hourlyUsd)[0];
        if (gpuNode) prices.use(`ec2:${gpuNode.type}`);
        if (gpuNode) sink.notes.push(`pool ${pool.name}: each GPU node it adds costs from $${gpuNode.hourlyUsd.toFixed(4)} per node-hour (${gpuNode.type}, ${gpuNode.spec.gpus} GPU, on-demand), $${(gpuNode.hourlyUsd * hours).toFixed(2)} per month`);
        if (mine.length === 0) {
            sink.notes.push(`pool ${pool.name}: no always-on pod needs it, 0 nodes at idle`);
            continue;
        }
        const fit = cheapestFit(mine, candidates, { cpu: table.assumptions.nodeAllocatableCpuFraction, memory: table.assumptions.nodeAllocatableMemoryFraction });
        if (!fit) {
            sink.missing(`pool ${pool.name} at its minimum (${mine.map((p) => p.owner).join(", ")})`, "no priced instance type of the pool holds its pods", mine.length);
            continue;
        }
        const sum = (f: (p: (typeof mine)[number]) => number) => mine.reduce((n, p) => n + f(p) * p.replicas, 0);
        const gpus = sum((p) => p.gpus);
        const demand = `${sum((p) => p.cpu).toFixed(2)} vCPU, ${sum((p) => p.memoryGiB).toFixed(2)} GiB${gpus > 0 ? `, ${gpus} GPU` : ""} requested by ${mine.map((p) => `${p.owner} ×${p.replicas}`).join(", ")}`;
        sink.add("Karpenter pools", `pool ${pool.name} at its minimum: ${fit.nodes} × ${fit.type} (${demand})`, fit.nodes * hours, "instance-hour", `ec2:${fit.type}`);
        if (pool.rootVolumeGiB > 0) sink.gp3("Karpenter pools", `pool ${pool.name}: ${fit.nodes} × ${pool.rootVolumeGiB} GiB gp3 root volume`, fit.nodes * pool.rootVolumeGiB);
    }
}
