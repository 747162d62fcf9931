/**
 * A small render with every resource type the cost model prices, and a price table with round numbers,
 * so tests can hold the estimate against a total computed by hand (tests/unit/cost.test.ts).
 */
import type { CostResource } from "../../scripts/cost/resources";
import type { PriceTable } from "../../scripts/cost/prices";

const price = (usd: number) => ({ usd, source: "test" });

/** Prices of region `test-1` (and one carried price), 100 hours per month. */
export const TEST_TABLE: PriceTable = {
    currency: "USD",
    hoursPerMonth: 100,
    compiled: "test",
    note: "test table",
    sources: { test: { what: "round test prices", url: "https://example.test/prices", retrieved: "test" } },
    assumptions: {
        natProcessedGbPerMonth: 10, interfaceEndpointGbPerMonth: 1, sqsMillionRequestsPerQueuePerMonth: 2, s3StoredGbPerBucket: 100,
        logIngestGbPerGroupPerMonth: 3, nodeAllocatableCpuFraction: 1, nodeAllocatableMemoryFraction: 1,
    },
    instances: {
        "t3.large": { vcpu: 2, memoryGiB: 8 },
        "c6a.large": { vcpu: 2, memoryGiB: 4 },
        "m6a.large": { vcpu: 2, memoryGiB: 8 },
        "m6g.large": { vcpu: 2, memoryGiB: 8 },
        "g6.xlarge": { vcpu: 4, memoryGiB: 16, gpus: 1 },
    },
    regions: {
        "test-1": {
            "eks:cluster-hour": price(0.1), "ec2:t3.large": price(0.08), "ec2:c6a.large": price(0.05), "ec2:m6a.large": price(0.07),
            "ec2:m6g.large": price(0.01), "ec2:g6.xlarge": { usd: 1, source: "carried:us-east-1" }, "ebs:gp3-gb-month": price(0.1),
            "nat:gateway-hour": price(0.05), "nat:gb-processed": price(0.05), "ipv4:address-hour": price(0.01), "vpce:az-hour": price(0.01),
            "vpce:gb-processed": price(0.01), "elasticache:valkey:cache.t4g.small": price(0.02), "sqs:standard-million-requests": price(0.4),
            "s3:standard-gb-month": price(0.02), "kms:key-month": price(1), "secretsmanager:secret-month": price(0.4),
            "logs:ingest-gb": price(0.5), "logs:store-gb-month": price(0.03),
        },
    },
};

const container = (cpu: string, memory: string, gpus?: number) => ({ name: "main", image: "x", resources: { requests: { cpu, memory, ...(gpus ? { "nvidia.com/gpu": String(gpus) } : {}) } } });
const GPU_TAINT = { key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" };

/** Every priced type at least once, plus free ones (IAM role, gateway endpoint, ConfigMap). */
export const FIXTURE_RENDER: CostResource[] = [
    { type: "aws:eks/cluster:Cluster", name: "eks", inputs: { name: "c1", version: "1.35" } },
    { type: "aws:ec2/launchTemplate:LaunchTemplate", name: "system", inputs: { blockDeviceMappings: [{ ebs: { volumeSize: 20, volumeType: "gp3" } }] } },
    { type: "aws:eks/nodeGroup:NodeGroup", name: "system", inputs: { nodeGroupName: "c1-system", instanceTypes: ["t3.large"], capacityType: "ON_DEMAND", scalingConfig: { minSize: 1, desiredSize: 2, maxSize: 3 } } },
    { type: "aws:ec2/natGateway:NatGateway", name: "nat-0", inputs: {} },
    { type: "aws:ec2/eip:Eip", name: "nat-0", inputs: { domain: "vpc" } },
    { type: "aws:ec2/vpcEndpoint:VpcEndpoint", name: "sts", inputs: { serviceName: "com.amazonaws.test-1.sts", vpcEndpointType: "Interface", subnetIds: ["subnet-a", "subnet-b"] } },
    { type: "aws:ec2/vpcEndpoint:VpcEndpoint", name: "s3", inputs: { serviceName: "com.amazonaws.test-1.s3", vpcEndpointType: "Gateway" } },
    { type: "aws:elasticache/replicationGroup:ReplicationGroup", name: "cache", inputs: { engine: "valkey", nodeType: "cache.t4g.small", numCacheClusters: 2 } },
    { type: "aws:sqs/queue:Queue", name: "jobs", inputs: { name: "jobs" } },
    { type: "aws:s3/bucket:Bucket", name: "traces", inputs: { bucket: "traces" } },
    { type: "aws:kms/key:Key", name: "key", inputs: { enableKeyRotation: true } },
    { type: "aws:secretsmanager/secret:Secret", name: "llm", inputs: { name: "llm" } },
    { type: "aws:cloudwatch/logGroup:LogGroup", name: "logs", inputs: { name: "/aws/eks/c1/cluster", retentionInDays: 10 } },
    { type: "aws:iam/role:Role", name: "role", inputs: {} },
    { type: "kubernetes:core/v1:ConfigMap", name: "settings", inputs: { metadata: { name: "settings" } } },
    {
        type: "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass", name: "general",
        inputs: { metadata: { name: "general" }, spec: { blockDeviceMappings: [{ ebs: { volumeSize: "50Gi" } }] } },
    },
    {
        type: "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass", name: "gpu",
        inputs: { metadata: { name: "gpu" }, spec: { blockDeviceMappings: [{ ebs: { volumeSize: "100Gi" } }] } },
    },
    {
        type: "kubernetes:karpenter.sh/v1:NodePool", name: "general",
        inputs: {
            metadata: { name: "general" },
            spec: { template: { metadata: { labels: { capacity: "general" } }, spec: {
                nodeClassRef: { name: "general" },
                requirements: [
                    { key: "karpenter.sh/capacity-type", operator: "In", values: ["spot", "on-demand"] },
                    { key: "karpenter.k8s.aws/instance-category", operator: "In", values: ["c", "m", "r"] },
                    { key: "karpenter.k8s.aws/instance-generation", operator: "Gt", values: ["4"] },
                ],
            } } },
        },
    },
    {
        type: "kubernetes:karpenter.sh/v1:NodePool", name: "gpu",
        inputs: {
            metadata: { name: "gpu" },
            spec: { template: { metadata: { labels: { capacity: "gpu" } }, spec: {
                nodeClassRef: { name: "gpu" }, taints: [GPU_TAINT],
                requirements: [{ key: "karpenter.k8s.aws/instance-family", operator: "In", values: ["g6"] }],
            } } },
        },
    },
    {
        type: "kubernetes:apps/v1:Deployment", name: "api",
        inputs: { metadata: { name: "api", namespace: "agents" }, spec: { template: { spec: { containers: [container("500m", "1Gi")] } } } },
    },
    {
        type: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", name: "api",
        inputs: { metadata: { name: "api", namespace: "agents" }, spec: { minReplicas: 2, scaleTargetRef: { kind: "Deployment", name: "api" } } },
    },
    {
        type: "kubernetes:apps/v1:StatefulSet", name: "model",
        inputs: {
            metadata: { name: "model", namespace: "agents" },
            spec: {
                replicas: 1,
                template: { spec: {
                    nodeSelector: { capacity: "gpu" }, tolerations: [{ ...GPU_TAINT, operator: "Equal" }],
                    initContainers: [container("1", "1Gi")], containers: [container("2", "8Gi", 1)],
                } },
                volumeClaimTemplates: [{ metadata: { name: "weights" }, spec: { storageClassName: "gp3", resources: { requests: { storage: "10Gi" } } } }],
            },
        },
    },
    { type: "kubernetes:helm.sh/v3:Release", name: "tempo", inputs: { chart: "tempo", values: { replicas: 1, persistence: { enabled: true, size: "5Gi" } } } },
];

/**
 * The estimate of FIXTURE_RENDER with TEST_TABLE, by hand (100 hours per month, 100/24 days per month).
 */
export const FIXTURE_EXPECTED_GROUPS: Record<string, number> = {
    "EKS control plane": 100 * 0.1, // 10.00
    "System node group": 2 * 100 * 0.08 + 2 * 20 * 0.1, // 16.00 instances + 4.00 root volumes
    // general: 2 api pods × (0.5 vCPU, 1 GiB) fit one c6a.large (cheapest amd64 c/m/r gen>4; m6g is Graviton, t3 gen 3);
    // gpu: the model pod (2 vCPU, 8 GiB, 1 GPU; its init container is smaller) needs one g6.xlarge.
    "Karpenter pools": 100 * 0.05 + 50 * 0.1 + 100 * 1 + 100 * 0.1, // 5 + 5 + 100 + 10
    "NAT gateways": 100 * 0.05 + 100 * 0.01 + 10 * 0.05, // gateway 5.00, public IPv4 1.00, 10 GB processed 0.50
    "VPC interface endpoints": 2 * 100 * 0.01 + 1 * 0.01, // sts in 2 AZs 2.00, 1 GB processed 0.01; the S3 gateway endpoint is free
    ElastiCache: 2 * 100 * 0.02, // 4.00
    "EBS volumes": 10 * 0.1 + 5 * 0.1, // StatefulSet claim 1.00, chart persistence 0.50
    SQS: 2 * 0.4, // 0.80
    S3: 100 * 0.02, // 2.00
    "KMS keys": 1,
    "Secrets Manager": 0.4,
    "CloudWatch Logs": 3 * 0.5 + (3 * 10 / (100 / 24)) * 0.03, // ingestion 1.50, 7.2 GB-month kept 0.216
};
