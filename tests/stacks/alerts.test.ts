import * as assert from "node:assert/strict";
import { ALERTS, AlertEngine, alertsOf, AlertId } from "../../components/alerts/rules";
import { ruleUid } from "../../components/alerts/grafana";
import { alertTopicName } from "../../components/alerts/alarms";
import { ALERTING_SECRET } from "../../components/secrets/spec";
import { OBSERVABILITY_NAMESPACE } from "../../components/shared/placement";
import { GRAFANA_CHART } from "../../components/shared/versions";
import { kubernetesObjects, ofType, one, RunResult } from "../../testing";
import { waitsFor } from "../../scripts/criticalPath";
import { AWS_STACKS, runStack, sharedRender, stackConfig, STACKS } from "../../stacks/offline";
import { assertConfigRejected } from "../support/config";
import { assertNowherePlain } from "../support/secrets";
import { validateKubernetesObject } from "../support/kubernetesSchema";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const TOPIC = "aws:sns/topic:Topic";
const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
const SECRET_VALUES = "agent-platform:secretValues";

interface AlertsConfig { contactPoint?: string; email?: string[]; slackWebhook?: boolean; rules?: Partial<Record<AlertId, { threshold?: number; for?: string }>> }
const alertsOf_ = (stack: string) => (stackConfig(stack)["agent-platform:alerts"] ?? {}) as AlertsConfig;
const queuesOf = (stack: string) => stackConfig(stack)["agent-platform:queues"] as { name: string }[];
const cacheOf = (stack: string) => stackConfig(stack)["agent-platform:contextStore"] as { mode: string; replicas?: number };

/** The threshold and `for` a stack configures for an alert, or the alert's defaults. */
function expected(stack: string, id: AlertId) {
    const configured = alertsOf_(stack).rules?.[id] ?? {};
    return { threshold: configured.threshold ?? ALERTS[id].defaultThreshold, for: configured.for ?? ALERTS[id].defaultFor };
}

/* eslint-disable @typescript-eslint/no-explicit-any */
const grafanaValues = (r: RunResult): any => one(r.resources.filter((x) => x.inputs.chart === GRAFANA_CHART.chart), "kubernetes:helm.sh/v3:Release").inputs.values;

for (const stack of STACKS) {
    describe(`alerts in the ${stack} stack`, () => {
        let r: RunResult;
        before(async () => { r = await sharedRender(stack); });
        const sns = (alertsOf_(stack).contactPoint ?? "sns") === "sns";
        const onAws = (AWS_STACKS as readonly string[]).includes(stack);

        it("provisions every Grafana rule with the stack's threshold and `for`, watching each of its queues", () => {
            const rules = grafanaValues(r).alerting["rules.yaml"].groups[0].rules as any[];
            assert.deepEqual(rules.map((x) => x.uid).sort(), alertsOf(AlertEngine.Grafana).map(ruleUid).sort());
            for (const id of alertsOf(AlertEngine.Grafana)) {
                const rule = rules.find((x) => x.uid === ruleUid(id));
                const want = expected(stack, id);
                assert.equal(rule.for, want.for, id);
                assert.deepEqual(rule.data[1].model.conditions[0].evaluator.params, [want.threshold], id);
            }
            const notConsumed = rules.find((x) => x.uid === ruleUid("queueNotConsumed")).data[0].model.expr as string;
            for (const q of queuesOf(stack)) assert.ok(notConsumed.includes(`messaging_destination_name="${stack}-${q.name}"`), `watches ${q.name}`);
        });

        if (!onAws) it("has no CloudWatch alarm, topic or AMP workspace: Grafana's rules over the in-cluster Prometheus are the alerting", () => {
            assert.deepEqual(r.resources.filter((x) => x.type.startsWith("aws:")).map((x) => x.type), []);
            assert.equal(r.resources.filter((x) => x.type === "agent-platform:index:Alerts").length, 0);
            assert.equal(grafanaValues(r).alerting["rules.yaml"].groups[0].rules.length, alertsOf(AlertEngine.Grafana).length);
            assert.equal(grafanaValues(r).alerting["contactpoints.yaml"], undefined, "no receiver: alerts show in Grafana");
        });

        if (onAws) it("alarms on every queue's oldest message and on every cache node, with the stack's thresholds", () => {
            const alarms = ofType(r.resources, ALARM);
            for (const q of queuesOf(stack)) {
                const alarm = alarms.find((a) => a.inputs.name === `${stack}-${q.name}-oldest-message`);
                assert.ok(alarm, q.name);
                assert.equal(alarm.inputs.threshold, expected(stack, "queueOldestMessage").threshold);
                assert.deepEqual(alarm.inputs.dimensions, { QueueName: `${stack}-${q.name}` });
            }
            const cache = cacheOf(stack);
            const nodes = cache.mode === "elasticache" ? 1 + (cache.replicas ?? 1) : 0;
            const cacheAlarms = alarms.filter((a) => a.inputs.namespace === "AWS/ElastiCache");
            assert.equal(cacheAlarms.length, nodes * 3, `${nodes} nodes × memory, evictions, engine CPU`);
            const group = ofType(r.resources, "aws:elasticache/replicationGroup:ReplicationGroup")[0];
            const members = (group?.state.memberClusters ?? []) as string[];
            assert.deepEqual([...new Set(cacheAlarms.map((a) => a.inputs.dimensions.CacheClusterId))].sort(), [...members].sort(), "one set per node of the replication group");
            for (const a of cacheAlarms.filter((x) => x.inputs.metricName === "DatabaseMemoryUsagePercentage")) assert.equal(a.inputs.threshold, expected(stack, "cacheMemory").threshold);
        });

        if (sns) {
            it("has one contact point: the SNS topic every alarm (the DLQ alarms too) and Grafana publish to", () => {
                const topic = one(r.resources, TOPIC);
                assert.equal(topic.inputs.name, alertTopicName(stack));
                assert.equal(r.outputs.alertTopicArn, topic.state.arn);
                for (const a of ofType(r.resources, ALARM)) {
                    assert.deepEqual(a.inputs.alarmActions, [topic.state.arn], `${a.inputs.name} notifies the topic`);
                    assert.deepEqual(a.inputs.okActions, [topic.state.arn]);
                }
                assert.ok(ofType(r.resources, ALARM).some((a) => a.inputs.name?.endsWith("-dlq-not-empty")), "the DLQ alarms are among them");
                const emails = ofType(r.resources, SUBSCRIPTION).filter((s) => s.inputs.protocol === "email").map((s) => s.inputs.endpoint);
                assert.deepEqual(emails.sort(), [...(alertsOf_(stack).email ?? [])].sort());
                const cp = grafanaValues(r).alerting["contactpoints.yaml"].contactPoints[0];
                assert.equal(cp.receivers[0].type, "sns");
                assert.equal(cp.receivers[0].settings.topic_arn, topic.state.arn);
                assert.equal(cp.receivers[0].settings.sigv4.region, stackConfig(stack)["aws:region"]);
            });
        } else if (alertsOf_(stack).slackWebhook) {
            it("has one contact point: Grafana's Slack webhook, read from the `alerting` secret ESO syncs; no topic, and alarms only change state", async () => {
                assert.equal(ofType(r.resources, TOPIC).length, 0);
                assert.equal(r.outputs.alertTopicArn, undefined);
                const cache = cacheOf(stack);
                const cacheNodes = cache.mode === "elasticache" ? 1 + (cache.replicas ?? 1) : 0;
                assert.equal(ofType(r.resources, ALARM).length, 2 * queuesOf(stack).length + 3 * cacheNodes, "each queue's oldest-message and DLQ alarms, three per cache node");
                for (const a of ofType(r.resources, ALARM)) assert.deepEqual(a.inputs.alarmActions, [], a.inputs.name);
                const values = grafanaValues(r);
                assert.equal(values.alerting["contactpoints.yaml"].contactPoints[0].receivers[0].type, "slack");
                assert.deepEqual(values.envValueFrom.ALERTING_SLACK_WEBHOOK_URL, { secretKeyRef: { name: ALERTING_SECRET.name, key: ALERTING_SECRET.slackWebhookKey } });
                const externalSecret = kubernetesObjects(r.resources, "ExternalSecret").find((e) => e.inputs.metadata.namespace === OBSERVABILITY_NAMESPACE && e.inputs.spec.target.name === ALERTING_SECRET.name);
                assert.ok(externalSecret, "ESO syncs the alerting secret into the observability namespace");
                await validateKubernetesObject(externalSecret.inputs);
                assert.deepEqual(externalSecret.inputs.spec.data.map((d: { secretKey: string }) => d.secretKey), [ALERTING_SECRET.slackWebhookKey]);
                const grafana = one(r.resources.filter((x) => x.inputs.chart === GRAFANA_CHART.chart), "kubernetes:helm.sh/v3:Release");
                assert.ok(waitsFor(r.resources)(grafana.urn, externalSecret.urn), "Grafana waits for the Secret it reads");
            });
        }
    });
}

describe("alert receivers' secrets stay secret", () => {
    it("prod: PagerDuty's integration URL reaches only its SNS subscription, as a secret", async () => {
        const url = "https://events.pagerduty.com/integration/5ecret0integration0key/enqueue";
        const prod = stackConfig("prod")["agent-platform:alerts"] as object;
        const r = await runStack("prod", { "agent-platform:alerts": { ...prod, pagerDuty: true }, [SECRET_VALUES]: { alerting: { PAGERDUTY_URL: url } } }, { secretKeys: [SECRET_VALUES] });
        const holders = assertNowherePlain(r.resources, "5ecret0integration0key");
        assert.deepEqual(holders.map((h) => h.type), [SUBSCRIPTION]);
        assert.deepEqual(holders[0].secretPaths, ["endpoint"]);
        assert.equal(holders[0].inputs.protocol, "https");
    });

    it("dev: the Slack webhook set in config is stored in Secrets Manager as a secret and reaches Grafana only through its Secret", async () => {
        const url = "https://hooks.slack.com/services/T000/B000/5ecretWebhookPath";
        const r = await runStack("dev", { [SECRET_VALUES]: { alerting: { SLACK_WEBHOOK_URL: url } } }, { secretKeys: [SECRET_VALUES] });
        const holders = assertNowherePlain(r.resources, "5ecretWebhookPath");
        assert.deepEqual(holders.map((h) => h.type), ["aws:secretsmanager/secretVersion:SecretVersion"]);
        assert.deepEqual(JSON.parse(holders[0].inputs.secretString), { SLACK_WEBHOOK_URL: url });
    });
});

describe("bad alerting configuration fails before anything is registered", () => {
    const cases: { title: string; stack: string; overrides: Record<string, unknown>; message: RegExp }[] = [
        { title: "a ratio above 1", stack: "prod", overrides: { "agent-platform:alerts": { rules: { toolErrorRate: { threshold: 1.5 } } } }, message: /agent-platform:alerts\.rules\.toolErrorRate\.threshold: got 1\.5; allowed: a number from 0 to 1/ },
        { title: "a `for` that is no duration", stack: "prod", overrides: { "agent-platform:alerts": { rules: { stepLatencyP95: { for: "soon" } } } }, message: /agent-platform:alerts\.rules\.stepLatencyP95\.for: got "soon"; allowed: a duration up to "24h"/ },
        { title: "a CloudWatch `for` that is not whole minutes", stack: "prod", overrides: { "agent-platform:alerts": { rules: { cacheCpu: { for: "30s" } } } }, message: /agent-platform:alerts\.rules\.cacheCpu\.for: got "30s"; allowed: whole minutes from "1m" to "24h"/ },
        { title: "an unknown alert", stack: "prod", overrides: { "agent-platform:alerts": { rules: { diskFull: { threshold: 90 } } } }, message: /agent-platform:alerts\.rules\.diskFull: got \{"threshold":90\}; allowed: no such key; known keys: toolErrorRate/ },
        { title: "an unknown contact point", stack: "staging", overrides: { "agent-platform:alerts": { contactPoint: "pager" } }, message: /agent-platform:alerts\.contactPoint: got "pager"; allowed: one of "sns", "grafana"/ },
        { title: "email with the grafana contact point", stack: "dev", overrides: { "agent-platform:alerts": { contactPoint: "grafana", email: ["a@example.com"] } }, message: /agent-platform:alerts\.email: got \["a@example\.com"\]; allowed: none with contactPoint "grafana"/ },
        { title: "a Slack webhook with the sns contact point", stack: "staging", overrides: { "agent-platform:alerts": { slackWebhook: true } }, message: /agent-platform:alerts\.slackWebhook: got true; allowed: false with contactPoint "sns"/ },
        { title: "PagerDuty without its URL in secretValues", stack: "prod", overrides: { "agent-platform:alerts": { pagerDuty: true } }, message: /agent-platform:secretValues\.alerting\.PAGERDUTY_URL: got nothing; allowed: PagerDuty's integration URL/ },
        { title: "the grafana contact point without Grafana", stack: "dev", overrides: { "agent-platform:tracing": { storage: "local", grafana: false } }, message: /agent-platform:alerts\.contactPoint: got "grafana"; allowed: "sns" unless tracing\.grafana is true/ },
        { title: "a secrets entry named alerting", stack: "staging", overrides: { "agent-platform:secrets": { entries: [{ name: "alerting", keys: ["X"] }] } }, message: /agent-platform:secrets\.entries\[0\]\.name: got "alerting"; allowed: a name other than the platform's own secrets/ },
        { title: "an invalid email address", stack: "staging", overrides: { "agent-platform:alerts": { email: ["oncall"] } }, message: /agent-platform:alerts\.email\[0\]: got "oncall"; allowed: an email address/ },
        { title: "metrics kept elsewhere", stack: "dev", overrides: { "agent-platform:tracing": { metrics: "cloudwatch" } }, message: /agent-platform:tracing\.metrics: got "cloudwatch"; allowed: one of "local", "amp"/ },
    ];
    for (const c of cases) {
        it(`${c.title} (${c.stack})`, async () => {
            const result = await runStack(c.stack, c.overrides, { captureError: true, secretKeys: [SECRET_VALUES] });
            assertConfigRejected(result, c.message);
        });
    }
});
