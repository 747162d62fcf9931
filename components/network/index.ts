import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { planSubnets } from "../shared/cidr";
import { NatGatewayStrategy } from "../shared/constants";
import { parseArgs } from "../shared/schema";
import { networkArgsSchema } from "./args";
import { endpointServiceName, flowLogDeliveryPolicy, flowLogTrustPolicy, INTERFACE_ENDPOINT_SERVICES, subnetDiscoveryTagList, subnetDiscoveryTags, SubnetTier } from "./spec";

/** An existing VPC to use instead of creating one. */
export interface ExistingVpcArgs {
    /** Id of the VPC. Required. */
    vpcId: pulumi.Input<string>;
    /** CIDR of the VPC, admitted on 443 by the endpoint security group. Required. */
    vpcCidr: pulumi.Input<string>;
    /** Public subnet ids (2–6, spread over AZs). Required. */
    publicSubnetIds: pulumi.Input<string>[];
    /** Private subnet ids (2–6, spread over AZs); nodes and pods run here. Required. */
    privateSubnetIds: pulumi.Input<string>[];
    /** Route tables of the private subnets, for the S3 gateway endpoint. Default: none (no gateway endpoint). */
    privateRouteTableIds?: pulumi.Input<string>[];
}

/** Network settings that do not depend on the cluster (what AgentPlatform takes). */
export interface NetworkOptions {
    /** IPv4 CIDR of the new VPC, /16 to /22. Default: "10.0.0.0/16". Ignored with `existingVpc`. */
    vpcCidr?: string;
    /** Availability zones to use, 2 or 3. Default: 2. Ignored with `existingVpc`. */
    availabilityZoneCount?: number;
    /** Zone names to use, in order (at least `availabilityZoneCount`), pinned so the layout never shifts. Default: the region's first available zones that support EKS. */
    availabilityZones?: string[];
    /** NAT layout: "single" or "perAz" (NatGatewayStrategy). Default: "single". Ignored with `existingVpc`. */
    natGateways?: string;
    /** Retention of VPC flow logs, days. Default: 30. */
    flowLogRetentionDays?: number;
    /** Create interface endpoints for ECR, STS, SQS, Secrets Manager and CloudWatch Logs. Default: true (false with `existingVpc`). */
    interfaceEndpoints?: boolean;
    /** Use this VPC and its subnets instead of creating them; their subnets get the discovery tags. Default: create a VPC. */
    existingVpc?: ExistingVpcArgs;
    /** Tags added to every resource. Default: none (the provider's default tags still apply). */
    tags?: Record<string, string>;
}

export interface AgentNetworkArgs extends NetworkOptions {
    /** EKS cluster name the subnets are tagged for (`kubernetes.io/cluster/<name>`, `karpenter.sh/discovery`). Required. */
    clusterName: pulumi.Input<string>;
}

type ParsedNetworkArgs = ReturnType<typeof parseNetworkArgs>;

/**
 * Zone ids where EKS cannot place a control plane (cluster creation fails with
 * UnsupportedAvailabilityZoneException): never picked by default. Zone *names* map to ids differently in
 * every account, which is why the exclusion is by id.
 */
export const EKS_UNSUPPORTED_ZONE_IDS = ["use1-az3", "usw1-az2", "cac1-az3"] as const;

/** Validates AgentNetworkArgs and applies their defaults; throws `InputPropertiesError` naming each bad argument. */
export function parseNetworkArgs(args: AgentNetworkArgs) {
    return parseArgs("AgentNetwork", networkArgsSchema, args);
}

/**
 * The VPC of the platform: public and private subnets over 2–3 AZs, internet gateway, NAT (one, or
 * one per AZ), flow logs, an S3 gateway endpoint and interface endpoints that keep AWS API traffic off
 * the NAT, and the subnet tags load balancers and Karpenter discover. Or an existing VPC, tagged.
 */
export class AgentNetwork extends pulumi.ComponentResource {
    /** Id of the VPC. */
    public readonly vpcId: pulumi.Output<string>;
    /** CIDR of the VPC. */
    public readonly vpcCidr: pulumi.Output<string>;
    /** Public subnet ids, one per AZ. */
    public readonly publicSubnetIds: pulumi.Output<string[]>;
    /** Private subnet ids, one per AZ (nodes, pods, endpoints, caches). */
    public readonly privateSubnetIds: pulumi.Output<string[]>;
    /** Security group of the interface endpoints (undefined output when none are created). */
    public readonly endpointSecurityGroupId: pulumi.Output<string | undefined>;

    constructor(name: string, args: AgentNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        const a = parseNetworkArgs(args);
        super("agent-platform:index:AgentNetwork", name, {}, opts);
        const parent = { parent: this };
        const tags = (extra: Record<string, pulumi.Input<string>> = {}) => ({ ...a.tags, ...extra });
        const clusterName = pulumi.output(a.clusterName);

        const layout = a.existingVpc ? this.tagExisting(name, a.existingVpc, clusterName) : this.createVpc(name, a, clusterName, tags);
        this.vpcId = layout.vpcId;
        this.vpcCidr = layout.vpcCidr;
        this.publicSubnetIds = pulumi.output(layout.publicSubnetIds);
        this.privateSubnetIds = pulumi.output(layout.privateSubnetIds);

        this.createFlowLogs(name, a.flowLogRetentionDays, tags);

        const region = aws.getRegionOutput({}, parent).region;
        const endpointsWanted = a.interfaceEndpoints ?? !a.existingVpc;
        if (layout.privateRouteTableIds.length > 0) {
            new aws.ec2.VpcEndpoint(`${name}-s3`, {
                vpcId: this.vpcId,
                serviceName: region.apply((r) => endpointServiceName(r, "s3")),
                vpcEndpointType: "Gateway",
                routeTableIds: layout.privateRouteTableIds,
                tags: tags({ Name: `${name}-s3` }),
            }, parent);
        }
        let endpointSg: aws.ec2.SecurityGroup | undefined;
        if (endpointsWanted) {
            endpointSg = new aws.ec2.SecurityGroup(`${name}-endpoints`, {
                vpcId: this.vpcId,
                description: "HTTPS from the VPC to AWS interface endpoints",
                ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [this.vpcCidr], description: "HTTPS from the VPC" }],
                tags: tags({ Name: `${name}-endpoints` }),
            }, parent);
            for (const service of INTERFACE_ENDPOINT_SERVICES) {
                new aws.ec2.VpcEndpoint(`${name}-${service.replace(".", "-")}`, {
                    vpcId: this.vpcId,
                    serviceName: region.apply((r) => endpointServiceName(r, service)),
                    vpcEndpointType: "Interface",
                    privateDnsEnabled: true,
                    subnetIds: this.privateSubnetIds,
                    securityGroupIds: [endpointSg.id],
                    tags: tags({ Name: `${name}-${service}` }),
                }, parent);
            }
        }
        this.endpointSecurityGroupId = endpointSg ? endpointSg.id : pulumi.output(undefined);

        this.registerOutputs({
            vpcId: this.vpcId, vpcCidr: this.vpcCidr, publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds, endpointSecurityGroupId: this.endpointSecurityGroupId,
        });
    }

    private createVpc(name: string, args: ParsedNetworkArgs, clusterName: pulumi.Output<string>, tags: (extra?: Record<string, pulumi.Input<string>>) => Record<string, pulumi.Input<string>>) {
        const parent = { parent: this };
        const cidr = args.vpcCidr;
        const azCount = args.availabilityZoneCount;
        const plan = planSubnets(cidr, azCount);
        const zones = args.availabilityZones ? pulumi.output(args.availabilityZones) : aws.getAvailabilityZonesOutput({
            state: "available",
            excludeZoneIds: [...EKS_UNSUPPORTED_ZONE_IDS],
            filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
        }, parent).names;

        const vpc = new aws.ec2.Vpc(`${name}-vpc`, {
            cidrBlock: cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: tags({ Name: `${name}-vpc` }),
        }, parent);
        const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: tags({ Name: `${name}-igw` }) }, parent);
        const subnet = (tier: SubnetTier, i: number, cidrBlock: string) => new aws.ec2.Subnet(`${name}-${tier}-${i}`, {
            vpcId: vpc.id,
            cidrBlock,
            availabilityZone: zones.apply((z) => z[i]),
            mapPublicIpOnLaunch: false,
            tags: clusterName.apply((c) => tags({ Name: `${name}-${tier}-${i}`, ...subnetDiscoveryTags(tier, c) })),
        }, parent);
        const publicSubnets = plan.public.map((c, i) => subnet(SubnetTier.Public, i, c));
        const privateSubnets = plan.private.map((c, i) => subnet(SubnetTier.Private, i, c));

        const publicRoutes = new aws.ec2.RouteTable(`${name}-public`, {
            vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }], tags: tags({ Name: `${name}-public` }),
        }, parent);
        publicSubnets.forEach((s, i) => new aws.ec2.RouteTableAssociation(`${name}-public-${i}`, { subnetId: s.id, routeTableId: publicRoutes.id }, parent));

        const natCount = args.natGateways === NatGatewayStrategy.PerAz ? azCount : 1;
        const nats = Array.from({ length: natCount }, (_, i) => {
            const eip = new aws.ec2.Eip(`${name}-nat-${i}`, { domain: "vpc", tags: tags({ Name: `${name}-nat-${i}` }) }, parent);
            return new aws.ec2.NatGateway(`${name}-nat-${i}`, {
                allocationId: eip.id, subnetId: publicSubnets[i].id, connectivityType: "public", tags: tags({ Name: `${name}-nat-${i}` }),
            }, { parent: this, dependsOn: [igw] });
        });
        const privateRoutes = privateSubnets.map((s, i) => {
            const table = new aws.ec2.RouteTable(`${name}-private-${i}`, {
                vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nats[i % natCount].id }], tags: tags({ Name: `${name}-private-${i}` }),
            }, parent);
            new aws.ec2.RouteTableAssociation(`${name}-private-${i}`, { subnetId: s.id, routeTableId: table.id }, parent);
            return table;
        });
        return {
            vpcId: vpc.id,
            vpcCidr: vpc.cidrBlock,
            publicSubnetIds: publicSubnets.map((s) => s.id),
            privateSubnetIds: privateSubnets.map((s) => s.id),
            privateRouteTableIds: privateRoutes.map((t) => t.id),
        };
    }

    private tagExisting(name: string, existing: ParsedNetworkArgs["existingVpc"] & object, clusterName: pulumi.Output<string>) {
        const tagTier = (tier: SubnetTier, ids: pulumi.Input<string>[]) => ids.forEach((id, i) => {
            subnetDiscoveryTagList(tier, "").forEach(({ slug }, j) => {
                const tag = clusterName.apply((c) => subnetDiscoveryTagList(tier, c)[j]);
                new aws.ec2.Tag(`${name}-${tier}-${i}-${slug}`, { resourceId: id, key: tag.key, value: tag.value }, { parent: this });
            });
        });
        tagTier(SubnetTier.Public, existing.publicSubnetIds);
        tagTier(SubnetTier.Private, existing.privateSubnetIds);
        return {
            vpcId: pulumi.output(existing.vpcId),
            vpcCidr: pulumi.output(existing.vpcCidr),
            publicSubnetIds: existing.publicSubnetIds,
            privateSubnetIds: existing.privateSubnetIds,
            privateRouteTableIds: existing.privateRouteTableIds,
        };
    }

    private createFlowLogs(name: string, retentionInDays: number, tags: (extra?: Record<string, pulumi.Input<string>>) => Record<string, pulumi.Input<string>>) {
        const parent = { parent: this };
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-flow-logs`, {
            retentionInDays, tags: tags(),
        }, parent);
        const identity = aws.getCallerIdentityOutput({}, parent);
        const partition = aws.getPartitionOutput({}, parent);
        const region = aws.getRegionOutput({}, parent);
        const role = new aws.iam.Role(`${name}-flow-logs`, {
            assumeRolePolicy: pulumi.jsonStringify(pulumi.all([identity.accountId, partition.partition, region.region])
                .apply(([account, p, r]) => flowLogTrustPolicy(account, p, r))),
            tags: tags(),
        }, parent);
        new aws.iam.RolePolicy(`${name}-flow-logs`, {
            role: role.id, policy: pulumi.jsonStringify(logGroup.arn.apply(flowLogDeliveryPolicy)),
        }, parent);
        new aws.ec2.FlowLog(`${name}-flow-logs`, {
            vpcId: this.vpcId, trafficType: "ALL", logDestinationType: "cloud-watch-logs", logDestination: logGroup.arn,
            iamRoleArn: role.arn, maxAggregationInterval: 60, tags: tags(),
        }, parent);
    }
}
