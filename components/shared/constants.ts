/**
 * Enumerations shared by the components and the stack configuration. Component arguments take these
 * as plain strings (the component-package analyzer rejects union literal types) and validate them at
 * run time against the values below.
 */

/** How many NAT gateways an AgentNetwork creates. */
export const NatGatewayStrategy = {
    /** One NAT gateway in the first AZ: cheapest, but an AZ outage cuts egress for all. */
    Single: "single",
    /** One NAT gateway per AZ: each private subnet egresses through its own AZ. */
    PerAz: "perAz",
} as const;
export type NatGatewayStrategy = (typeof NatGatewayStrategy)[keyof typeof NatGatewayStrategy];

/** The role an agent workload plays. */
export const AgentRole = {
    /** Serves HTTP: chat and job submission. Scaled by an HPA. */
    Api: "api",
    /** Consumes a TaskQueue. Scaled by KEDA on queue depth. */
    Worker: "worker",
} as const;
export type AgentRole = (typeof AgentRole)[keyof typeof AgentRole];

/** Resource presets from docs/architecture.md §10. */
export const ResourceProfile = {
    ApiAgent: "api-agent",
    LocalModel7b: "local-model-7b",
    ToolWorker: "tool-worker",
    ContextCache: "context-cache",
} as const;
export type ResourceProfile = (typeof ResourceProfile)[keyof typeof ResourceProfile];

/** Where agent context (Redis protocol) lives. */
export const ContextStoreMode = {
    /** ElastiCache Valkey replication group: TLS, auth token, KMS at rest, multi-AZ when asked. */
    ElastiCache: "elasticache",
    /** A Valkey StatefulSet in the cluster: cheap, for dev stacks. */
    InCluster: "in-cluster",
} as const;
export type ContextStoreMode = (typeof ContextStoreMode)[keyof typeof ContextStoreMode];

/** Where Tempo keeps trace blocks. */
export const TraceStorage = {
    /** A PersistentVolumeClaim on the Tempo pod: dev only. */
    Local: "local",
    /** An encrypted S3 bucket with a lifecycle expiry. */
    S3: "s3",
} as const;
export type TraceStorage = (typeof TraceStorage)[keyof typeof TraceStorage];

/** Where the span-derived metrics are stored and queried. */
export const MetricsStorage = {
    /** A Prometheus server in the cluster with a volume: dev, and clusters outside AWS. */
    Local: "local",
    /** Amazon Managed Service for Prometheus: an in-cluster Prometheus agent remote-writes with SigV4. */
    Amp: "amp",
} as const;
export type MetricsStorage = (typeof MetricsStorage)[keyof typeof MetricsStorage];

/** Where a stack's alerts are sent: its one contact point. */
export const ContactPoint = {
    /** An SNS topic (email, Slack through AWS Chatbot, PagerDuty); CloudWatch alarms and Grafana both publish to it. */
    Sns: "sns",
    /** Grafana's own contact point (a Slack webhook): no AWS resource involved. */
    Grafana: "grafana",
} as const;
export type ContactPoint = (typeof ContactPoint)[keyof typeof ContactPoint];

/** EC2 purchase options Karpenter may use. */
export const CapacityType = {
    Spot: "spot",
    OnDemand: "on-demand",
} as const;
export type CapacityType = (typeof CapacityType)[keyof typeof CapacityType];

/** Where a ModelServer's weights come from (downloaded once into a volume, never baked into an image). */
export const ModelSource = {
    /** A model hub (Hugging Face); the token comes from AgentSecrets. */
    Hub: "hub",
    /** An S3 prefix, read through the model server's Pod Identity role. */
    S3: "s3",
} as const;
export type ModelSource = (typeof ModelSource)[keyof typeof ModelSource];

/** `maxmemory-policy` of a ContextStore: what Valkey evicts when memory is full. */
export const EvictionPolicy = {
    /** Least recently used among keys with a TTL (the default: every agent key carries one). */
    VolatileLru: "volatile-lru",
    /** Least frequently used among keys with a TTL. */
    VolatileLfu: "volatile-lfu",
    /** Keys with a TTL, nearest expiry first. */
    VolatileTtl: "volatile-ttl",
    /** Least recently used among all keys. */
    AllKeysLru: "allkeys-lru",
    /** Least frequently used among all keys. */
    AllKeysLfu: "allkeys-lfu",
    /** Never evict: writes fail when memory is full. */
    NoEviction: "noeviction",
} as const;
export type EvictionPolicy = (typeof EvictionPolicy)[keyof typeof EvictionPolicy];

/** Platforms an AgentImage is built for (one per image; EKS nodes are x86_64 or Graviton). */
export const ImagePlatform = {
    Amd64: "linux/amd64",
    Arm64: "linux/arm64",
} as const;
export type ImagePlatform = (typeof ImagePlatform)[keyof typeof ImagePlatform];

/** Retention periods CloudWatch Logs accepts, days (the PutRetentionPolicy API's allowed values). */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** Where an AgentPlatform runs. */
export const PlatformTarget = {
    /** An AWS account: VPC, EKS, Secrets Manager, SQS, ECR (and ElastiCache or S3 where configured). */
    Aws: "aws",
    /** An existing Kubernetes cluster (kind, k3d, minikube, Docker Desktop, ...): no AWS at all, in-cluster stand-ins. */
    Kubernetes: "kubernetes",
} as const;
export type PlatformTarget = (typeof PlatformTarget)[keyof typeof PlatformTarget];

/** What serves a TaskQueue. */
export const QueueBackend = {
    /** Amazon SQS. */
    Sqs: "sqs",
    /** ElasticMQ, an SQS-compatible server, in the cluster: no AWS account needed. */
    ElasticMq: "elasticmq",
} as const;
export type QueueBackend = (typeof QueueBackend)[keyof typeof QueueBackend];

/** Where AgentSecrets keeps the values External Secrets Operator syncs. */
export const SecretStoreKind = {
    /** AWS Secrets Manager, encrypted with a customer-managed KMS key. */
    SecretsManager: "secrets-manager",
    /** Kubernetes Secrets in a namespace of their own, read by ESO's `kubernetes` provider. */
    Kubernetes: "kubernetes",
} as const;
export type SecretStoreKind = (typeof SecretStoreKind)[keyof typeof SecretStoreKind];

/** How KEDA authenticates to the queues it watches. */
export const SqsAuthentication = {
    /** The operator's own IAM role through EKS Pod Identity. */
    PodIdentity: "pod-identity",
    /** A static key from a Kubernetes Secret (an SQS-compatible server that checks no credentials). */
    StaticKey: "static-key",
} as const;
export type SqsAuthentication = (typeof SqsAuthentication)[keyof typeof SqsAuthentication];

/**
 * Keys of a static-key Secret: the AWS SDK's environment variable names, which KEDA's docs use too
 * (SqsAuthentication "static-key", ElasticMQ clients).
 */
export const STATIC_KEY_SECRET_KEYS = { accessKeyId: "AWS_ACCESS_KEY_ID", secretAccessKey: "AWS_SECRET_ACCESS_KEY" } as const;

/** Values of an `as const` enum object, for validation and messages. */
export function enumValues<E extends Record<string, string>>(e: E): E[keyof E][] {
    return Object.values(e) as E[keyof E][];
}
