import { ContextStoreMode, enumValues, EvictionPolicy, TraceStorage } from "../../components/shared/constants";
import { boolean, DURATION, integer, list, object, oneOf, optional, string, stringList } from "./schema";
import { PLATFORM_NAME } from "../../components/shared/validation";

/** DNS-label names: Kubernetes object names, queue and secret names. */
export const NAME = PLATFORM_NAME;
const ENV_VAR = /^[A-Z_][A-Z0-9_]*$/;

/** `secrets`: Secrets Manager secrets synced into Kubernetes by External Secrets Operator. */
export const secretsSchema = object({
    recoveryWindowDays: integer({ doc: "Days a deleted secret can be recovered (0 deletes at once; else 7–30)", default: 7, min: 0, max: 30 }),
    refreshInterval: string({ doc: "How often ESO re-reads Secrets Manager (a value changed out of band reaches the Kubernetes Secret within this)", default: "1h", pattern: DURATION }),
    reloader: boolean({ doc: "Install Stakater Reloader: workloads annotated with `reloadAnnotations` restart when their Secrets change", default: true }),
    entries: list({
        name: string({ doc: "Secret name: Secrets Manager `agent-platform/<stack>/<name>` and Kubernetes Secret `<name>` in the agents namespace; its value comes from `agent-platform:secretValues.<name>` (a config secret) or `aws secretsmanager put-secret-value`", pattern: NAME }),
        keys: stringList({ doc: "Keys of the secret's JSON object; each becomes an environment variable", pattern: ENV_VAR, minItems: 1, maxItems: 50 }),
        description: string({ doc: "What the secret is for", default: "agent credentials" }),
    }, { doc: "Secrets the agents read", default: [{ name: "llm", keys: ["OPENAI_API_KEY"], description: "LLM provider API keys" }], uniqueBy: "name", maxItems: 50 }),
}, "Secrets Manager and External Secrets Operator");

/** `contextStore`: Redis-protocol store for agent context. */
export const contextStoreSchema = object({
    mode: oneOf(enumValues(ContextStoreMode), { doc: "`elasticache` (managed Valkey) or `in-cluster` (a Valkey StatefulSet, for dev)", default: ContextStoreMode.ElastiCache }),
    nodeType: string({ doc: "ElastiCache node type", default: "cache.t4g.small", pattern: /^cache\.[a-z0-9]+\.[a-z0-9]+$/ }),
    replicas: integer({ doc: "Read replicas besides the primary (ElastiCache)", default: 1, min: 0, max: 5 }),
    multiAz: boolean({ doc: "Multi-AZ with automatic failover (needs at least one replica)", default: false }),
    snapshotRetentionDays: integer({ doc: "Days of automatic snapshots (0: none)", default: 0, min: 0, max: 35 }),
    maintenanceWindow: string({ doc: "Weekly maintenance window (UTC)", default: "sun:05:00-sun:06:00", pattern: /^(mon|tue|wed|thu|fri|sat|sun):\d\d:\d\d-(mon|tue|wed|thu|fri|sat|sun):\d\d:\d\d$/ }),
    sessionTtlSeconds: integer({ doc: "Seconds of inactivity after which a session's context expires", default: 86400, min: 60, max: 2592000 }),
    storageGiB: integer({ doc: "PersistentVolume size of the in-cluster store, GiB", default: 8, min: 1, max: 1000 }),
    evictionPolicy: oneOf(enumValues(EvictionPolicy), { doc: "`maxmemory-policy`; `volatile-lru` evicts the idlest keys that carry a TTL (all agent keys do)", default: EvictionPolicy.VolatileLru }),
    applyImmediately: boolean({ doc: "Apply ElastiCache changes now instead of in the maintenance window", default: false }),
    logRetentionDays: integer({ doc: "Days the ElastiCache slow and engine logs are kept (a CloudWatch Logs retention period: 1, 3, 5, 7, 14, 30, 60, 90, ...)", default: 30, min: 1, max: 3653 }),
}, "Agent context store (Redis protocol)");

/** `queues`: SQS queues for asynchronous jobs, each with a dead-letter queue. */
export const queuesSchema = list({
    name: string({ doc: "Queue name", pattern: NAME }),
    maxJobDurationSeconds: integer({ doc: "Longest a job may run; the visibility timeout must exceed it", default: 300, min: 1, max: 43000 }),
    visibilityTimeoutSeconds: optional(integer({ doc: "Visibility timeout; default: maxJobDurationSeconds + 60", min: 2, max: 43200 })),
    maxReceiveCount: integer({ doc: "Deliveries before a message moves to the dead-letter queue", default: 5, min: 3, max: 10 }),
    retentionDays: integer({ doc: "Days a message stays in the queue (the DLQ keeps 14)", default: 4, min: 1, max: 13 }),
    activationMessages: integer({ doc: "KEDA: messages above which a worker scales from zero", default: 0, min: 0, max: 100000 }),
    pollingIntervalSeconds: integer({ doc: "KEDA: seconds between two queue-depth checks", default: 15, min: 5, max: 300 }),
    cooldownSeconds: integer({ doc: "KEDA: seconds after the last message before a worker scales to zero", default: 300, min: 0, max: 3600 }),
}, {
    doc: "Job queues",
    default: [{ name: "jobs", maxJobDurationSeconds: 300, visibilityTimeoutSeconds: undefined, maxReceiveCount: 5, retentionDays: 4, activationMessages: 0, pollingIntervalSeconds: 15, cooldownSeconds: 300 }],
    uniqueBy: "name",
    maxItems: 20,
});

/** `tracing`: OpenTelemetry Collector, Tempo and Grafana. */
export const tracingSchema = object({
    storage: oneOf(enumValues(TraceStorage), { doc: "Tempo storage: `local` volume (dev) or `s3`", default: TraceStorage.S3 }),
    retentionDays: integer({ doc: "Days traces are kept", default: 14, min: 1, max: 365 }),
    localStorageGiB: integer({ doc: "Tempo volume size when storage is local, GiB", default: 10, min: 1, max: 1000 }),
    grafana: boolean({ doc: "Install Grafana with Tempo as a data source and the Agents dashboard (reach it with `kubectl -n observability port-forward svc/grafana 3000:80`)", default: true }),
    collectorReplicas: integer({ doc: "OpenTelemetry Collector replicas (more than one adds a PodDisruptionBudget)", default: 2, min: 1, max: 10 }),
    storageClassName: optional(string({ doc: "StorageClass of Tempo's volume; default: the cluster's default StorageClass", pattern: NAME })),
}, "Tracing");
