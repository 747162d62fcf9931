import { alertsOptionsSchema, checkContactPoint } from "../../components/alerts/args";
import { checkReplicas, contextStoreOptionsSchema } from "../../components/contextStore/args";
import { queueScalingFields } from "../../components/keda/args";
import { secretEntryOptionsSchema, secretsOptionsSchema } from "../../components/secrets/args";
import { checkDistinctNames } from "../../components/shared/distinct";
import { z } from "../../components/shared/schema";
import { checkVisibility, taskQueueOptionsSchema } from "../../components/taskQueue/args";
import { tracingOptionsSchema } from "../../components/tracing/args";

/** Items of a list whose `name`s must differ. */
export function uniqueNames<T extends z.ZodType<{ name: string }>>(item: T) {
    return z.array(item).superRefine((items, ctx) => checkDistinctNames(items, (it) => it.name, ctx, [], "a name not used by another item"));
}

const secrets = secretsOptionsSchema.shape;

/** `secrets`: Secrets Manager secrets synced into Kubernetes by External Secrets Operator. */
export const secretsSection = z.strictObject({
    recoveryWindowDays: secrets.recoveryWindowDays,
    refreshInterval: secrets.refreshInterval,
    reloader: secrets.reloader,
    entries: uniqueNames(secretEntryOptionsSchema).max(50)
        .prefault([{ name: "llm", keys: ["OPENAI_API_KEY"], description: "LLM provider API keys" }])
        .describe("Secrets the agents read; each value comes from `agent-platform:secretValues.<name>` (a config secret) or `aws secretsmanager put-secret-value`"),
}).prefault({});

const store = contextStoreOptionsSchema.shape;

/** `contextStore`: Redis-protocol store for agent context (ContextStore's options; `evictionPolicy` is its maxmemoryPolicy). */
export const contextStoreSection = z.strictObject({
    mode: store.mode,
    nodeType: store.nodeType,
    replicas: store.replicas,
    multiAz: store.multiAz,
    snapshotRetentionDays: store.snapshotRetentionDays,
    snapshotWindow: store.snapshotWindow,
    maintenanceWindow: store.maintenanceWindow,
    sessionTtlSeconds: store.sessionTtlSeconds,
    storageGiB: store.storageGiB,
    evictionPolicy: store.maxmemoryPolicy,
    applyImmediately: store.applyImmediately,
    logRetentionDays: store.logRetentionDays,
}).superRefine(checkReplicas).prefault({});

const queue = taskQueueOptionsSchema.shape;

/** `queues`: SQS queues for asynchronous jobs, each with a dead-letter queue (TaskQueue options, KEDA settings flattened). */
export const queuesSection = uniqueNames(z.strictObject({
    name: queue.name,
    maxJobDurationSeconds: queue.maxJobDurationSeconds,
    visibilityTimeoutSeconds: queue.visibilityTimeoutSeconds,
    maxReceiveCount: queue.maxReceiveCount,
    retentionDays: queue.retentionDays,
    ...queueScalingFields,
}).superRefine(checkVisibility)).max(20).prefault([{ name: "jobs" }]).describe("Job queues");

/** `tracing`: OpenTelemetry Collector, Tempo and Grafana. */
export const tracingSection = tracingOptionsSchema.omit({ tags: true }).prefault({});

const alerts = alertsOptionsSchema.shape;

/**
 * `alerts`: the stack's one contact point and every alert's threshold (AlertsOptions without the secret
 * URLs, which come from `secretValues.alerting`).
 */
export const alertsSection = z.strictObject({
    contactPoint: alerts.contactPoint,
    email: alerts.email,
    slack: alerts.slack,
    pagerDuty: alerts.pagerDuty,
    slackWebhook: alerts.slackWebhook,
    rules: alerts.rules,
}).superRefine(checkContactPoint).prefault({});
