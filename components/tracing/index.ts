import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AlertRulesOptions } from "../alerts";
import { WatchedQueue } from "../alerts/rules";
import { grafanaAlerting } from "../alerts/grafana";
import { MetricsStorage, TraceStorage } from "../shared/constants";
import { dependsOnFor, InClusterDependencies } from "../shared/inCluster";
import { agentsDashboardJson } from "./dashboards";
import { PodIdentityRole } from "../podIdentity";
import { policyDocument } from "../podIdentity/spec";
import { GRAFANA_SERVICE_ACCOUNT, grafanaValues, MetricsDataSourceInput } from "./grafana";
import { ampRemoteWriteUrl, ampWriterPolicy, grafanaAwsStatements, PROMETHEUS_DATASOURCE_UID, PROMETHEUS_SERVER, prometheusUrl, prometheusValues } from "./prometheus";
import { createTraceBucket } from "./traceBucket";
import { collectorValues, grafanaPortForwardCommand, TEMPO_SERVICE_ACCOUNT, tempoStoragePolicy, tempoValues, TRACING_RELEASES, tracingEndpoints } from "./values";
import { parseArgs } from "../shared/schema";
import { GRAFANA_CHART, OTEL_COLLECTOR_CHART, PROMETHEUS_CHART, TEMPO_CHART } from "../shared/versions";
import { tracingArgsSchema } from "./args";

/** Tracing settings that do not depend on the cluster (what AgentPlatform takes). */
export interface TracingOptions {
    /** Where Tempo keeps trace blocks: "local" (a PersistentVolumeClaim, dev) or "s3" (TraceStorage). Default: "s3". */
    storage?: string;
    /** Days traces are kept (Tempo's block retention; the S3 lifecycle expires objects a day later). Default: 14. */
    retentionDays?: number;
    /** Size of Tempo's volume when storage is "local", GiB. Default: 10. */
    localStorageGiB?: number;
    /** Days the trace bucket's S3 server access logs are kept, when storage is "s3" (1–3650). Default: 90. */
    accessLogRetentionDays?: number;
    /** Install Grafana with Tempo and Prometheus as data sources, the Agents dashboard and the alert rules. Default: true. */
    grafana?: boolean;
    /** Replicas of the OpenTelemetry Collector (a PodDisruptionBudget keeps one up when more than one). Default: 2. */
    collectorReplicas?: number;
    /**
     * Where the span metrics go: "local" (a Prometheus server with a volume in the cluster; dev, or a
     * cluster outside AWS) or "amp" (an Amazon Managed Service for Prometheus workspace, remote-written
     * by a Prometheus agent with SigV4) — MetricsStorage. Default: "amp".
     */
    metrics?: string;
    /** Days the local Prometheus keeps samples, when metrics is "local" (1–90). Default: 15. */
    metricsRetentionDays?: number;
    /** Size of the local Prometheus' volume, GiB, when metrics is "local" (1–1000). Default: 8. */
    metricsStorageGiB?: number;
    /** StorageClass of Tempo's and Prometheus' volumes. Default: the cluster's default StorageClass. */
    storageClassName?: string;
    /** Tags of the AWS resources (buckets, keys, roles, workspace). Default: none. */
    tags?: Record<string, string>;
}

/** A job queue the "queue not consumed" rule watches. */
export interface WatchedQueueArgs {
    /** SQS name of the queue. Required. */
    name: pulumi.Input<string>;
    /** Longest a job may run, seconds (1–43199): a finished job is expected within it. Required. */
    maxJobDurationSeconds: number;
}

/** A key of a Kubernetes Secret. */
export interface SecretKeyRefArgs {
    /** Name of the Secret (in the tracing namespace). Required. */
    name: string;
    /** Data key. Required. */
    key: string;
}

/** Grafana's alerting: rule thresholds, the contact point, the queues watched. */
export interface TracingAlertingArgs {
    /** Threshold and `for` of the alerts (Grafana uses its rules'; CloudWatch alarms are the Alerts component's). Default: each alert's own. */
    rules?: AlertRulesOptions;
    /** SNS topic Grafana publishes alerts to (the "sns" contact point). Default: none. */
    snsTopicArn?: pulumi.Input<string>;
    /** KMS key of that topic, which Grafana's role may use to publish. Default: none. */
    snsTopicKeyArn?: pulumi.Input<string>;
    /** Secret key holding a Slack incoming-webhook URL Grafana posts alerts to (the "grafana" contact point). Default: none. */
    slackWebhookSecret?: SecretKeyRefArgs;
    /** Job queues the "queue not consumed" rule watches. Default: none. */
    queues?: WatchedQueueArgs[];
}

export interface TracingArgs extends TracingOptions {
    /** Environment name (dev, staging, prod, ...): resource names, tags and the `deployment.environment.name` the collector adds when a span lacks it. Required. */
    environment: string;
    /** EKS cluster the Pod Identity associations belong to; also stamped on spans as `k8s.cluster.name`. Required. */
    clusterName: pulumi.Input<string>;
    /** Kubernetes Secret (in `namespace`) holding Grafana's admin password, created by External Secrets Operator. Default: "grafana-admin". */
    grafanaAdminSecretName?: string;
    /** Key of the admin password in that Secret. Default: "admin-password". */
    grafanaAdminSecretKey?: string;
    /** Namespace of the collector, Tempo, Prometheus and Grafana; it must exist (AgentPlatform creates it). Default: "observability". */
    namespace?: string;
    /** Grafana's alert rules and contact point. Default: every rule with its default threshold, no contact point. */
    alerting?: TracingAlertingArgs;
    /**
     * What the releases wait for: `namespaces` (the namespace above), `pods` (the nodes they run on, the
     * storage of a local volume), `secrets` (Grafana's admin password Secret; Grafana only). Default: none.
     */
    inClusterDependsOn?: InClusterDependencies;
    /** Pin the collector, Tempo, Prometheus and Grafana to AgentCluster's system nodes (false on a cluster without them). Default: true. */
    onSystemNodes?: boolean;
}

/** Validates TracingArgs and applies their defaults; throws `InputPropertiesError` naming each bad argument. */
export function parseTracingArgs(args: TracingArgs) {
    return parseArgs("Tracing", tracingArgsSchema, args);
}

type ParsedTracingArgs = ReturnType<typeof parseTracingArgs>;

/** Environment variable through which Grafana reads the Slack webhook URL. */
export const SLACK_WEBHOOK_ENV = "ALERTING_SLACK_WEBHOOK_URL";

/**
 * Distributed tracing and the metrics beside it: an OpenTelemetry Collector (the one OTLP endpoint
 * agents send to) that also derives metrics from the spans, Grafana Tempo in monolithic mode (a local
 * volume in dev; an encrypted, lifecycle-managed S3 bucket with access logs, reached through a Pod
 * Identity role elsewhere), Prometheus (a server with a volume, or an agent that remote-writes to an
 * Amazon Managed Service for Prometheus workspace) and Grafana with Tempo and Prometheus provisioned
 * as data sources, the "Agents" dashboard and the alert rules. Nothing is exposed outside the cluster.
 */
export class Tracing extends pulumi.ComponentResource {
    /** OTLP/gRPC endpoint of the collector (in-cluster URL). */
    public readonly otlpGrpcEndpoint: pulumi.Output<string>;
    /** OTLP/HTTP endpoint of the collector: what agents get as OTEL_EXPORTER_OTLP_ENDPOINT. */
    public readonly otlpHttpEndpoint: pulumi.Output<string>;
    /** Tempo's query API (in-cluster URL). */
    public readonly tempoQueryUrl: pulumi.Output<string>;
    /** Where the span metrics are queried: the in-cluster Prometheus, or the AMP workspace's endpoint. */
    public readonly metricsQueryUrl: pulumi.Output<string>;
    /** ARN of the AMP workspace (undefined output when metrics are local). */
    public readonly metricsWorkspaceArn: pulumi.Output<string | undefined>;
    /** The command that makes Grafana reachable on http://localhost:3000 (undefined output without Grafana). */
    public readonly grafanaPortForwardCommand: pulumi.Output<string | undefined>;
    /** Namespace of the tracing stack. */
    public readonly namespace: pulumi.Output<string>;
    /** Trace bucket (undefined output when storage is local). */
    public readonly bucketName: pulumi.Output<string | undefined>;
    /** Bucket of the trace bucket's server access logs (undefined output when storage is local). */
    public readonly accessLogBucketName: pulumi.Output<string | undefined>;

    constructor(name: string, args: TracingArgs, opts?: pulumi.ComponentResourceOptions) {
        const a = parseTracingArgs(args); // before super: invalid arguments register nothing
        super("agent-platform:index:Tracing", name, {}, opts);
        const parent = { parent: this };
        const { namespace, storage, retentionDays, grafana } = a;
        const tags = { ...a.tags, "agent-platform:component": "tracing" };
        const endpoints = tracingEndpoints(namespace);
        // The region only where an AWS service is used (S3, AMP, SNS): on a cluster without AWS, no AWS call at all.
        let regionOutput: pulumi.Output<string> | undefined;
        const region = () => (regionOutput ??= aws.getRegionOutput({}, parent).region);
        const inCluster = (own: pulumi.Resource[], kinds: (keyof InClusterDependencies)[] = ["namespaces", "pods"]) =>
            ({ parent: this, dependsOn: dependsOnFor(a.inClusterDependsOn, kinds, own) });
        const podRole = (suffix: string, serviceAccount: string, policy: pulumi.Input<string>) =>
            new PodIdentityRole(`${name}-${suffix}`, { clusterName: a.clusterName, namespace, serviceAccount, policy, tags }, parent);

        let bucket: { bucket: aws.s3.Bucket; logBucket: aws.s3.Bucket } | undefined;
        let storageReady: pulumi.Resource[] = [];
        let tempoStorage: pulumi.Output<{ bucket?: string; region?: string }> = pulumi.output({});
        if (storage === TraceStorage.S3) {
            const s3 = createTraceBucket(name, { environment: a.environment, retentionDays, accessLogRetentionDays: a.accessLogRetentionDays, tags }, this);
            bucket = s3;
            const role = podRole("tempo", TEMPO_SERVICE_ACCOUNT, pulumi.jsonStringify(pulumi.all([s3.bucket.arn, s3.key.arn]).apply(([b, k]) => tempoStoragePolicy(b, k))));
            storageReady = [role, ...s3.ready];
            tempoStorage = pulumi.all([s3.bucket.bucket, region()]).apply(([b, r]) => ({ bucket: b, region: r }));
        }

        const tempo = new k8s.helm.v3.Release(`${name}-tempo`, {
            name: TRACING_RELEASES.tempo,
            namespace,
            chart: TEMPO_CHART.chart,
            version: TEMPO_CHART.version,
            repositoryOpts: { repo: TEMPO_CHART.repository },
            values: tempoStorage.apply((s) => tempoValues({
                storage, retentionDays, localStorageGiB: a.localStorageGiB,
                bucket: s.bucket, region: s.region, storageClassName: a.storageClassName, onSystemNodes: a.onSystemNodes,
            })),
        }, inCluster(storageReady));

        const collector = new k8s.helm.v3.Release(`${name}-collector`, {
            name: TRACING_RELEASES.collector,
            namespace,
            chart: OTEL_COLLECTOR_CHART.chart,
            version: OTEL_COLLECTOR_CHART.version,
            repositoryOpts: { repo: OTEL_COLLECTOR_CHART.repository },
            values: pulumi.output(a.clusterName).apply((clusterName) => collectorValues({
                namespace, clusterName, environment: a.environment, replicas: a.collectorReplicas, onSystemNodes: a.onSystemNodes,
            })),
        }, inCluster([]));

        const metrics = this.createPrometheus(name, a, tags, region, podRole, inCluster);

        // Neither the collector nor Grafana needs Tempo to start (the collector's exporter retries, and a
        // data source is only an address): they install side by side.
        if (grafana) {
            const alerting = a.alerting;
            const secretEnv = alerting.slackWebhookSecret
                ? { [SLACK_WEBHOOK_ENV]: { secretName: alerting.slackWebhookSecret.name, key: alerting.slackWebhookSecret.key } }
                : undefined;
            // Grafana calls AWS when it queries AMP or publishes to the topic: a role for its pods, before they start.
            const access = pulumi.all([metrics.workspaceArn, alerting.snsTopicArn, alerting.snsTopicKeyArn])
                .apply(([workspaceArn, topicArn, topicKeyArn]) => grafanaAwsStatements({ workspaceArn, topicArn, topicKeyArn }));
            const needsRole = a.metrics === MetricsStorage.Amp || alerting.snsTopicArn !== undefined;
            const role = needsRole ? [podRole("grafana", GRAFANA_SERVICE_ACCOUNT, pulumi.jsonStringify(access.apply(policyDocument)))] : [];
            const watched = pulumi.all(alerting.queues.map((q) => pulumi.output(q.name).apply((n): WatchedQueue => ({ name: n, maxJobDurationSeconds: q.maxJobDurationSeconds }))));
            new k8s.helm.v3.Release(`${name}-grafana`, {
                name: TRACING_RELEASES.grafana,
                namespace,
                chart: GRAFANA_CHART.chart,
                version: GRAFANA_CHART.version,
                repositoryOpts: { repo: GRAFANA_CHART.repository },
                values: pulumi.all([metrics.dataSource, watched, alerting.snsTopicArn, alerting.snsTopicArn !== undefined ? region() : undefined]).apply(([dataSource, queues, topicArn, r]) => grafanaValues({
                    namespace,
                    adminSecretName: a.grafanaAdminSecretName,
                    adminSecretKey: a.grafanaAdminSecretKey,
                    dashboardJson: agentsDashboardJson(),
                    metrics: dataSource,
                    alerting: grafanaAlerting({
                        rules: alerting.rules, queues, datasourceUid: PROMETHEUS_DATASOURCE_UID,
                        contactPoint: { sns: topicArn && r ? { topicArn, region: r } : undefined, slackWebhookEnv: secretEnv ? SLACK_WEBHOOK_ENV : undefined },
                    }),
                    secretEnv,
                    onSystemNodes: a.onSystemNodes,
                })),
            }, inCluster(role, ["namespaces", "pods", "secrets"]));
        }

        // Known names (so previews show them), carrying a dependency on the release that serves them.
        this.otlpGrpcEndpoint = collector.urn.apply(() => endpoints.otlpGrpc);
        this.otlpHttpEndpoint = collector.urn.apply(() => endpoints.otlpHttp);
        this.tempoQueryUrl = tempo.urn.apply(() => endpoints.tempoQuery);
        this.metricsQueryUrl = metrics.dataSource.apply((d) => d.url);
        this.metricsWorkspaceArn = metrics.workspaceArn;
        this.grafanaPortForwardCommand = pulumi.output(grafana ? grafanaPortForwardCommand(namespace) : undefined);
        this.namespace = pulumi.output(namespace);
        this.bucketName = bucket ? bucket.bucket.bucket : pulumi.output(undefined);
        this.accessLogBucketName = bucket ? bucket.logBucket.bucket : pulumi.output(undefined);
        this.registerOutputs({
            otlpGrpcEndpoint: this.otlpGrpcEndpoint, otlpHttpEndpoint: this.otlpHttpEndpoint, tempoQueryUrl: this.tempoQueryUrl,
            metricsQueryUrl: this.metricsQueryUrl, metricsWorkspaceArn: this.metricsWorkspaceArn,
            grafanaPortForwardCommand: this.grafanaPortForwardCommand, namespace: this.namespace, bucketName: this.bucketName,
            accessLogBucketName: this.accessLogBucketName,
        });
    }

    /**
     * Prometheus and, when metrics are "amp", the workspace it writes to with its own Pod Identity role
     * (remote write only). Returns what Grafana queries and the workspace's ARN.
     */
    private createPrometheus(name: string, a: ParsedTracingArgs, tags: Record<string, string>, region: () => pulumi.Output<string>,
        podRole: (suffix: string, sa: string, policy: pulumi.Input<string>) => PodIdentityRole, inCluster: (own: pulumi.Resource[]) => pulumi.CustomResourceOptions) {
        let ready: pulumi.Resource[] = [];
        let remoteWrite: pulumi.Output<{ url: string; region: string } | undefined> = pulumi.output(undefined);
        let amp: { dataSource: pulumi.Output<MetricsDataSourceInput>; workspaceArn: pulumi.Output<string | undefined> } | undefined;
        if (a.metrics === MetricsStorage.Amp) {
            const workspace = new aws.amp.Workspace(`${name}-metrics`, { alias: `agents-${a.environment}`, tags }, { parent: this });
            ready = [podRole("prometheus", PROMETHEUS_SERVER, pulumi.jsonStringify(workspace.arn.apply(ampWriterPolicy)))];
            const endpoint = pulumi.all([workspace.prometheusEndpoint, region()]);
            remoteWrite = endpoint.apply(([url, r]) => ({ url: ampRemoteWriteUrl(url), region: r }));
            amp = {
                dataSource: endpoint.apply(([url, r]) => ({ storage: a.metrics, url, region: r })),
                workspaceArn: workspace.arn.apply((v): string | undefined => v),
            };
        }
        const release = new k8s.helm.v3.Release(`${name}-prometheus`, {
            name: TRACING_RELEASES.prometheus,
            namespace: a.namespace,
            chart: PROMETHEUS_CHART.chart,
            version: PROMETHEUS_CHART.version,
            repositoryOpts: { repo: PROMETHEUS_CHART.repository },
            values: remoteWrite.apply((rw) => prometheusValues({
                namespace: a.namespace, storage: a.metrics, retentionDays: a.metricsRetentionDays, storageGiB: a.metricsStorageGiB,
                storageClassName: a.storageClassName, remoteWrite: rw, onSystemNodes: a.onSystemNodes,
            })),
        }, inCluster(ready));
        return amp ?? { dataSource: release.urn.apply((): MetricsDataSourceInput => ({ storage: a.metrics, url: prometheusUrl(a.namespace) })), workspaceArn: pulumi.output<string | undefined>(undefined) };
    }
}
