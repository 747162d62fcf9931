import * as assert from "node:assert/strict";
import { ruleUid } from "../../components/alerts/grafana";
import { AlertId, ALERTS, alertQueries } from "../../components/alerts/rules";
import { GRAFANA_SERVICE_ACCOUNT } from "../../components/tracing/grafana";
import { AMP_QUERY_ACTIONS, ampWriterPolicy, grafanaAwsStatements, PROMETHEUS_SERVER } from "../../components/tracing/prometheus";
import { ACCESS_LOG_SUFFIX, accessLogBucketPolicy } from "../../components/tracing/values";
import { ACCESS_LOG_BUCKET_SUFFIX } from "../../policy/s3";
import { RULES } from "../../policy/policies";
import { evaluateAll } from "../../policy/rule";
import { policyDocument } from "../../components/podIdentity/spec";
import { GRAFANA_AMP_PLUGIN } from "../../components/shared/versions";
import { json, MOCK_ACCOUNT, ofType, one } from "../../testing";
import { assertRealNarrowActions, defaultKeyPolicy, simulate } from "../support/iam";
import { renderTracing as tracing, tracingRelease as release } from "../support/tracing";

const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";
const WORKSPACE = "aws:amp/workspace:Workspace";
const BUCKET = "aws:s3/bucket:Bucket";
const SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";

/** Tracing's metrics (Prometheus or AMP), its trace bucket's access logs, and its alerting. */
describe("Tracing: metrics, access logs and alerting", () => {
    describe("AMP and S3 (staging/prod shape)", () => {
        let result: Awaited<ReturnType<typeof tracing>>;
        before(async () => { result = await tracing({ storage: "s3", retentionDays: 30 }); });

        it("logs every request to the trace bucket into an access-log bucket: SSE-S3, private, written only by S3 logging for that bucket, expiring", async () => {
            const traces = one(result.resources, BUCKET, "tracing-traces");
            const logs = one(result.resources, BUCKET, "tracing-access-logs");
            const logging = one(result.resources, "aws:s3/bucketLogging:BucketLogging");
            assert.deepEqual([logging.inputs.bucket, logging.inputs.targetBucket, logging.inputs.targetPrefix], [traces.state.id, logs.state.id, "traces/"]);
            assert.equal(one(result.resources, SSE, "tracing-access-logs").inputs.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm, "AES256",
                "S3 delivers server access logs only to SSE-S3 buckets");
            assert.equal(ACCESS_LOG_SUFFIX, ACCESS_LOG_BUCKET_SUFFIX, "the policy pack recognises the log bucket by the suffix the component gives it");
            assert.deepEqual(evaluateAll(RULES, { type: SSE, name: "tracing-access-logs", props: one(result.resources, SSE, "tracing-access-logs").inputs }), []);
            const lifecycle = one(result.resources, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "tracing-access-logs");
            assert.equal(lifecycle.inputs.rules.find((r: { id: string }) => r.id === "expire-access-logs").expiration.days, 90);
            const policy = json(one(result.resources, "aws:s3/bucketPolicy:BucketPolicy", "tracing-access-logs").inputs.policy);
            assert.deepEqual(policy, accessLogBucketPolicy(logs.state.arn, traces.state.arn, MOCK_ACCOUNT));
            for (const dep of ["aws:s3/bucketPolicy:BucketPolicy", SSE]) {
                assert.ok(logging.dependencies.includes(one(result.resources, dep, "tracing-access-logs").urn), `logging starts after the log bucket's ${dep}`);
            }
            const noIdentity = { Version: "2012-10-17", Statement: [] };
            const deliver = (context: Record<string, string>) => simulate(noIdentity, "s3:PutObject", `${logs.state.arn}/traces/2026-12-05-00-00-00-ABC`, { principal: "logging.s3.amazonaws.com", resourcePolicy: policy, context });
            const fromTraces = { "aws:SourceArn": traces.state.arn, "aws:SourceAccount": MOCK_ACCOUNT, "aws:SecureTransport": "true" };
            assert.equal(await deliver(fromTraces), "Allowed");
            assert.equal(await deliver({ ...fromTraces, "aws:SourceArn": "arn:aws:s3:::another-bucket" }), "ImplicitlyDenied", "no confused deputy");
            assert.equal(await deliver({ ...fromTraces, "aws:SourceAccount": "999999999999" }), "ImplicitlyDenied");
        });

        it("stores span metrics in an AMP workspace: a Prometheus agent remote-writes with SigV4 through its own role (aps:RemoteWrite only)", async () => {
            const workspace = one(result.resources, WORKSPACE);
            assert.equal(workspace.inputs.alias, "agents-test");
            const values = release(result.resources, "prometheus").inputs.values;
            assert.deepEqual(values.server.defaultFlagsOverride, ["--agent", "--config.file=/etc/config/prometheus.yml", "--storage.agent.path=/data", "--web.enable-lifecycle"]);
            assert.deepEqual(values.server.remoteWrite[0].sigv4, { region: "eu-west-1" });
            assert.equal(values.server.remoteWrite[0].url, `${workspace.state.prometheusEndpoint}api/v1/remote_write`);
            assert.equal(values.server.persistentVolume.enabled, false, "the agent's WAL lives on an emptyDir");
            assert.deepEqual(values.serverFiles["prometheus.yml"].rule_files, [], "an agent refuses rule files");
            for (const sub of ["alertmanager", "kube-state-metrics", "prometheus-node-exporter", "prometheus-pushgateway"]) assert.equal(values[sub].enabled, false, sub);
            const association = one(result.resources, ASSOCIATION, "tracing-prometheus");
            assert.equal(association.inputs.serviceAccount, PROMETHEUS_SERVER);
            assert.equal(values.serviceAccounts.server.name, PROMETHEUS_SERVER, "the chart's service account is the associated one");
            assert.ok(release(result.resources, "prometheus").dependencies.includes(association.urn), "the association exists before Prometheus' pods");
            const policy = json(one(result.resources, ROLE_POLICY, "tracing-prometheus").inputs.policy);
            assert.deepEqual(policy, ampWriterPolicy(workspace.state.arn));
            await assertRealNarrowActions(policy);
            assert.equal(await simulate(policy, "aps:RemoteWrite", workspace.state.arn), "Allowed");
            assert.equal(await simulate(policy, "aps:QueryMetrics", workspace.state.arn), "ImplicitlyDenied");
            assert.equal(await simulate(policy, "aps:RemoteWrite", `arn:aws:aps:eu-west-1:${MOCK_ACCOUNT}:workspace/ws-other`), "ImplicitlyDenied");
            assert.equal(result.outputs.metricsWorkspaceArn, workspace.state.arn);
            assert.equal(result.outputs.metricsQueryUrl, workspace.state.prometheusEndpoint);
        });

        it("lets Grafana query the workspace with SigV4 through the AMP data source plugin and a role of its own", async () => {
            const workspace = one(result.resources, WORKSPACE);
            const values = release(result.resources, "grafana").inputs.values;
            const prometheus = values.datasources["datasources.yaml"].datasources[1];
            assert.equal(prometheus.type, GRAFANA_AMP_PLUGIN.id);
            assert.equal(prometheus.url, workspace.state.prometheusEndpoint);
            assert.deepEqual([prometheus.jsonData.sigV4Auth, prometheus.jsonData.sigV4AuthType, prometheus.jsonData.sigV4Region], [true, "default", "eu-west-1"]);
            assert.deepEqual(values.plugins, [`${GRAFANA_AMP_PLUGIN.id}@${GRAFANA_AMP_PLUGIN.version}`]);
            assert.equal(one(result.resources, ASSOCIATION, "tracing-grafana").inputs.serviceAccount, values.serviceAccount.name);
            const policy = json(one(result.resources, ROLE_POLICY, "tracing-grafana").inputs.policy);
            await assertRealNarrowActions(policy);
            for (const action of AMP_QUERY_ACTIONS) assert.equal(await simulate(policy, action, workspace.state.arn), "Allowed", action);
            assert.equal(await simulate(policy, "aps:RemoteWrite", workspace.state.arn), "ImplicitlyDenied");
            assert.ok(release(result.resources, "grafana").dependencies.includes(one(result.resources, ASSOCIATION, "tracing-grafana").urn), "the association exists before Grafana's pods");
        });

        it("provisions the alert rules with their default thresholds, and no contact point when none is given", () => {
            const alerting = release(result.resources, "grafana").inputs.values.alerting;
            assert.deepEqual(Object.keys(alerting), ["rules.yaml"]);
            const rules = alerting["rules.yaml"].groups[0].rules;
            const ids = Object.keys(alertQueries([])) as AlertId[];
            assert.deepEqual(rules.map((r: { uid: string }) => r.uid), ids.map(ruleUid), "every Grafana rule but the per-queue one, which has no queue to watch");
            for (const r of rules) {
                assert.equal(r.data[0].datasourceUid, "prometheus");
                const id = ids.find((i) => ruleUid(i) === r.uid)!;
                assert.deepEqual([r.for, r.data[1].model.conditions[0].evaluator.params], [ALERTS[id].defaultFor, [ALERTS[id].defaultThreshold]], id);
            }
        });
    });

    describe("local Prometheus (dev shape)", () => {
        let result: Awaited<ReturnType<typeof tracing>>;
        before(async () => { result = await tracing({ storage: "local", collectorReplicas: 1, metrics: "local", metricsStorageGiB: 4, metricsRetentionDays: 7 }); });

        it("keeps span metrics in an in-cluster Prometheus server with a volume, which Grafana queries", () => {
            const values = release(result.resources, "prometheus").inputs.values;
            assert.equal(values.server.retention, "7d");
            assert.deepEqual(values.server.persistentVolume, { enabled: true, size: "4Gi", mountPath: "/data" });
            assert.equal(values.server.defaultFlagsOverride, undefined, "a server, not an agent");
            assert.equal(values.server.remoteWrite, undefined);
            assert.equal(result.outputs.metricsQueryUrl, "http://prometheus-server.observability.svc.cluster.local:80");
            assert.equal(result.outputs.metricsWorkspaceArn, undefined);
            const grafana = release(result.resources, "grafana").inputs.values;
            const prometheus = grafana.datasources["datasources.yaml"].datasources[1];
            assert.deepEqual([prometheus.type, prometheus.url], ["prometheus", result.outputs.metricsQueryUrl]);
            assert.equal(grafana.plugins, undefined, "no plugin to download");
            assert.equal(grafana.serviceAccount.name, GRAFANA_SERVICE_ACCOUNT);
            assert.ok(release(result.resources, "grafana").dependencies.includes(release(result.resources, "prometheus").urn));
        });
    });

    describe("alerting through the stack's SNS topic", () => {
        const topicArn = `arn:aws:sns:eu-west-1:${MOCK_ACCOUNT}:agent-platform-test-alerts`;
        const topicKeyArn = `arn:aws:kms:eu-west-1:${MOCK_ACCOUNT}:key/2222`;
        let result: Awaited<ReturnType<typeof tracing>>;
        before(async () => {
            result = await tracing({
                storage: "local", metrics: "local",
                alerting: { snsTopicArn: topicArn, snsTopicKeyArn: topicKeyArn, rules: { stepLatencyP95: { threshold: 30, for: "5m" } }, queues: [{ name: "test-jobs", maxJobDurationSeconds: 600 }] },
            });
        });

        it("publishes alerts to the topic with a role that may publish there and nowhere else", async () => {
            const values = release(result.resources, "grafana").inputs.values;
            const [cp] = values.alerting["contactpoints.yaml"].contactPoints;
            assert.deepEqual(cp.receivers[0].settings, { topic_arn: topicArn, sigv4: { region: "eu-west-1" } });
            const policy = json(one(result.resources, ROLE_POLICY, "tracing-grafana").inputs.policy);
            assert.deepEqual(policy, policyDocument(grafanaAwsStatements({ topicArn, topicKeyArn })));
            assert.equal(await simulate(policy, "sns:Publish", topicArn), "Allowed");
            assert.equal(await simulate(policy, "sns:Publish", `arn:aws:sns:eu-west-1:${MOCK_ACCOUNT}:other`), "ImplicitlyDenied");
            assert.equal(await simulate(policy, "kms:GenerateDataKey", topicKeyArn, { resourcePolicy: defaultKeyPolicy() }), "Allowed");
            assert.equal(await simulate(policy, "aps:QueryMetrics", `arn:aws:aps:eu-west-1:${MOCK_ACCOUNT}:workspace/ws-1`), "ImplicitlyDenied", "metrics are local");
        });

        it("renders the configured thresholds and watches the given queues", () => {
            const rules = release(result.resources, "grafana").inputs.values.alerting["rules.yaml"].groups[0].rules;
            const step = rules.find((r: { uid: string }) => r.uid === "agent-platform-step-latency-p95");
            assert.equal(step.for, "5m");
            assert.deepEqual(step.data[1].model.conditions[0].evaluator.params, [30]);
            const queue = rules.find((r: { uid: string }) => r.uid === "agent-platform-queue-not-consumed");
            assert.match(queue.data[0].model.expr, /messaging_destination_name="test-jobs"\}\[15m\]/);
        });
    });

    describe("alerting through a Slack webhook read from a Secret", () => {
        it("reads the URL from the Secret into the environment, restarts Grafana when it changes, and never holds the URL", async () => {
            const result = await tracing({ storage: "local", metrics: "local", alerting: { slackWebhookSecret: { name: "alerting", key: "SLACK_WEBHOOK_URL" } } });
            const values = release(result.resources, "grafana").inputs.values;
            assert.deepEqual(values.envValueFrom, { ALERTING_SLACK_WEBHOOK_URL: { secretKeyRef: { name: "alerting", key: "SLACK_WEBHOOK_URL" } } });
            assert.deepEqual(values.annotations, { "secret.reloader.stakater.com/reload": "alerting" });
            assert.deepEqual(values.alerting["contactpoints.yaml"].contactPoints[0].receivers[0].settings, { url: "${ALERTING_SLACK_WEBHOOK_URL}" });
            assert.equal(ofType(result.resources, ROLE).length, 0, "no AWS access needed");
        });
    });
});
