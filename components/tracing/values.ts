/**
 * Pure builders of the tracing stack: Helm values of Tempo and the OpenTelemetry Collector, the
 * in-cluster endpoints, the trace bucket's and its access-log bucket's lifecycle and policies, and
 * Tempo's IAM permissions (Grafana's values: grafana.ts; Prometheus': prometheus.ts). The Tracing
 * component only wires these into resources; tests call them directly.
 */
import { TraceStorage } from "../shared/constants";
import { serviceHost } from "../shared/names";
import { controllerPlacement } from "../shared/placement";
import { OTEL_COLLECTOR_IMAGE } from "../shared/versions";
import { denyInsecureTransport, policyDocument, PolicyStatement } from "../podIdentity/spec";
import { KMS_DATA_KEY_ACTIONS } from "../secrets/spec";
import { METRICS_PIPELINE, metricsConnectors, SPAN_METRICS_PORT } from "./metrics";

/** Helm release names; the charts' `fullnameOverride` makes them the Service names too. */
export const TRACING_RELEASES = { tempo: "tempo", collector: "otel-collector", grafana: "grafana", prometheus: "prometheus" } as const;

/** Kubernetes service account Tempo runs as (the Pod Identity association is made for it). */
export const TEMPO_SERVICE_ACCOUNT = "tempo";

/** Size of Tempo's volume in S3 mode: it only holds the live-store WAL, blocks go to S3. */
export const TEMPO_WAL_VOLUME_GIB = 10;

/** Tempo's ports: HTTP API (queries), OTLP gRPC and OTLP HTTP receivers. */
export const TEMPO_PORTS = { http: 3200, otlpGrpc: 4317, otlpHttp: 4318 } as const;

/** The collector's ports: OTLP (the endpoint agents send to), health, its own telemetry, the span metrics. */
export const COLLECTOR_PORTS = { otlpGrpc: 4317, otlpHttp: 4318, health: 13133, metrics: 8888, spanMetrics: SPAN_METRICS_PORT } as const;

/** Names of the collector's container ports Prometheus scrapes (the chart names a port after its key). */
export const COLLECTOR_SCRAPE_PORTS = { telemetry: "metrics", spanMetrics: "span-metrics" } as const;

/** Grafana's Service port and the local port the documented port-forward uses. */
export const GRAFANA_PORTS = { service: 80, local: 3000 } as const;

/** Uid of the provisioned Tempo data source (the dashboard's panels refer to it). */
export const TEMPO_DATASOURCE_UID = "tempo";

/** Name of the collector's exporter to Tempo (`otlp_grpc` is the OTLP gRPC exporter's name since collector v0.144; `otlp` is its deprecated alias). */
export const COLLECTOR_TEMPO_EXPORTER = "otlp_grpc/tempo";

/** The collector's trace processors, in pipeline order: shed load first, enrich, label, batch last. */
export const COLLECTOR_TRACE_PROCESSORS = ["memory_limiter", "k8s_attributes", "resource/platform", "batch"] as const;

/** Where the traces pipeline sends spans: Tempo, and the two connectors that derive metrics from them. */
export const COLLECTOR_TRACE_EXPORTERS = [COLLECTOR_TEMPO_EXPORTER, METRICS_PIPELINE.spanmetrics, METRICS_PIPELINE.signaltometrics] as const;

/** The in-cluster URLs the Tracing component exposes. */
export function tracingEndpoints(namespace: string) {
    const collector = serviceHost(TRACING_RELEASES.collector, namespace);
    const tempo = serviceHost(TRACING_RELEASES.tempo, namespace);
    return {
        /** What agents set as OTEL_EXPORTER_OTLP_ENDPOINT (OTLP/HTTP; the SDK appends /v1/traces). */
        otlpHttp: `http://${collector}:${COLLECTOR_PORTS.otlpHttp}`,
        /** OTLP/gRPC endpoint of the collector. */
        otlpGrpc: `http://${collector}:${COLLECTOR_PORTS.otlpGrpc}`,
        /** Tempo's query API (what Grafana's data source points to). */
        tempoQuery: `http://${tempo}:${TEMPO_PORTS.http}`,
        /** Where the collector exports to (gRPC, host:port). */
        tempoOtlpGrpc: `${tempo}:${TEMPO_PORTS.otlpGrpc}`,
    };
}

/** The documented way to reach Grafana, which has no Ingress or LoadBalancer on purpose. */
export function grafanaPortForwardCommand(namespace: string): string {
    return `kubectl -n ${namespace} port-forward svc/${TRACING_RELEASES.grafana} ${GRAFANA_PORTS.local}:${GRAFANA_PORTS.service}`;
}

/** Tempo's block retention (a Go duration) for a retention in days. */
export function tempoRetention(retentionDays: number): string {
    return `${retentionDays * 24}h`;
}

/**
 * Days after which S3 expires trace objects: the configured retention plus one day. Tempo deletes
 * whole blocks at the retention itself; the lifecycle rule is the backstop for anything it missed
 * (a crashed compaction, an orphaned block), and the extra day keeps S3 from deleting parts of a block
 * Tempo is still allowed to read.
 */
export function bucketExpirationDays(retentionDays: number): number {
    return retentionDays + 1;
}

/** Lifecycle rule of both tracing buckets: clean up multipart uploads left incomplete for a day. */
const ABORT_INCOMPLETE_UPLOADS_RULE = { id: "abort-incomplete-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } };

/** Lifecycle rules of the trace bucket (expiry matching the retention, and cleanup of aborted uploads). */
export function traceBucketLifecycleRules(retentionDays: number) {
    return [
        { id: "expire-traces", status: "Enabled", filter: {}, expiration: { days: bucketExpirationDays(retentionDays) } },
        ABORT_INCOMPLETE_UPLOADS_RULE,
    ];
}

/** S3 actions Tempo needs on its bucket (the minimal set of Tempo's "Amazon S3 permissions" page). */
export const TEMPO_BUCKET_ACTIONS = ["s3:ListBucket"] as const;
/** S3 actions Tempo needs on the objects of its bucket. */
export const TEMPO_OBJECT_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetObjectTagging", "s3:PutObjectTagging"] as const;

/** Permissions of Tempo's Pod Identity role: its bucket, its objects and the bucket's key, nothing else. */
export function tempoStoragePolicy(bucketArn: string, kmsKeyArn: string) {
    const statements: PolicyStatement[] = [
        { Sid: "ListTraceBucket", Effect: "Allow", Action: [...TEMPO_BUCKET_ACTIONS], Resource: bucketArn },
        { Sid: "ReadWriteTraceBlocks", Effect: "Allow", Action: [...TEMPO_OBJECT_ACTIONS], Resource: `${bucketArn}/*` },
        { Sid: "UseTraceBucketKey", Effect: "Allow", Action: [...KMS_DATA_KEY_ACTIONS], Resource: kmsKeyArn },
    ];
    return policyDocument(statements);
}

/** The statement that refuses every request to a bucket and its objects that does not use TLS. */
function denyInsecureBucketTransport(bucketArn: string): PolicyStatement {
    return denyInsecureTransport("s3:*", [bucketArn, `${bucketArn}/*`]);
}

/** Bucket policy of the trace bucket: refuse every request that does not use TLS. */
export function traceBucketTlsPolicy(bucketArn: string) {
    return policyDocument([denyInsecureBucketTransport(bucketArn)]);
}

/**
 * Suffix of the access-log bucket's resource names. The policy pack recognises a server access log
 * destination by it: S3 delivers server access logs only to a bucket whose default encryption is
 * SSE-S3 (AES256), never SSE-KMS, so `s3-sse-kms` requires AES256 there instead (policy/s3.ts).
 */
export const ACCESS_LOG_SUFFIX = "-access-logs";

/** Prefix of the trace bucket's log objects in the access-log bucket. */
export const ACCESS_LOG_PREFIX = "traces/";

/**
 * Bucket policy of the access-log bucket: the S3 logging service may write log objects, only on behalf
 * of the trace bucket and this account (no confused deputy); nothing without TLS.
 */
export function accessLogBucketPolicy(logBucketArn: string, sourceBucketArn: string, accountId: string) {
    return policyDocument([
        {
            Sid: "S3ServerAccessLogDelivery",
            Effect: "Allow",
            Principal: { Service: "logging.s3.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: `${logBucketArn}/${ACCESS_LOG_PREFIX}*`,
            Condition: { ArnLike: { "aws:SourceArn": sourceBucketArn }, StringEquals: { "aws:SourceAccount": accountId } },
        },
        denyInsecureBucketTransport(logBucketArn),
    ]);
}

/** Lifecycle rules of the access-log bucket: logs expire after their retention. */
export function accessLogLifecycleRules(retentionDays: number) {
    return [
        { id: "expire-access-logs", status: "Enabled", filter: {}, expiration: { days: retentionDays } },
        ABORT_INCOMPLETE_UPLOADS_RULE,
    ];
}

/** Restricted container security context (Pod Security "restricted"). */
export const RESTRICTED_CONTAINER = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};

/** What the Tempo values depend on. */
export interface TempoValuesInput {
    /** Pin the pods to AgentCluster's system nodes (default true; false on a cluster without them). */
    onSystemNodes?: boolean;
    storage: string;
    retentionDays: number;
    localStorageGiB: number;
    /** Bucket and region, when storage is s3. */
    bucket?: string;
    region?: string;
    storageClassName?: string;
}

/**
 * Values of the `tempo` chart (grafana-community, chart 3.x = Tempo 3 in monolithic mode: one
 * StatefulSet running every component in-process, no Kafka). Local storage keeps blocks on the pod's
 * volume; S3 keeps them in the bucket (credentials from Pod Identity, so no keys in the config) and
 * the volume only holds the live-store WAL. Only the OTLP receivers are enabled.
 */
export function tempoValues(input: TempoValuesInput) {
    const s3 = input.storage === TraceStorage.S3;
    const trace = s3
        ? { backend: "s3", s3: { bucket: input.bucket, endpoint: `s3.${input.region}.amazonaws.com`, region: input.region }, wal: { path: "/var/tempo/wal" } }
        : { backend: "local", local: { path: "/var/tempo/traces" }, wal: { path: "/var/tempo/wal" } };
    return {
        fullnameOverride: TRACING_RELEASES.tempo,
        replicas: 1,
        tempo: {
            retention: tempoRetention(input.retentionDays),
            reportingEnabled: false,
            // Lets Grafana stream search and TraceQL metrics results over HTTP.
            streamOverHttpEnabled: true,
            // TraceQL metrics (the dashboard's panels) are served by the live-store and the blocks in
            // Tempo 3; the metrics-generator only writes Prometheus series, which this stack does not use.
            metricsGenerator: { enabled: false },
            storage: { trace },
            receivers: {
                jaeger: null,
                otlp: { protocols: { grpc: { endpoint: `0.0.0.0:${TEMPO_PORTS.otlpGrpc}` }, http: { endpoint: `0.0.0.0:${TEMPO_PORTS.otlpHttp}` } } },
            },
            resources: { requests: { cpu: "250m", memory: "1Gi" }, limits: { memory: "2Gi" } },
            securityContext: RESTRICTED_CONTAINER,
        },
        serviceAccount: { create: true, name: TEMPO_SERVICE_ACCOUNT },
        persistence: {
            enabled: true,
            size: `${s3 ? TEMPO_WAL_VOLUME_GIB : input.localStorageGiB}Gi`,
            accessModes: ["ReadWriteOnce"],
            ...(input.storageClassName ? { storageClassName: input.storageClassName } : {}),
        },
        ...controllerPlacement(input.onSystemNodes),
    };
}

/** What the collector values depend on. */
export interface CollectorValuesInput {
    /** Pin the pods to AgentCluster's system nodes (default true; false on a cluster without them). */
    onSystemNodes?: boolean;
    namespace: string;
    replicas: number;
    clusterName: string;
    environment: string;
}

/**
 * Values of the `opentelemetry-collector` chart in deployment mode: the contrib image (it has the
 * `signaltometrics` connector and the `prometheus` exporter), the `kubernetesAttributes` preset (which
 * also creates the ClusterRole the processor needs to read pods, namespaces and replica sets, and
 * derives `service.instance.id` per pod, so every pod's metrics stay a series of their own), and two
 * pipelines: traces OTLP → memory_limiter → k8s_attributes → resource → batch → Tempo and the two
 * connectors; metrics (from the connectors) → memory_limiter → deltatocumulative → batch → the
 * `prometheus` exporter Prometheus scrapes. The pipelines are given as `alternateConfig`, which replaces
 * the chart's default pipelines (jaeger, zipkin, prometheus, logs, metrics) instead of null-ing them.
 */
export function collectorValues(input: CollectorValuesInput) {
    const endpoints = tracingEndpoints(input.namespace);
    const podIp = "${env:MY_POD_IP}";
    return {
        mode: "deployment",
        fullnameOverride: TRACING_RELEASES.collector,
        replicaCount: input.replicas,
        image: { repository: OTEL_COLLECTOR_IMAGE.repository },
        command: { name: OTEL_COLLECTOR_IMAGE.command },
        presets: { kubernetesAttributes: { enabled: true } },
        ports: {
            "otlp": { enabled: true },
            "otlp-http": { enabled: true },
            [COLLECTOR_SCRAPE_PORTS.telemetry]: { enabled: true },
            [COLLECTOR_SCRAPE_PORTS.spanMetrics]: { enabled: true, containerPort: COLLECTOR_PORTS.spanMetrics, servicePort: COLLECTOR_PORTS.spanMetrics, protocol: "TCP" },
            "jaeger-compact": { enabled: false },
            "jaeger-thrift": { enabled: false },
            "jaeger-grpc": { enabled: false },
            "zipkin": { enabled: false },
        },
        alternateConfig: {
            extensions: { health_check: { endpoint: `${podIp}:${COLLECTOR_PORTS.health}` } },
            receivers: {
                otlp: { protocols: { grpc: { endpoint: `${podIp}:${COLLECTOR_PORTS.otlpGrpc}` }, http: { endpoint: `${podIp}:${COLLECTOR_PORTS.otlpHttp}` } } },
            },
            connectors: metricsConnectors(),
            processors: {
                // Refuse data before the pod is OOM-killed; the percentages are of the container limit.
                memory_limiter: { check_interval: "1s", limit_percentage: 80, spike_limit_percentage: 25 },
                // Completed by the kubernetesAttributes preset (pod association, extracted metadata).
                k8s_attributes: {},
                "resource/platform": {
                    attributes: [
                        { key: "k8s.cluster.name", value: input.clusterName, action: "upsert" },
                        { key: "deployment.environment.name", value: input.environment, action: "insert" },
                    ],
                },
                batch: { send_batch_size: 8192, send_batch_max_size: 16384, timeout: "5s" },
                // signaltometrics emits deltas; Prometheus needs cumulative series.
                [METRICS_PIPELINE.deltaToCumulative]: {},
            },
            exporters: {
                [COLLECTOR_TEMPO_EXPORTER]: {
                    endpoint: endpoints.tempoOtlpGrpc,
                    // In-cluster hop to Tempo; agents → collector and collector → Tempo stay inside the VPC.
                    tls: { insecure: true },
                    sending_queue: { enabled: true, queue_size: 5000 },
                    retry_on_failure: { enabled: true, max_elapsed_time: "300s" },
                },
                [METRICS_PIPELINE.exporter]: {
                    endpoint: `${podIp}:${COLLECTOR_PORTS.spanMetrics}`,
                    // Classic names (`traces_span_metrics_calls_total`), whatever escaping a scraper asks for.
                    translation_strategy: "UnderscoreEscapingWithSuffixes",
                },
            },
            service: {
                extensions: ["health_check"],
                telemetry: { metrics: { readers: [{ pull: { exporter: { prometheus: { host: podIp, port: COLLECTOR_PORTS.metrics } } } }] } },
                pipelines: {
                    traces: { receivers: ["otlp"], processors: [...COLLECTOR_TRACE_PROCESSORS], exporters: [...COLLECTOR_TRACE_EXPORTERS] },
                    [METRICS_PIPELINE.pipeline]: {
                        receivers: [METRICS_PIPELINE.spanmetrics, METRICS_PIPELINE.signaltometrics],
                        processors: ["memory_limiter", METRICS_PIPELINE.deltaToCumulative, "batch"],
                        exporters: [METRICS_PIPELINE.exporter],
                    },
                },
            },
        },
        resources: { requests: { cpu: "200m", memory: "256Mi" }, limits: { memory: "1Gi" } },
        securityContext: RESTRICTED_CONTAINER,
        podDisruptionBudget: input.replicas > 1 ? { enabled: true, minAvailable: 1 } : { enabled: false },
        ...controllerPlacement(input.onSystemNodes),
    };
}
