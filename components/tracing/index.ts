import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { TraceStorage } from "../shared/constants";
import { dependsOnFor, InClusterDependencies } from "../shared/inCluster";
import { agentsDashboardJson } from "./dashboards";
import { PodIdentityRole } from "../podIdentity";
import { collectorValues, grafanaPortForwardCommand, grafanaValues, TEMPO_SERVICE_ACCOUNT, tempoStoragePolicy, tempoValues, traceBucketLifecycleRules, traceBucketTlsPolicy, TRACING_RELEASES, tracingEndpoints } from "./values";
import { parseArgs } from "../shared/schema";
import { GRAFANA_CHART, OTEL_COLLECTOR_CHART, TEMPO_CHART } from "../shared/versions";
import { tracingArgsSchema } from "./args";

/** Tracing settings that do not depend on the cluster (what AgentPlatform takes). */
export interface TracingOptions {
    /** Where Tempo keeps trace blocks: "local" (a PersistentVolumeClaim, dev) or "s3" (TraceStorage). Default: "s3". */
    storage?: string;
    /** Days traces are kept (Tempo's block retention; the S3 lifecycle expires objects a day later). Default: 14. */
    retentionDays?: number;
    /** Size of Tempo's volume when storage is "local", GiB. Default: 10. */
    localStorageGiB?: number;
    /** Install Grafana with Tempo as a data source and the Agents dashboard. Default: true. */
    grafana?: boolean;
    /** Replicas of the OpenTelemetry Collector (a PodDisruptionBudget keeps one up when more than one). Default: 2. */
    collectorReplicas?: number;
    /** StorageClass of Tempo's volume. Default: the cluster's default StorageClass. */
    storageClassName?: string;
    /** Tags of the AWS resources (bucket, key, role). Default: none. */
    tags?: Record<string, string>;
}

export interface TracingArgs extends TracingOptions {
    /** Environment name (dev, staging, prod, ...): resource names, tags and the `deployment.environment.name` the collector adds when a span lacks it. Required. */
    environment: string;
    /** EKS cluster the Tempo Pod Identity association belongs to; also stamped on spans as `k8s.cluster.name`. Required. */
    clusterName: pulumi.Input<string>;
    /** Kubernetes Secret (in `namespace`) holding Grafana's admin password, created by External Secrets Operator. Default: "grafana-admin". */
    grafanaAdminSecretName?: string;
    /** Key of the admin password in that Secret. Default: "admin-password". */
    grafanaAdminSecretKey?: string;
    /** Namespace of the collector, Tempo and Grafana; it must exist (AgentPlatform creates it). Default: "observability". */
    namespace?: string;
    /**
     * What the releases wait for: `namespaces` (the namespace above), `pods` (the nodes they run on, the
     * storage of a local volume), `secrets` (Grafana's admin password Secret; Grafana only). Default: none.
     */
    inClusterDependsOn?: InClusterDependencies;
    /** Pin the collector, Tempo and Grafana to AgentCluster's system nodes (false on a cluster without them). Default: true. */
    onSystemNodes?: boolean;
}

/** Validates TracingArgs and applies their defaults; throws `InputPropertiesError` naming each bad argument. */
export function parseTracingArgs(args: TracingArgs) {
    return parseArgs("Tracing", tracingArgsSchema, args);
}

/**
 * Distributed tracing for the agents: an OpenTelemetry Collector (the one OTLP endpoint agents send
 * to), Grafana Tempo in monolithic mode (a local volume in dev; an encrypted, lifecycle-managed S3
 * bucket reached through a Pod Identity role elsewhere) and Grafana with Tempo provisioned as a data
 * source and the "Agents" dashboard. Nothing is exposed outside the cluster.
 */
export class Tracing extends pulumi.ComponentResource {
    /** OTLP/gRPC endpoint of the collector (in-cluster URL). */
    public readonly otlpGrpcEndpoint: pulumi.Output<string>;
    /** OTLP/HTTP endpoint of the collector: what agents get as OTEL_EXPORTER_OTLP_ENDPOINT. */
    public readonly otlpHttpEndpoint: pulumi.Output<string>;
    /** Tempo's query API (in-cluster URL). */
    public readonly tempoQueryUrl: pulumi.Output<string>;
    /** The command that makes Grafana reachable on http://localhost:3000 (undefined output without Grafana). */
    public readonly grafanaPortForwardCommand: pulumi.Output<string | undefined>;
    /** Namespace of the tracing stack. */
    public readonly namespace: pulumi.Output<string>;
    /** Trace bucket (undefined output when storage is local). */
    public readonly bucketName: pulumi.Output<string | undefined>;

    constructor(name: string, args: TracingArgs, opts?: pulumi.ComponentResourceOptions) {
        const a = parseTracingArgs(args); // before super: invalid arguments register nothing
        super("agent-platform:index:Tracing", name, {}, opts);
        const parent = { parent: this };
        const { namespace, storage, retentionDays, grafana } = a;
        const tags = { ...a.tags, "agent-platform:component": "tracing" };
        const endpoints = tracingEndpoints(namespace);
        const inCluster = (own: pulumi.Resource[], kinds: (keyof InClusterDependencies)[] = ["namespaces", "pods"]) =>
            ({ parent: this, dependsOn: dependsOnFor(a.inClusterDependsOn, kinds, own) });

        let bucket: aws.s3.Bucket | undefined;
        let storageReady: pulumi.Resource[] = [];
        let tempoStorage: pulumi.Output<{ bucket?: string; region?: string }> = pulumi.output({});
        if (storage === TraceStorage.S3) {
            const s3 = this.createBucket(name, a.environment, retentionDays, tags);
            bucket = s3.bucket;
            const role = new PodIdentityRole(`${name}-tempo`, {
                clusterName: a.clusterName,
                namespace,
                serviceAccount: TEMPO_SERVICE_ACCOUNT,
                policy: pulumi.jsonStringify(pulumi.all([s3.bucket.arn, s3.key.arn]).apply(([b, k]) => tempoStoragePolicy(b, k))),
                tags,
            }, parent);
            storageReady = [role, ...s3.ready];
            const region = aws.getRegionOutput({}, parent).region;
            tempoStorage = pulumi.all([s3.bucket.bucket, region]).apply(([b, r]) => ({ bucket: b, region: r }));
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

        // Neither the collector nor Grafana needs Tempo to start (the collector's exporter retries, and a
        // data source is only an address): all three install side by side.
        if (grafana) {
            new k8s.helm.v3.Release(`${name}-grafana`, {
                name: TRACING_RELEASES.grafana,
                namespace,
                chart: GRAFANA_CHART.chart,
                version: GRAFANA_CHART.version,
                repositoryOpts: { repo: GRAFANA_CHART.repository },
                values: grafanaValues({
                    namespace,
                    adminSecretName: a.grafanaAdminSecretName,
                    adminSecretKey: a.grafanaAdminSecretKey,
                    dashboardJson: agentsDashboardJson(),
                    onSystemNodes: a.onSystemNodes,
                }),
            }, inCluster([], ["namespaces", "pods", "secrets"]));
        }

        // Known names (so previews show them), carrying a dependency on the release that serves them.
        this.otlpGrpcEndpoint = collector.urn.apply(() => endpoints.otlpGrpc);
        this.otlpHttpEndpoint = collector.urn.apply(() => endpoints.otlpHttp);
        this.tempoQueryUrl = tempo.urn.apply(() => endpoints.tempoQuery);
        this.grafanaPortForwardCommand = pulumi.output(grafana ? grafanaPortForwardCommand(namespace) : undefined);
        this.namespace = pulumi.output(namespace);
        this.bucketName = bucket ? bucket.bucket : pulumi.output(undefined);
        this.registerOutputs({
            otlpGrpcEndpoint: this.otlpGrpcEndpoint, otlpHttpEndpoint: this.otlpHttpEndpoint, tempoQueryUrl: this.tempoQueryUrl,
            grafanaPortForwardCommand: this.grafanaPortForwardCommand, namespace: this.namespace, bucketName: this.bucketName,
        });
    }

    /** The trace bucket: SSE-KMS with its own key, public access blocked, TLS only, expiring with the retention. */
    private createBucket(name: string, environment: string, retentionDays: number, tags: Record<string, string>) {
        const parent = { parent: this };
        const key = new aws.kms.Key(`${name}-traces`, {
            description: `Encrypts the ${environment} trace bucket`,
            enableKeyRotation: true,
            deletionWindowInDays: 7,
            tags,
        }, parent);
        // Traces are disposable telemetry with a retention: a stack destroy may empty the bucket.
        const bucket = new aws.s3.Bucket(`${name}-traces`, { forceDestroy: true, tags }, parent);
        const ownership = new aws.s3.BucketOwnershipControls(`${name}-traces`, {
            bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" },
        }, parent);
        const publicAccess = new aws.s3.BucketPublicAccessBlock(`${name}-traces`, {
            bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
        }, parent);
        const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-traces`, {
            bucket: bucket.id,
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }],
        }, parent);
        const lifecycle = new aws.s3.BucketLifecycleConfiguration(`${name}-traces`, {
            bucket: bucket.id, rules: traceBucketLifecycleRules(retentionDays),
        }, parent);
        const policy = new aws.s3.BucketPolicy(`${name}-traces`, {
            bucket: bucket.id, policy: pulumi.jsonStringify(bucket.arn.apply(traceBucketTlsPolicy)),
        }, { parent: this, dependsOn: [publicAccess] });
        return { bucket, key, ready: [ownership, publicAccess, encryption, lifecycle, policy] };
    }
}
