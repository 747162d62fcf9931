import { alertRulesSchema } from "../alerts/args";
import { inClusterDependsOnSchema } from "../shared/inCluster";
import { MetricsStorage, TraceStorage } from "../shared/constants";
import { OBSERVABILITY_NAMESPACE } from "../shared/placement";
import { environmentName, input, int, matching, oneOf, tags, z } from "../shared/schema";
import { DNS_LABEL, SECRET_KEY } from "../shared/names";

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** A Kubernetes Secret's name and one of its data keys, as the tracing arguments take them. */
const secretName = matching(DNS_LABEL, "a Kubernetes Secret name");
const secretKey = matching(SECRET_KEY, "a Secret data key ([-._a-zA-Z0-9]+)");

/** TracingOptions: what a stack or AgentPlatform sets. */
export const tracingOptionsSchema = z.strictObject({
    storage: oneOf(TraceStorage).default(TraceStorage.S3).describe("Tempo storage: `local` volume (dev) or `s3`"),
    retentionDays: int(1, 365).default(14).describe("Days traces are kept"),
    localStorageGiB: int(1, 1000).default(10).describe("Tempo volume size when storage is local, GiB"),
    accessLogRetentionDays: int(1, 3650).default(90).describe("Days the trace bucket's S3 server access logs are kept (storage s3)"),
    grafana: z.boolean().default(true)
        .describe("Install Grafana with Tempo and Prometheus as data sources, the Agents dashboard and the alert rules (reach it with `kubectl -n observability port-forward svc/grafana 3000:80`)"),
    collectorReplicas: int(1, 10).default(2).describe("OpenTelemetry Collector replicas (more than one adds a PodDisruptionBudget)"),
    metrics: oneOf(MetricsStorage).default(MetricsStorage.Amp)
        .describe("Span metrics: `local` (a Prometheus server with a volume) or `amp` (Amazon Managed Service for Prometheus, remote-written with SigV4)"),
    metricsRetentionDays: int(1, 90).default(15).describe("Days the local Prometheus keeps samples (metrics local)"),
    metricsStorageGiB: int(1, 1000).default(8).describe("Volume of the local Prometheus, GiB (metrics local)"),
    storageClassName: matching(DNS_SUBDOMAIN, "a StorageClass name (DNS subdomain)").optional()
        .describe("StorageClass of Tempo's and Prometheus' volumes; default: the cluster's default StorageClass"),
    tags: tags.optional().describe("Tags of the AWS resources (buckets, keys, roles, workspace)"),
});

/** WatchedQueueArgs. */
export const watchedQueueSchema = z.strictObject({
    name: input<string>(),
    maxJobDurationSeconds: int(1, 43199),
});

/** A Kubernetes Secret key (SecretKeyRefArgs). */
export const secretKeyRefSchema = z.strictObject({
    name: secretName,
    key: secretKey,
});

/** TracingAlertingArgs. */
export const tracingAlertingSchema = z.strictObject({
    rules: alertRulesSchema.prefault({}),
    snsTopicArn: input<string>().optional(),
    snsTopicKeyArn: input<string>().optional(),
    slackWebhookSecret: secretKeyRefSchema.optional(),
    queues: z.array(watchedQueueSchema).max(20).default([]),
}).superRefine((a, ctx) => {
    if (a.snsTopicArn !== undefined && a.slackWebhookSecret !== undefined) {
        ctx.addIssue({ code: "custom", path: ["slackWebhookSecret"], message: "nothing when snsTopicArn is given (one contact point)" });
    }
});

/** TracingArgs. */
export const tracingArgsSchema = tracingOptionsSchema.extend({
    environment: environmentName,
    clusterName: input<string>(),
    grafanaAdminSecretName: secretName.default("grafana-admin"),
    grafanaAdminSecretKey: secretKey.default("admin-password"),
    namespace: matching(DNS_LABEL, "a Kubernetes namespace name (DNS label)").default(OBSERVABILITY_NAMESPACE),
    inClusterDependsOn: inClusterDependsOnSchema,
    onSystemNodes: z.boolean().default(true),
    alerting: tracingAlertingSchema.prefault({}),
});
