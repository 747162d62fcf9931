import * as assert from "node:assert/strict";
import { OBSERVABILITY_NAMESPACE } from "../../components/shared/placement";
import { GRAFANA_ADMIN_SECRET } from "../../components/secrets/spec";
import { GRAFANA_CHART, OTEL_COLLECTOR_CHART, PROMETHEUS_CHART, TEMPO_CHART } from "../../components/shared/versions";
import { childrenOf, json, kubernetesObjects, ofType, one, Registered } from "../../testing";
import { runStack, sharedRender } from "../../stacks/offline";
import { waitsFor } from "../../scripts/criticalPath";
import { assertConfigRejected } from "../support/config";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const TRACING = "agent-platform:index:Tracing";

function tracingReleases(resources: Registered[]) {
    const tracing = one(resources, TRACING);
    const releases = ofType(childrenOf(resources, tracing), RELEASE);
    const byChart = (chart: string) => {
        const found = releases.filter((r) => r.inputs.chart === chart);
        assert.equal(found.length, 1, `one ${chart} release`);
        return found[0];
    };
    return {
        tracing, releases, tempo: byChart(TEMPO_CHART.chart), collector: byChart(OTEL_COLLECTOR_CHART.chart), grafana: byChart(GRAFANA_CHART.chart),
        prometheus: byChart(PROMETHEUS_CHART.chart),
    };
}

/** Resources registered (transitively) under `root`. */
function descendants(resources: Registered[], root: Registered): Registered[] {
    const out: Registered[] = [];
    const walk = (parent: Registered) => childrenOf(resources, parent).forEach((r) => { out.push(r); walk(r); });
    walk(root);
    return out;
}

describe("tracing in the rendered stacks", () => {
    describe("dev", () => {
        let result: Awaited<ReturnType<typeof runStack>>;
        before(async () => { result = await sharedRender("dev"); });

        it("pins every tracing release and installs it into the observability namespace through the cluster's provider", () => {
            const { releases } = tracingReleases(result.resources);
            assert.equal(releases.length, 4);
            for (const r of releases) {
                assert.match(r.inputs.version, /^\d+\.\d+\.\d+$/);
                assert.equal(r.inputs.namespace, OBSERVABILITY_NAMESPACE);
                assert.match(r.provider, /kubernetes/, `${r.name} uses the platform's Kubernetes provider`);
            }
            const namespace = ofType(result.resources, "kubernetes:core/v1:Namespace").find((n) => n.inputs.metadata?.name === OBSERVABILITY_NAMESPACE);
            assert.ok(namespace, "the platform creates the observability namespace");
            for (const r of releases) assert.ok(waitsFor(result.resources)(r.urn, namespace.urn), `${r.name} waits for its namespace`);
        });

        it("keeps traces on a 5 GiB volume for 3 days, with no bucket, key or Pod Identity role", () => {
            const { tempo, tracing } = tracingReleases(result.resources);
            assert.equal(tempo.inputs.values.tempo.storage.trace.backend, "local");
            assert.equal(tempo.inputs.values.persistence.size, "5Gi");
            assert.equal(tempo.inputs.values.tempo.retention, "72h");
            const under = descendants(result.resources, tracing);
            assert.equal(under.filter((r) => r.type === "aws:s3/bucket:Bucket").length, 0);
            assert.equal(under.filter((r) => r.type === "aws:eks/podIdentityAssociation:PodIdentityAssociation").length, 0);
        });

        it("runs one collector replica and exposes its OTLP endpoint and the Grafana port-forward as stack outputs", () => {
            const { collector } = tracingReleases(result.resources);
            assert.equal(collector.inputs.values.replicaCount, 1);
            assert.equal(result.outputs.otlpEndpoint, "http://otel-collector.observability.svc.cluster.local:4318");
            assert.equal(result.outputs.grafanaPortForwardCommand, "kubectl -n observability port-forward svc/grafana 3000:80");
        });

        it("reads Grafana's admin password from the Secret ESO creates from the generated grafana-admin secret, after AgentSecrets", () => {
            const { grafana, tempo, collector } = tracingReleases(result.resources);
            assert.deepEqual(grafana.inputs.values.admin, { existingSecret: GRAFANA_ADMIN_SECRET.name, passwordKey: GRAFANA_ADMIN_SECRET.key });
            // The ExternalSecret that creates the grafana-admin Secret in the observability namespace.
            const externalSecret = kubernetesObjects(result.resources, "ExternalSecret").find((r) =>
                r.inputs.metadata?.namespace === OBSERVABILITY_NAMESPACE && r.inputs.spec?.target?.name === GRAFANA_ADMIN_SECRET.name);
            assert.ok(externalSecret, "AgentSecrets syncs grafana-admin into the observability namespace");
            const waits = waitsFor(result.resources);
            assert.ok(waits(grafana.urn, externalSecret.urn), "Grafana waits for that ExternalSecret");
            for (const r of [tempo, collector]) assert.ok(!waits(r.urn, externalSecret.urn), `${r.name} reads no secret and does not wait for it`);
            assert.ok(!JSON.stringify(grafana.inputs.values).includes("adminPassword"));
        });
    });

    describe("prod", () => {
        let result: Awaited<ReturnType<typeof runStack>>;
        before(async () => { result = await sharedRender("prod"); });

        it("stores traces in a hardened S3 bucket that expires them after the 30-day retention", () => {
            const { tempo, tracing } = tracingReleases(result.resources);
            const under = descendants(result.resources, tracing);
            const bucket = under.find((r) => r.type === "aws:s3/bucket:Bucket" && r.name.endsWith("-traces"));
            assert.ok(bucket);
            assert.equal(tempo.inputs.values.tempo.storage.trace.backend, "s3");
            assert.equal(tempo.inputs.values.tempo.storage.trace.s3.bucket, bucket.state.bucket);
            assert.equal(tempo.inputs.values.tempo.storage.trace.s3.region, "us-east-1");
            assert.equal(tempo.inputs.values.tempo.retention, "720h");
            const lifecycle = under.find((r) => r.type === "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration" && r.name.endsWith("-traces"));
            assert.equal(lifecycle?.inputs.rules.find((r: { id: string }) => r.id === "expire-traces").expiration.days, 31);
            const pab = under.find((r) => r.type === "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
            assert.equal(pab?.inputs.restrictPublicBuckets, true);
            const sse = under.find((r) => r.type === "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration" && r.name.endsWith("-traces"));
            assert.equal(sse?.inputs.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm, "aws:kms");
        });

        it("associates Tempo's service account in the prod cluster with a role that reaches only that bucket and its key", () => {
            const { tempo, tracing } = tracingReleases(result.resources);
            const under = descendants(result.resources, tracing);
            const association = under.find((r) => r.type === "aws:eks/podIdentityAssociation:PodIdentityAssociation" && r.name.endsWith("-tempo"));
            assert.ok(association);
            assert.equal(association.inputs.clusterName, "agents-prod");
            assert.equal(association.inputs.namespace, OBSERVABILITY_NAMESPACE);
            assert.equal(association.inputs.serviceAccount, tempo.inputs.values.serviceAccount.name);
            const bucket = under.find((r) => r.type === "aws:s3/bucket:Bucket" && r.name.endsWith("-traces"))!;
            const key = under.find((r) => r.type === "aws:kms/key:Key")!;
            const doc = json(under.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name.endsWith("-tempo"))!.inputs.policy);
            const resources = doc.Statement.flatMap((s: { Resource: string | string[] }) => [s.Resource].flat()).sort();
            assert.deepEqual(resources, [bucket.state.arn, `${bucket.state.arn}/*`, key.state.arn].sort());
        });

        it("runs three collector replicas behind a PodDisruptionBudget, exporting to Tempo", () => {
            const { collector } = tracingReleases(result.resources);
            assert.equal(collector.inputs.values.replicaCount, 3);
            assert.deepEqual(collector.inputs.values.podDisruptionBudget, { enabled: true, minAvailable: 1 });
            const traces = collector.inputs.values.alternateConfig.service.pipelines.traces;
            assert.deepEqual(traces.exporters, ["otlp_grpc/tempo", "spanmetrics", "signaltometrics"]);
            assert.equal(collector.inputs.values.alternateConfig.exporters["otlp_grpc/tempo"].endpoint, "tempo.observability.svc.cluster.local:4317");
            assert.equal(collector.inputs.values.alternateConfig.processors["resource/platform"].attributes[0].value, "agents-prod");
        });
    });

    it("staging also uses S3, with its own 7-day retention", async () => {
        const result = await sharedRender("staging");
        const { tempo } = tracingReleases(result.resources);
        assert.equal(tempo.inputs.values.tempo.storage.trace.backend, "s3");
        assert.equal(tempo.inputs.values.tempo.retention, "168h");
    });

    it("rejects bad tracing config before any resource is registered", async () => {
        const bad = { "agent-platform:tracing": { storage: "gcs", retentionDays: 0, collectorReplicas: 20, storageClassName: "Fast SSD" } };
        const result = await runStack("dev", bad, { captureError: true });
        assertConfigRejected(result,
            /agent-platform:tracing\.storage: got "gcs"; allowed: one of "local", "s3"/,
            /agent-platform:tracing\.retentionDays: got 0/,
            /agent-platform:tracing\.collectorReplicas: got 20; allowed: an integer from 1 to 10/,
            /agent-platform:tracing\.storageClassName: got "Fast SSD"/);
    });
});
