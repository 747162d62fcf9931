/**
 * Pure builders of the platform's Prometheus: the chart values (a server with a volume when metrics are
 * `local`; an agent that remote-writes to Amazon Managed Service for Prometheus with SigV4 when they are
 * `amp`), its scrape jobs, and the IAM permissions of AMP's writer (Prometheus) and reader (Grafana).
 */
import { MetricsStorage } from "../shared/constants";
import { serviceHost } from "../shared/names";
import { controllerPlacement } from "../shared/placement";
import { policyDocument, PolicyStatement } from "../podIdentity/spec";
import { KEDA_NAMESPACE } from "../keda/spec";
import { KMS_DATA_KEY_ACTIONS } from "../secrets/spec";
import { SCRAPE_JOBS } from "./metrics";
import { COLLECTOR_SCRAPE_PORTS, RESTRICTED_CONTAINER, TRACING_RELEASES } from "./values";

/** Service (and service account) name of the Prometheus server; its Pod Identity association names it. */
export const PROMETHEUS_SERVER = "prometheus-server";
/** Service port of the Prometheus server. */
export const PROMETHEUS_SERVICE_PORT = 80;
/** How often Prometheus scrapes: twice a minute, matching the rules' rate windows of minutes. */
export const SCRAPE_INTERVAL = "30s";
/** Uid of the provisioned Prometheus (or AMP) data source; the alert rules query it. */
export const PROMETHEUS_DATASOURCE_UID = "prometheus";

/** In-cluster URL of the Prometheus server (what Grafana queries when metrics are local). */
export function prometheusUrl(namespace: string): string {
    return `http://${serviceHost(PROMETHEUS_SERVER, namespace)}:${PROMETHEUS_SERVICE_PORT}`;
}

/** AMP's remote-write URL of a workspace (its `prometheusEndpoint` ends in a slash). */
export function ampRemoteWriteUrl(prometheusEndpoint: string): string {
    return `${prometheusEndpoint.replace(/\/+$/, "")}/api/v1/remote_write`;
}

/** Keeps the pods whose label `label` has `value`, on the named container ports, and names each target's pod. */
function podTargets(label: string, value: string, ports: string[]) {
    const meta = "__meta_kubernetes_pod";
    return [
        { source_labels: [`${meta}_label_${label.replace(/[^a-zA-Z0-9_]/g, "_")}`], action: "keep", regex: value },
        { source_labels: [`${meta}_container_port_name`], action: "keep", regex: ports.join("|") },
        { source_labels: [`${meta}_phase`], action: "drop", regex: "Pending|Succeeded|Failed|Completed" },
        { source_labels: [`${meta}_name`], action: "replace", target_label: "pod" },
    ];
}

/**
 * The scrape jobs: the collector's pods (span metrics and its own telemetry) and the KEDA operator
 * (the queue depth its scalers read). Pod discovery, one target per pod and port, so every replica of
 * the collector is scraped (a Service would answer from one pod at a time).
 */
export function scrapeJobs(namespace: string) {
    return {
        [SCRAPE_JOBS.collector]: {
            kubernetes_sd_configs: [{ role: "pod", namespaces: { names: [namespace] } }],
            relabel_configs: podTargets("app.kubernetes.io/instance", TRACING_RELEASES.collector, [COLLECTOR_SCRAPE_PORTS.telemetry, COLLECTOR_SCRAPE_PORTS.spanMetrics]),
        },
        [SCRAPE_JOBS.keda]: {
            kubernetes_sd_configs: [{ role: "pod", namespaces: { names: [KEDA_NAMESPACE] } }],
            relabel_configs: podTargets("app.kubernetes.io/name", "keda-operator", ["metrics"]),
        },
    };
}

/** The chart's default scrape jobs, all off: this Prometheus collects only what the alerts read. */
export const CHART_SCRAPE_JOBS = [
    "prometheus", "kubernetes-api-servers", "kubernetes-nodes", "kubernetes-nodes-cadvisor", "kubernetes-service-endpoints",
    "kubernetes-service-endpoints-slow", "prometheus-pushgateway", "kubernetes-services", "kubernetes-pods", "kubernetes-pods-slow",
] as const;

/** What the Prometheus values depend on. */
export interface PrometheusValuesInput {
    /** Namespace of the collector (and of Prometheus). */
    namespace: string;
    storage: string;
    /** Days a local server keeps samples. */
    retentionDays: number;
    /** Volume of a local server, GiB. */
    storageGiB: number;
    storageClassName?: string;
    /** AMP: the workspace's remote-write URL and region (storage `amp`). */
    remoteWrite?: { url: string; region: string };
    /** Pin the server to AgentCluster's system nodes (default true; false on a cluster without them). */
    onSystemNodes?: boolean;
}

/**
 * Values of the `prometheus` chart: only the server, on the system nodes, restricted, scraping the jobs
 * above. `local`: a server with a volume and a retention that Grafana queries. `amp`: an agent
 * (`--agent`: scrape and forward, no local queries, rules or TSDB) that remote-writes to the workspace,
 * signing with SigV4 from its Pod Identity credentials; its write-ahead log lives on an emptyDir.
 */
export function prometheusValues(input: PrometheusValuesInput) {
    const agent = input.storage === MetricsStorage.Amp;
    if (agent && !input.remoteWrite) throw new Error("metrics storage amp needs the workspace's remote-write URL");
    const p = controllerPlacement(input.onSystemNodes);
    const dataPath = "/data";
    return {
        alertmanager: { enabled: false },
        "kube-state-metrics": { enabled: false },
        "prometheus-node-exporter": { enabled: false },
        "prometheus-pushgateway": { enabled: false },
        serviceAccounts: { server: { create: true, name: PROMETHEUS_SERVER } },
        configmapReload: {
            prometheus: {
                containerSecurityContext: RESTRICTED_CONTAINER,
                resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } },
            },
        },
        server: {
            fullnameOverride: PROMETHEUS_SERVER,
            global: { scrape_interval: SCRAPE_INTERVAL, scrape_timeout: "10s", evaluation_interval: "1m" },
            ...(agent
                ? {
                    // Agent mode keeps a write-ahead log only; rule files and retention do not apply.
                    defaultFlagsOverride: ["--agent", "--config.file=/etc/config/prometheus.yml", `--storage.agent.path=${dataPath}`, "--web.enable-lifecycle"],
                    remoteWrite: [{
                        url: input.remoteWrite!.url,
                        sigv4: { region: input.remoteWrite!.region },
                        queue_config: { max_samples_per_send: 1000, max_shards: 10, capacity: 2500 },
                    }],
                    persistentVolume: { enabled: false },
                    emptyDir: { sizeLimit: "2Gi" },
                }
                : {
                    retention: `${input.retentionDays}d`,
                    persistentVolume: {
                        enabled: true,
                        size: `${input.storageGiB}Gi`,
                        mountPath: dataPath,
                        ...(input.storageClassName ? { storageClass: input.storageClassName } : {}),
                    },
                }),
            service: { type: "ClusterIP", servicePort: PROMETHEUS_SERVICE_PORT },
            containerSecurityContext: RESTRICTED_CONTAINER,
            resources: { requests: { cpu: "100m", memory: agent ? "256Mi" : "512Mi" }, limits: { memory: agent ? "512Mi" : "1Gi" } },
            nodeSelector: p.nodeSelector,
            tolerations: p.tolerations,
        },
        scrapeConfigs: {
            ...Object.fromEntries(CHART_SCRAPE_JOBS.map((job) => [job, { enabled: false }])),
            ...scrapeJobs(input.namespace),
        },
        // The chart lists four rule files; an agent refuses any, and a local server has none either
        // (the alert rules are Grafana's).
        serverFiles: { "prometheus.yml": { rule_files: [] } },
    };
}

/** The AMP API actions of Prometheus: write samples, nothing else. */
export const AMP_WRITE_ACTIONS = ["aps:RemoteWrite"] as const;
/** The AMP API actions Grafana's data source uses to query. */
export const AMP_QUERY_ACTIONS = ["aps:QueryMetrics", "aps:GetSeries", "aps:GetLabels", "aps:GetMetricMetadata"] as const;

/** Permissions of Prometheus's Pod Identity role: remote-write into one workspace. */
export function ampWriterPolicy(workspaceArn: string) {
    return policyDocument([{ Sid: "RemoteWriteSpanMetrics", Effect: "Allow", Action: [...AMP_WRITE_ACTIONS], Resource: workspaceArn }]);
}

/** What Grafana's AWS permissions cover: the workspace it queries and the topic it notifies (with its key). */
export interface GrafanaAwsAccess {
    workspaceArn?: string;
    topicArn?: string;
    topicKeyArn?: string;
}

/** SNS actions of a publisher to an SSE-KMS topic (and KMS_DATA_KEY_ACTIONS on the topic's key). */
export const SNS_PUBLISH_ACTIONS = ["sns:Publish"] as const;

/** Permissions of Grafana's Pod Identity role: query the workspace, publish alerts to the topic. Nothing when it needs no AWS access. */
export function grafanaAwsStatements(access: GrafanaAwsAccess): PolicyStatement[] {
    const statements: PolicyStatement[] = [];
    if (access.workspaceArn) statements.push({ Sid: "QuerySpanMetrics", Effect: "Allow", Action: [...AMP_QUERY_ACTIONS], Resource: access.workspaceArn });
    if (access.topicArn) statements.push({ Sid: "PublishAlerts", Effect: "Allow", Action: [...SNS_PUBLISH_ACTIONS], Resource: access.topicArn });
    if (access.topicArn && access.topicKeyArn) statements.push({ Sid: "EncryptAlerts", Effect: "Allow", Action: [...KMS_DATA_KEY_ACTIONS], Resource: access.topicKeyArn });
    return statements;
}
