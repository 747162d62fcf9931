import * as assert from "node:assert/strict";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { parseTracingArgs, TracingArgs } from "../../components/tracing";
import { grafanaValues } from "../../components/tracing/grafana";
import { METRICS_PIPELINE } from "../../components/tracing/metrics";
import { prometheusValues } from "../../components/tracing/prometheus";
import {
    bucketExpirationDays, COLLECTOR_TEMPO_EXPORTER, collectorValues, grafanaPortForwardCommand, TEMPO_SERVICE_ACCOUNT, tempoRetention,
    tempoStoragePolicy, tempoValues, traceBucketTlsPolicy, tracingEndpoints,
} from "../../components/tracing/values";
import { GRAFANA_CHART, OTEL_COLLECTOR_CHART, OTEL_COLLECTOR_IMAGE, PROMETHEUS_CHART, TEMPO_CHART } from "../../components/shared/versions";
import { SYSTEM_NODE_LABEL, SYSTEM_NODE_TAINT } from "../../components/shared/placement";
import { json, MOCK_ACCOUNT, ofType, one } from "../../testing";
import { renderTracing as tracing, tracingRelease as release } from "../support/tracing";
import { assertRealNarrowActions, defaultKeyPolicy, simulate } from "../support/iam";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const BUCKET = "aws:s3/bucket:Bucket";
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";
const WORKSPACE = "aws:amp/workspace:Workspace";
const SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";

/** The collector config as the chart would receive it: the values rendered to YAML and parsed back. */
function renderedCollectorConfig(values: unknown) {
    const parsed = parseYaml(toYaml(values)) as { alternateConfig: CollectorConfig };
    return parsed.alternateConfig;
}

interface CollectorConfig {
    receivers: Record<string, { protocols?: Record<string, { endpoint: string }> }>;
    processors: Record<string, Record<string, unknown>>;
    exporters: Record<string, { endpoint: string; tls?: { insecure?: boolean } }>;
    connectors: Record<string, unknown>;
    extensions: Record<string, unknown>;
    service: { extensions: string[]; pipelines: Record<string, { receivers: string[]; processors: string[]; exporters: string[] }> };
}

describe("Tracing", () => {
    describe("S3 storage (staging/prod shape)", () => {
        let result: Awaited<ReturnType<typeof tracing>>;
        before(async () => { result = await tracing({ storage: "s3", retentionDays: 30 }); });

        it("pins the four charts to the versions and repositories in versions.ts", () => {
            const pins = [["tempo", TEMPO_CHART], ["collector", OTEL_COLLECTOR_CHART], ["grafana", GRAFANA_CHART], ["prometheus", PROMETHEUS_CHART]] as const;
            for (const [name, pin] of pins) {
                const r = release(result.resources, name);
                assert.equal(r.inputs.chart, pin.chart);
                assert.equal(r.inputs.version, pin.version);
                assert.match(r.inputs.version, /^\d+\.\d+\.\d+$/, "an exact version, not a range");
                assert.equal(r.inputs.repositoryOpts.repo, pin.repository);
                assert.equal(r.inputs.namespace, "observability");
            }
            assert.equal(TEMPO_CHART.repository, "https://grafana-community.github.io/helm-charts", "Tempo charts moved to grafana-community");
        });

        it("creates a bucket that is KMS-encrypted, private, TLS-only and expires with the retention", () => {
            const bucket = one(result.resources, BUCKET, "tracing-traces");
            const key = one(result.resources, "aws:kms/key:Key");
            assert.equal(key.inputs.enableKeyRotation, true);
            const sse = one(result.resources, SSE, "tracing-traces");
            assert.equal(sse.inputs.bucket, bucket.state.id);
            assert.equal(sse.inputs.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm, "aws:kms");
            assert.equal(sse.inputs.rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId, key.state.arn);
            assert.equal(sse.inputs.rules[0].bucketKeyEnabled, true);

            for (const pab of ofType(result.resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")) {
                for (const flag of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) assert.equal(pab.inputs[flag], true, `${pab.name} ${flag}`);
            }
            assert.equal(ofType(result.resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").length, 2, "both buckets");
            for (const o of ofType(result.resources, "aws:s3/bucketOwnershipControls:BucketOwnershipControls")) assert.equal(o.inputs.rule.objectOwnership, "BucketOwnerEnforced");
            assert.equal(ofType(result.resources, "aws:s3/bucketOwnershipControls:BucketOwnershipControls").length, 2, "both buckets");

            const lifecycle = one(result.resources, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "tracing-traces");
            const expire = lifecycle.inputs.rules.find((r: { id: string }) => r.id === "expire-traces");
            assert.equal(expire.status, "Enabled");
            assert.equal(expire.expiration.days, 31, "30 days of retention + 1 day of backstop");
            assert.ok(lifecycle.inputs.rules.some((r: { abortIncompleteMultipartUpload?: { daysAfterInitiation: number } }) => r.abortIncompleteMultipartUpload?.daysAfterInitiation === 1));

            const policy = json(one(result.resources, "aws:s3/bucketPolicy:BucketPolicy", "tracing-traces").inputs.policy);
            const deny = policy.Statement[0];
            assert.equal(deny.Effect, "Deny");
            assert.deepEqual(deny.Condition, { Bool: { "aws:SecureTransport": "false" } });
            assert.deepEqual(deny.Resource, [bucket.state.arn, `${bucket.state.arn}/*`]);
        });

        it("gives Tempo a Pod Identity role for its own service account, scoped to the bucket and its key", () => {
            const association = one(result.resources, ASSOCIATION, "tracing-tempo");
            assert.equal(association.inputs.clusterName, "agents-test");
            assert.equal(association.inputs.namespace, "observability");
            assert.equal(association.inputs.serviceAccount, TEMPO_SERVICE_ACCOUNT);
            const role = one(result.resources, ROLE, /tempo/);
            assert.equal(association.inputs.roleArn, role.state.arn);
            assert.equal(json(role.inputs.assumeRolePolicy).Statement[0].Principal.Service, "pods.eks.amazonaws.com");

            const values = release(result.resources, "tempo").inputs.values;
            assert.equal(values.serviceAccount.name, association.inputs.serviceAccount, "the chart's service account is the associated one");

            const bucket = one(result.resources, BUCKET, "tracing-traces");
            const key = one(result.resources, "aws:kms/key:Key");
            const doc = json(one(result.resources, ROLE_POLICY, "tracing-tempo").inputs.policy);
            const resources = doc.Statement.flatMap((s: { Resource: string | string[] }) => [s.Resource].flat());
            assert.deepEqual(resources.sort(), [bucket.state.arn, `${bucket.state.arn}/*`, key.state.arn].sort());
        });

        it("points Tempo at the bucket with the S3 backend, no static keys, and the retention in hours", () => {
            const values = release(result.resources, "tempo").inputs.values;
            const bucket = one(result.resources, BUCKET, "tracing-traces");
            assert.equal(values.tempo.storage.trace.backend, "s3");
            assert.deepEqual(values.tempo.storage.trace.s3, { bucket: bucket.state.bucket, endpoint: "s3.eu-west-1.amazonaws.com", region: "eu-west-1" });
            assert.ok(!JSON.stringify(values).match(/access_key|secret_key/), "credentials come from Pod Identity");
            assert.equal(values.tempo.retention, "720h");
            assert.equal(values.persistence.enabled, true, "the live-store WAL still needs a volume");
        });

        it("makes the Tempo release wait for its role and bucket, and installs the collector and Grafana alongside it", () => {
            const tempo = release(result.resources, "tempo");
            const association = one(result.resources, ASSOCIATION, "tracing-tempo");
            const role = one(result.resources, "agent-platform:index:PodIdentityRole", "tracing-tempo");
            assert.ok(tempo.dependencies.includes(role.urn) || tempo.dependencies.includes(association.urn), "Tempo depends on its Pod Identity role");
            assert.ok(tempo.dependencies.includes(one(result.resources, "aws:s3/bucketPolicy:BucketPolicy", "tracing-traces").urn));
            assert.ok(tempo.dependencies.includes(one(result.resources, "aws:s3/bucketLogging:BucketLogging").urn), "and for its access logging");
            for (const other of ["collector", "grafana"]) {
                assert.ok(!release(result.resources, other).dependencies.includes(tempo.urn), `${other} needs no running Tempo to start`);
            }
        });

        it("exposes the collector's in-cluster OTLP endpoints, Tempo's query URL and the port-forward command", () => {
            assert.equal(result.outputs.otlpHttpEndpoint, "http://otel-collector.observability.svc.cluster.local:4318");
            assert.equal(result.outputs.otlpGrpcEndpoint, "http://otel-collector.observability.svc.cluster.local:4317");
            assert.equal(result.outputs.tempoQueryUrl, "http://tempo.observability.svc.cluster.local:3200");
            assert.equal(result.outputs.grafanaPortForwardCommand, "kubectl -n observability port-forward svc/grafana 3000:80");
            assert.equal(result.outputs.namespace, "observability");
            assert.equal(result.outputs.bucketName, one(result.resources, BUCKET, "tracing-traces").state.bucket);
            assert.equal(result.outputs.accessLogBucketName, one(result.resources, BUCKET, "tracing-access-logs").state.bucket);
        });

        it("parses the collector pipeline from its values: OTLP in, memory_limiter → k8s_attributes → resource → batch, out to Tempo and the span-metric connectors", () => {
            const values = release(result.resources, "collector").inputs.values;
            assert.equal(values.mode, "deployment");
            assert.equal(values.image.repository, OTEL_COLLECTOR_IMAGE.repository);
            assert.equal(values.command.name, "otelcol-contrib");
            assert.equal(values.presets.kubernetesAttributes.enabled, true, "the preset creates the processor's RBAC");
            const config = renderedCollectorConfig(values);
            assert.deepEqual(Object.keys(config.service.pipelines).sort(), [METRICS_PIPELINE.pipeline, "traces"], "traces, and the metrics derived from them");
            const traces = config.service.pipelines.traces;
            assert.deepEqual(traces.receivers, ["otlp"]);
            assert.equal(traces.processors[0], "memory_limiter", "memory_limiter first");
            assert.equal(traces.processors.at(-1), "batch", "batch last");
            assert.ok(traces.processors.includes("k8s_attributes"));
            assert.deepEqual(traces.exporters, [COLLECTOR_TEMPO_EXPORTER, METRICS_PIPELINE.spanmetrics, METRICS_PIPELINE.signaltometrics]);
            for (const r of traces.receivers) assert.ok(config.receivers[r], `receiver ${r} is defined`);
            for (const p of traces.processors) assert.ok(config.processors[p], `processor ${p} is defined`);
            for (const e of traces.exporters) assert.ok(config.exporters[e] ?? config.connectors[e], `exporter ${e} is defined`);
            for (const x of config.service.extensions) assert.ok(config.extensions[x], `extension ${x} is defined`);
            assert.match(config.receivers.otlp.protocols!.grpc.endpoint, /:4317$/);
            assert.match(config.receivers.otlp.protocols!.http.endpoint, /:4318$/);
            const tempoValuesPorts = release(result.resources, "tempo").inputs.values.tempo.receivers.otlp.protocols;
            assert.equal(config.exporters[COLLECTOR_TEMPO_EXPORTER].endpoint, "tempo.observability.svc.cluster.local:4317");
            assert.match(tempoValuesPorts.grpc.endpoint, /:4317$/, "Tempo receives OTLP gRPC where the collector sends");
            assert.equal(config.processors.memory_limiter.limit_percentage, 80);
            assert.deepEqual(config.processors["resource/platform"].attributes, [
                { key: "k8s.cluster.name", value: "agents-test", action: "upsert" },
                { key: "deployment.environment.name", value: "test", action: "insert" },
            ]);
        });

        it("provisions Grafana with Tempo as the default data source, the Agents dashboard and the ESO admin secret, not exposed", () => {
            const values = release(result.resources, "grafana").inputs.values;
            const [ds, prometheus] = values.datasources["datasources.yaml"].datasources;
            assert.equal(prometheus.uid, "prometheus");
            assert.equal(prometheus.isDefault, false);
            assert.equal(ds.type, "tempo");
            assert.equal(ds.url, result.outputs.tempoQueryUrl);
            assert.equal(ds.isDefault, true);
            assert.deepEqual(values.admin, { existingSecret: "grafana-admin", passwordKey: "admin-password" });
            assert.equal(values.env.GF_SECURITY_ADMIN_USER, "admin");
            assert.equal(values.service.type, "ClusterIP");
            assert.equal(values.ingress.enabled, false);
            assert.ok(!("adminPassword" in values), "no password in the values (or the state)");
            const provider = values.dashboardProviders["dashboardproviders.yaml"].providers[0];
            assert.equal(provider.options.path, `/var/lib/grafana/dashboards/${provider.name}`);
            const dashboard = JSON.parse(values.dashboards[provider.name].agents.json);
            assert.equal(dashboard.title, "Agents");
            for (const panel of dashboard.panels) assert.equal(panel.datasource.uid, ds.uid, `panel "${panel.title}" queries the provisioned data source`);
        });

        it("runs everything on the system nodes", () => {
            for (const name of ["tempo", "collector", "grafana", "prometheus"]) {
                const r = release(result.resources, name).inputs.values;
                const values = name === "prometheus" ? r.server : r;
                assert.deepEqual(values.nodeSelector, { [SYSTEM_NODE_LABEL.key]: SYSTEM_NODE_LABEL.value }, name);
                assert.ok(values.tolerations.some((t: { key: string; effect: string }) => t.key === SYSTEM_NODE_TAINT.key && t.effect === SYSTEM_NODE_TAINT.effect), name);
            }
        });
    });

    describe("local storage (dev shape)", () => {
        let result: Awaited<ReturnType<typeof tracing>>;
        before(async () => { result = await tracing({ storage: "local", retentionDays: 3, localStorageGiB: 5, collectorReplicas: 1, metrics: "local", metricsStorageGiB: 4, metricsRetentionDays: 7 }); });

        it("creates no bucket, key, role or workspace; Tempo keeps blocks on a PVC of the configured size", () => {
            assert.equal(ofType(result.resources, WORKSPACE).length, 0);
            assert.equal(ofType(result.resources, BUCKET).length, 0);
            assert.equal(ofType(result.resources, "aws:kms/key:Key").length, 0);
            assert.equal(ofType(result.resources, ASSOCIATION).length, 0);
            assert.equal(ofType(result.resources, ROLE).length, 0);
            const values = release(result.resources, "tempo").inputs.values;
            assert.equal(values.tempo.storage.trace.backend, "local");
            assert.equal(values.tempo.storage.trace.local.path, "/var/tempo/traces");
            assert.deepEqual(values.persistence, { enabled: true, size: "5Gi", accessModes: ["ReadWriteOnce"] });
            assert.equal(values.tempo.retention, "72h");
            assert.equal(values.replicas, 1, "monolithic Tempo on a ReadWriteOnce volume");
            assert.equal(result.outputs.bucketName, undefined);
            assert.equal(result.outputs.accessLogBucketName, undefined);
        });

        it("runs a single collector without a PodDisruptionBudget", () => {
            const values = release(result.resources, "collector").inputs.values;
            assert.equal(values.replicaCount, 1);
            assert.equal(values.podDisruptionBudget.enabled, false);
        });

        it("calls no AWS function (a cluster without AWS runs it too)", () => {
            assert.deepEqual(result.invokes.filter((i) => i.token.startsWith("aws:")), []);
            assert.deepEqual(result.resources.filter((r) => r.type.startsWith("aws:")), []);
        });
    });

    describe("on a cluster without system nodes", () => {
        it("leaves the three charts' pods to the scheduler", async () => {
            const result = await tracing({ storage: "local", onSystemNodes: false });
            for (const name of ["tempo", "collector", "grafana"]) {
                const values = release(result.resources, name).inputs.values;
                assert.equal(values.nodeSelector, undefined, name);
                assert.equal(values.tolerations, undefined, name);
            }
        });
    });

    describe("without Grafana", () => {
        it("installs no Grafana release and has no port-forward command", async () => {
            const result = await tracing({ storage: "local", grafana: false });
            assert.equal(ofType(result.resources, RELEASE).filter((r) => r.name.endsWith("grafana")).length, 0);
            assert.equal(result.outputs.grafanaPortForwardCommand, undefined);
            assert.ok(result.outputs.otlpHttpEndpoint);
        });
    });

    describe("invalid arguments", () => {
        const cases: [string, Partial<TracingArgs>, RegExp][] = [
            ["storage", { storage: "gcs" }, /storage: got "gcs"; allowed: one of "local", "s3"/],
            ["retentionDays", { retentionDays: 0 }, /retentionDays: got 0; allowed: an integer from 1 to 365/],
            ["localStorageGiB", { localStorageGiB: 2.5 }, /localStorageGiB: got 2.5/],
            ["collectorReplicas", { collectorReplicas: 0 }, /collectorReplicas: got 0/],
            ["namespace", { namespace: "Observability" }, /namespace: got "Observability"/],
            ["grafanaAdminSecretKey", { grafanaAdminSecretKey: "a/b" }, /grafanaAdminSecretKey: got "a\/b"/],
            ["environment", { environment: "Prod" }, /environment: got "Prod"/],
            ["storageClassName", { storageClassName: "Fast SSD" }, /storageClassName: got "Fast SSD"; allowed: a StorageClass name/],
            ["metrics", { metrics: "cloudwatch" }, /metrics: got "cloudwatch"; allowed: one of "local", "amp"/],
            ["metricsRetentionDays", { metricsRetentionDays: 0 }, /metricsRetentionDays: got 0; allowed: an integer from 1 to 90/],
            ["accessLogRetentionDays", { accessLogRetentionDays: 5000 }, /accessLogRetentionDays: got 5000; allowed: an integer from 1 to 3650/],
            ["alerting", { alerting: { snsTopicArn: "arn:aws:sns:x", slackWebhookSecret: { name: "alerting", key: "URL" } } }, /alerting\.slackWebhookSecret: got .*; allowed: nothing when snsTopicArn is given/],
            ["alerting.rules", { alerting: { rules: { llmRetryRate: { threshold: -1 } } } }, /alerting\.rules\.llmRetryRate\.threshold: got -1; allowed: a number from 0 to 1/],
        ];
        for (const [arg, bad, message] of cases) {
            it(`rejects a bad ${arg}, naming the argument and what is allowed`, async () => {
                await assert.rejects(tracing(bad), message);
                assert.throws(() => parseTracingArgs({ environment: "test", clusterName: "c", ...bad }), message);
            });
        }
    });
});

describe("tracing values (pure)", () => {
    it("derives the endpoints and the port-forward command from the namespace", () => {
        const e = tracingEndpoints("obs");
        assert.equal(e.otlpHttp, "http://otel-collector.obs.svc.cluster.local:4318");
        assert.equal(e.tempoOtlpGrpc, "tempo.obs.svc.cluster.local:4317");
        assert.equal(grafanaPortForwardCommand("obs"), "kubectl -n obs port-forward svc/grafana 3000:80");
    });

    it("turns days into Tempo's retention and S3's expiry", () => {
        assert.equal(tempoRetention(1), "24h");
        assert.equal(tempoRetention(14), "336h");
        assert.equal(bucketExpirationDays(14), 15);
    });

    it("enables only Tempo's OTLP receivers (gRPC 4317, HTTP 4318) and no metrics-generator", () => {
        const v = tempoValues({ storage: "local", retentionDays: 3, localStorageGiB: 5 });
        assert.equal(v.tempo.receivers.jaeger, null, "the chart's default Jaeger receivers are removed");
        assert.deepEqual(v.tempo.receivers.otlp.protocols, { grpc: { endpoint: "0.0.0.0:4317" }, http: { endpoint: "0.0.0.0:4318" } });
        assert.equal(v.tempo.metricsGenerator.enabled, false, "Tempo 3 serves TraceQL metrics without it");
        assert.equal(v.tempo.streamOverHttpEnabled, true);
    });

    it("gives each chart pod spec settings that are valid Kubernetes objects", async () => {
        const { Pod } = await import("kubernetes-models/v1/Pod");
        const tempo = tempoValues({ storage: "s3", retentionDays: 7, localStorageGiB: 10, bucket: "b", region: "us-east-1" });
        const collector = collectorValues({ namespace: "observability", replicas: 2, clusterName: "c", environment: "prod" });
        const grafana = grafanaValues({
            namespace: "observability", adminSecretName: "grafana-admin", adminSecretKey: "admin-password", dashboardJson: "{}",
            metrics: { storage: "local", url: "http://prometheus-server.observability.svc.cluster.local:80" },
        });
        const prometheus = prometheusValues({ namespace: "observability", storage: "amp", retentionDays: 15, storageGiB: 8, remoteWrite: { url: "https://aps/api/v1/remote_write", region: "us-east-1" } });
        const pods = [
            { name: "tempo", container: { securityContext: tempo.tempo.securityContext, resources: tempo.tempo.resources }, placement: tempo },
            { name: "collector", container: { securityContext: collector.securityContext, resources: collector.resources }, placement: collector },
            { name: "grafana", container: { resources: grafana.resources }, placement: grafana },
            { name: "prometheus", container: { securityContext: prometheus.server.containerSecurityContext, resources: prometheus.server.resources }, placement: prometheus.server },
            { name: "config-reload", container: { securityContext: prometheus.configmapReload.prometheus.containerSecurityContext, resources: prometheus.configmapReload.prometheus.resources }, placement: prometheus.server },
        ];
        for (const p of pods) {
            const pod = new Pod({
                metadata: { name: p.name },
                spec: { nodeSelector: p.placement.nodeSelector, tolerations: p.placement.tolerations, containers: [{ name: p.name, image: "example", ...JSON.parse(JSON.stringify(p.container)) }] },
            });
            assert.doesNotThrow(() => pod.validate(), p.name);
        }
        assert.throws(() => new Pod({ metadata: { name: "x" }, spec: { containers: [{ name: "x", resources: { limits: { memory: {} } } }] } } as never).validate(), "the validator rejects a bad object");
    });
});

describe("Tempo's storage permissions", () => {
    const bucketArn = "arn:aws:s3:::tracing-traces-1234567";
    const keyArn = `arn:aws:kms:eu-west-1:${MOCK_ACCOUNT}:key/1111-2222`;
    const policy = tempoStoragePolicy(bucketArn, keyArn);
    const principal = `arn:aws:sts::${MOCK_ACCOUNT}:assumed-role/tracing-tempo/eks-pod`;

    // The key is created without a policy, so KMS gives it the default key policy: the account's IAM
    // policies decide. KMS requires a key policy in the evaluation, so the simulation gets that default.
    const decide = (action: string, resource: string) =>
        simulate(policy, action, resource, { principal, resourcePolicy: action.startsWith("kms:") ? defaultKeyPolicy() : undefined });

    it("uses only actions that exist in the IAM catalogue, never a wildcard, never Resource \"*\"", async () => {
        await assertRealNarrowActions(policy);
        for (const s of policy.Statement) assert.ok(![s.Resource].flat().includes("*"));
    });

    it("lets Tempo read, write and delete blocks in its bucket and use its key", async () => {
        assert.equal(await decide("s3:ListBucket", bucketArn), "Allowed");
        for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:PutObjectTagging"]) {
            assert.equal(await decide(action, `${bucketArn}/single-tenant/abc/data.parquet`), "Allowed", action);
        }
        assert.equal(await decide("kms:GenerateDataKey", keyArn), "Allowed");
        assert.equal(await decide("kms:Decrypt", keyArn), "Allowed");
    });

    it("denies other buckets, other keys and bucket administration", async () => {
        assert.equal(await decide("s3:GetObject", "arn:aws:s3:::someone-elses-bucket/secret"), "ImplicitlyDenied");
        assert.equal(await decide("s3:ListBucket", "arn:aws:s3:::someone-elses-bucket"), "ImplicitlyDenied");
        assert.equal(await decide("s3:DeleteBucket", bucketArn), "ImplicitlyDenied");
        assert.equal(await decide("s3:PutBucketPolicy", bucketArn), "ImplicitlyDenied");
        assert.equal(await decide("kms:Decrypt", `arn:aws:kms:eu-west-1:${MOCK_ACCOUNT}:key/other`), "ImplicitlyDenied");
        assert.equal(await decide("kms:ScheduleKeyDeletion", keyArn), "ImplicitlyDenied");
    });

    it("has a bucket policy that refuses plaintext HTTP for every principal", async () => {
        const doc = traceBucketTlsPolicy(bucketArn);
        assert.equal(await simulate(policy, "s3:GetObject", `${bucketArn}/x`, { principal, resourcePolicy: doc, context: { "aws:SecureTransport": "false" } }), "ExplicitlyDenied");
    });
});
