import { inClusterDependsOnSchema } from "../shared/inCluster";
import { TraceStorage } from "../shared/constants";
import { OBSERVABILITY_NAMESPACE } from "../shared/placement";
import { environmentName, input, int, matching, oneOf, tags, z } from "../shared/schema";
import { DNS_LABEL } from "../shared/names";

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** TracingOptions: what a stack or AgentPlatform sets. */
export const tracingOptionsSchema = z.strictObject({
    storage: oneOf(TraceStorage).default(TraceStorage.S3).describe("Tempo storage: `local` volume (dev) or `s3`"),
    retentionDays: int(1, 365).default(14).describe("Days traces are kept"),
    localStorageGiB: int(1, 1000).default(10).describe("Tempo volume size when storage is local, GiB"),
    grafana: z.boolean().default(true)
        .describe("Install Grafana with Tempo as a data source and the Agents dashboard (reach it with `kubectl -n observability port-forward svc/grafana 3000:80`)"),
    collectorReplicas: int(1, 10).default(2).describe("OpenTelemetry Collector replicas (more than one adds a PodDisruptionBudget)"),
    storageClassName: matching(DNS_SUBDOMAIN, "a StorageClass name (DNS subdomain)").optional()
        .describe("StorageClass of Tempo's volume; default: the cluster's default StorageClass"),
    tags: tags.optional().describe("Tags of the AWS resources (bucket, key, role)"),
});

/** TracingArgs. */
export const tracingArgsSchema = tracingOptionsSchema.extend({
    environment: environmentName,
    clusterName: input<string>(),
    grafanaAdminSecretName: matching(DNS_LABEL, "a Kubernetes Secret name").default("grafana-admin"),
    grafanaAdminSecretKey: matching(/^[-._a-zA-Z0-9]+$/, "a Secret data key ([-._a-zA-Z0-9]+)").default("admin-password"),
    namespace: matching(DNS_LABEL, "a Kubernetes namespace name (DNS label)").default(OBSERVABILITY_NAMESPACE),
    inClusterDependsOn: inClusterDependsOnSchema,
    onSystemNodes: z.boolean().default(true),
});
