import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { stringify as toYaml } from "yaml";
import { Alerts, AlertsArgs } from "../../components/alerts";
import { alertTopicKeyPolicy, alertTopicPolicy, cacheNodeAlarms, chatbotGuardrails, queueOldestMessageAlarm } from "../../components/alerts/alarms";
import { alertRulesSchema } from "../../components/alerts/args";
import { GRAFANA_CONTACT_POINT, grafanaAlerting, ruleUid } from "../../components/alerts/grafana";
import { AlertEngine, AlertId, alertQueries, ALERTS, alertsOf, consumptionWindow, MIN_CALLS, WatchedQueue } from "../../components/alerts/rules";
import { parseArgs } from "../../components/shared/schema";
import {
    GEN_AI_OPERATIONS, kedaSqsMetricPattern, MESSAGING_OPERATIONS, producedSeries, SCRAPE_JOBS, SPAN_KINDS, SPAN_LABELS, STATUS_CODES,
} from "../../components/tracing/metrics";
import { besidesStack, json, MOCK_ACCOUNT, ofType, one, runProgram } from "../../testing";
import { agentSource } from "../support/agentSource";
import { assertRealActions, simulate } from "../support/iam";
import { promqlRefs } from "../support/promql";

const QUEUES: WatchedQueue[] = [{ name: "test-jobs", maxJobDurationSeconds: 300 }, { name: "test-local-jobs", maxJobDurationSeconds: 1800 }];
const defaults = () => parseArgs("rules", alertRulesSchema, {}) as Record<AlertId, { threshold: number; for: string }>;

describe("alert rules: every query reads series the platform produces", () => {
    const queries = alertQueries(QUEUES);
    const series = producedSeries();
    const source = agentSource();

    it("has a query for every Grafana rule of the catalog, and none for a CloudWatch one", () => {
        assert.deepEqual(Object.keys(queries).sort(), alertsOf(AlertEngine.Grafana).sort());
        assert.deepEqual(Object.keys(alertQueries([])).sort(), alertsOf(AlertEngine.Grafana).filter((id) => id !== "queueNotConsumed").sort(), "no queue, no queue rule");
    });

    for (const [id, expr] of Object.entries(queries)) {
        it(`${id}: selects produced series by labels they carry, groups by labels they carry`, () => {
            const refs = promqlRefs(expr);
            assert.ok(refs.selectors.length > 0);
            const labels = new Set<string>();
            for (const s of refs.selectors) {
                const spec = series.get(s.metric);
                assert.ok(spec, `${s.metric} is a series the collector, KEDA or Prometheus produces`);
                spec.labels.forEach((l) => labels.add(l));
                for (const m of s.matchers) assert.ok(spec.labels.includes(m.label), `${s.metric} carries ${m.label}`);
            }
            for (const r of refs.replaced) {
                assert.ok(r.src === "" || labels.has(r.src), `label_replace reads ${r.src}`);
                labels.add(r.dst);
            }
            for (const g of refs.groupingLabels) assert.ok(labels.has(g), `${id} groups by ${g}, a label of its series`);
        });

        it(`${id}: compares labels with values that exist (the agent's, the connector's, the stack's)`, () => {
            for (const s of promqlRefs(expr).selectors) {
                for (const m of s.matchers) {
                    const values = m.op.endsWith("~") ? m.value.split("|") : [m.value];
                    for (const v of values) {
                        switch (m.label) {
                            case SPAN_LABELS.operation: case SPAN_LABELS.messagingOperation:
                                assert.ok(source.includes(`"${v}"`), `the agent writes ${m.label}="${v}"`); break;
                            case SPAN_LABELS.statusCode: assert.ok((Object.values(STATUS_CODES) as string[]).includes(v), v); break;
                            case SPAN_LABELS.spanKind: assert.ok((Object.values(SPAN_KINDS) as string[]).includes(v), v); break;
                            case SPAN_LABELS.queue: assert.ok(QUEUES.some((q) => q.name === v), `queue ${v} is watched`); break;
                            case SPAN_LABELS.llmAttempts: assert.match(v, /^\d*$/, "attempts are counts"); break;
                            case "job": assert.ok((Object.values(SCRAPE_JOBS) as string[]).includes(v), `job ${v} is scraped`); break;
                            case "metric": assert.ok(QUEUES.some((q) => v === kedaSqsMetricPattern(q.name)), v); break;
                            default: assert.fail(`${id}: no known values for ${m.label}`);
                        }
                    }
                }
            }
        });
    }

    it("measures what each alert says: errors of execute_tool, retried chats, failed processes, p95s, lost spans", () => {
        const L = SPAN_LABELS;
        assert.match(queries.toolErrorRate!, new RegExp(`${L.operation}="${GEN_AI_OPERATIONS.executeTool}", ${L.statusCode}="${STATUS_CODES.error}"`));
        assert.match(queries.toolErrorRate!, new RegExp(`>= ${MIN_CALLS}$`), "judged only with enough calls");
        assert.match(queries.llmRetryRate!, new RegExp(`${L.operation}="chat", ${L.llmAttempts}!~"\\|1"`), "attempts other than none (failed) and one");
        assert.match(queries.jobFailureRate!, new RegExp(`${L.messagingOperation}="${MESSAGING_OPERATIONS.process}", ${L.statusCode}="${STATUS_CODES.error}"`));
        assert.match(queries.queueTimeP95!, /^histogram_quantile\(0\.95, sum by \(messaging_destination_name, le\) \(rate\(agent_job_queue_time_seconds_bucket\{\}\[10m\]\)\)\)$/);
        assert.match(queries.stepLatencyP95!, /gen_ai_operation_name=~"invoke_agent\|chat\|execute_tool"/);
        for (const s of ["otelcol_receiver_refused_spans_total", "otelcol_exporter_enqueue_failed_spans_total", "otelcol_exporter_send_failed_spans_total"]) {
            assert.ok(queries.droppedSpans!.includes(`(sum(rate(${s}[5m])) or vector(0))`), s);
        }
    });

    it("waits the longest job plus a margin before a queue counts as not consumed, per queue", () => {
        assert.equal(consumptionWindow(QUEUES[0]), "10m");
        assert.equal(consumptionWindow(QUEUES[1]), "35m");
        const parts = queries.queueNotConsumed!.split(" or label_replace");
        assert.equal(parts.length, 2);
        assert.match(parts[0], /s\[0-9\]\+-aws-sqs-test-jobs"\}\) unless \(sum\(increase\(.*messaging_destination_name="test-jobs"\}\[10m\]\)\) > 0\), "messaging_destination_name", "test-jobs"/);
        assert.match(parts[1], /"test-local-jobs"\}\[35m\]/);
    });
});

describe("Grafana's alerting provisioning", () => {
    const rules = { ...defaults(), toolErrorRate: { threshold: 0.25, for: "15m" } };
    const files = grafanaAlerting({ rules, queues: QUEUES, datasourceUid: "prometheus", contactPoint: { slackWebhookEnv: "SLACK_URL" } }) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const provisioned = files["rules.yaml"].groups[0].rules;

    it("provisions every Grafana rule once, with the configured threshold and `for`, and a stable uid", () => {
        assert.equal(provisioned.length, alertsOf(AlertEngine.Grafana).length);
        const tool = provisioned.find((r: { uid: string }) => r.uid === ruleUid("toolErrorRate"));
        assert.equal(tool.for, "15m");
        assert.deepEqual(tool.data[1].model.conditions, [{ evaluator: { type: "gt", params: [0.25] } }]);
        const collector = provisioned.find((r: { uid: string }) => r.uid === ruleUid("collectorDown"));
        assert.deepEqual(collector.data[1].model.conditions[0].evaluator, { type: "lt", params: [1] });
        const uids = provisioned.map((r: { uid: string }) => r.uid);
        assert.equal(new Set(uids).size, uids.length);
        for (const uid of uids) assert.match(uid, /^[a-z0-9-]{1,40}$/);
        for (const r of provisioned) {
            assert.equal(r.condition, "C");
            assert.equal(r.data[0].datasourceUid, "prometheus");
            assert.equal(r.data[0].model.instant, true);
            assert.equal(r.noDataState, "OK", "no traffic is no alert");
            assert.match(r.annotations.runbook, /^docs\/components\/alerts\.md#[a-z0-9-]+$/);
        }
        const notConsumed = provisioned.find((r: { uid: string }) => r.uid === ruleUid("queueNotConsumed"));
        assert.equal(notConsumed.data[0].relativeTimeRange.from, 35 * 60, "the query looks back its longest window");
    });

    it("has no text Helm's tpl or Grafana's $VAR expansion would rewrite", () => {
        const text = toYaml(files["rules.yaml"]);
        assert.ok(!text.includes("{{"), "no Go template");
        assert.ok(!text.includes("$"), "no $ (Grafana expands $VAR in provisioning files)");
    });

    it("routes every alert to the one contact point: a Slack webhook read from the environment", () => {
        const [cp] = files["contactpoints.yaml"].contactPoints;
        assert.equal(cp.name, GRAFANA_CONTACT_POINT);
        assert.deepEqual(cp.receivers.map((r: { type: string; settings: unknown }) => [r.type, r.settings]), [["slack", { url: "${SLACK_URL}" }]]);
        assert.equal(files["policies.yaml"].policies[0].receiver, GRAFANA_CONTACT_POINT);
    });

    it("publishes to the SNS topic with the pod's AWS credentials, or has no contact point at all", () => {
        const sns = grafanaAlerting({ rules, queues: [], datasourceUid: "prometheus", contactPoint: { sns: { topicArn: "arn:aws:sns:us-east-1:123456789012:t", region: "us-east-1" } } }) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
        assert.deepEqual(sns["contactpoints.yaml"].contactPoints[0].receivers[0].settings, { topic_arn: "arn:aws:sns:us-east-1:123456789012:t", sigv4: { region: "us-east-1" } });
        const none = grafanaAlerting({ rules, queues: [], datasourceUid: "prometheus", contactPoint: {} });
        assert.deepEqual(Object.keys(none), ["rules.yaml"]);
        assert.throws(() => grafanaAlerting({ rules, queues: [], datasourceUid: "p", contactPoint: { sns: { topicArn: "a", region: "r" }, slackWebhookEnv: "X" } }), /one contact point/);
    });
});

describe("CloudWatch alarms and the alert topic (pure)", () => {
    const rules = defaults();

    it("alarms on a queue's oldest message and on each cache node's memory, evictions and engine CPU, `for` as one-minute periods", () => {
        const queue = queueOldestMessageAlarm("prod-jobs", { threshold: 600, for: "5m" });
        assert.deepEqual(
            [queue.namespace, queue.metricName, queue.dimensions, queue.statistic, queue.period, queue.evaluationPeriods, queue.threshold, queue.comparisonOperator],
            ["AWS/SQS", "ApproximateAgeOfOldestMessage", { QueueName: "prod-jobs" }, "Maximum", 60, 5, 600, "GreaterThanThreshold"],
        );
        assert.match(queue.description, /docs\/components\/alerts\.md#oldest-message-in-a-queue/);
        const node = cacheNodeAlarms("agents-prod-context-002", { ...rules, cacheMemory: { threshold: 90, for: "15m" } });
        assert.deepEqual(node.map((a) => [a.name, a.metricName, a.statistic, a.evaluationPeriods, a.threshold]), [
            ["agents-prod-context-002-memory", "DatabaseMemoryUsagePercentage", "Maximum", 15, 90],
            ["agents-prod-context-002-evictions", "Evictions", "Sum", 5, 0],
            ["agents-prod-context-002-engine-cpu", "EngineCPUUtilization", "Average", 10, 80],
        ]);
        for (const a of node) assert.deepEqual(a.dimensions, { CacheClusterId: "agents-prod-context-002" });
    });

    const account = { accountId: MOCK_ACCOUNT, partition: "aws", region: "us-east-1" };
    const topicArn = `arn:aws:sns:us-east-1:${MOCK_ACCOUNT}:agent-platform-prod-alerts`;
    const keyArn = `arn:aws:kms:us-east-1:${MOCK_ACCOUNT}:key/1111`;

    it("lets CloudWatch (this account's alarms) and, through SNS, the account's principals use the topic's key", async () => {
        const key = alertTopicKeyPolicy(account);
        const noIdentity = { Version: "2012-10-17", Statement: [] };
        const asCloudWatch = (action: string, context: Record<string, string>) =>
            simulate(noIdentity, action, keyArn, { principal: "cloudwatch.amazonaws.com", resourcePolicy: key, context });
        assert.equal(await asCloudWatch("kms:GenerateDataKey", { "aws:SourceAccount": MOCK_ACCOUNT }), "Allowed");
        assert.equal(await asCloudWatch("kms:GenerateDataKey", { "aws:SourceAccount": "999999999999" }), "ImplicitlyDenied");
        const publisher = `arn:aws:sts::${MOCK_ACCOUNT}:assumed-role/grafana/pod`;
        const identity = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: keyArn }] };
        const viaSns = { "kms:ViaService": "sns.us-east-1.amazonaws.com", "kms:CallerAccount": MOCK_ACCOUNT };
        assert.equal(await simulate(identity, "kms:GenerateDataKey", keyArn, { principal: publisher, resourcePolicy: key, context: viaSns }), "Allowed");
        assert.equal(await simulate(identity, "kms:Decrypt", keyArn, { principal: publisher, resourcePolicy: key, context: { "kms:CallerAccount": MOCK_ACCOUNT } }), "ImplicitlyDenied", "not outside SNS");
    });

    it("lets this account's CloudWatch alarms publish to the topic, over TLS only", async () => {
        const policy = alertTopicPolicy(topicArn, account);
        const noIdentity = { Version: "2012-10-17", Statement: [] };
        const alarm = { "aws:SourceArn": `arn:aws:cloudwatch:us-east-1:${MOCK_ACCOUNT}:alarm:prod-jobs-oldest-message`, "aws:SourceAccount": MOCK_ACCOUNT, "aws:SecureTransport": "true" };
        assert.equal(await simulate(noIdentity, "sns:Publish", topicArn, { principal: "cloudwatch.amazonaws.com", resourcePolicy: policy, context: alarm }), "Allowed");
        assert.equal(await simulate(noIdentity, "sns:Publish", topicArn, { principal: "cloudwatch.amazonaws.com", resourcePolicy: policy, context: { ...alarm, "aws:SourceAccount": "999999999999" } }), "ImplicitlyDenied");
        assert.equal(await simulate(noIdentity, "sns:Publish", topicArn, { principal: "cloudwatch.amazonaws.com", resourcePolicy: policy, context: { ...alarm, "aws:SecureTransport": "false" } }), "ExplicitlyDenied");
    });

    it("caps what AWS Chatbot's channel may do at reading CloudWatch (its default guardrail is AdministratorAccess)", () => {
        assert.deepEqual(chatbotGuardrails("aws"), ["arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"]);
    });
});

describe("Alerts (component)", () => {
    const render = (args: Partial<AlertsArgs>) => runProgram(() => {
        const a = new Alerts("alerts", { environment: "prod", queues: { jobs: "prod-jobs" }, cacheClusterIds: ["agents-prod-context-001", "agents-prod-context-002"], ...args });
        return { topicArn: a.topicArn, alarmNames: a.alarmNames };
    }, { config: { "aws:region": "us-east-1" } });

    it("creates the encrypted topic, its policy, subscriptions and alarms that notify it (and on recovery)", async () => {
        const url = "https://events.pagerduty.com/integration/0123456789abcdef/enqueue";
        const r = await render({ email: ["oncall@example.com"], slack: { workspaceId: "T07EA123LEP", channelId: "C07EZ1ABC23" }, pagerDuty: true, pagerDutyUrl: pulumi.secret(url) });
        const topic = one(r.resources, "aws:sns/topic:Topic");
        const key = one(r.resources, "aws:kms/key:Key");
        assert.equal(topic.inputs.name, "agent-platform-prod-alerts");
        assert.equal(topic.inputs.kmsMasterKeyId, key.state.arn);
        assert.equal(json(key.inputs.policy).Statement.find((s: { Sid: string }) => s.Sid === "CloudWatchAlarmsEncrypt").Principal.Service, "cloudwatch.amazonaws.com");
        assert.equal(one(r.resources, "aws:sns/topicPolicy:TopicPolicy").inputs.arn, topic.state.arn);
        const subs = ofType(r.resources, "aws:sns/topicSubscription:TopicSubscription");
        assert.deepEqual(subs.map((s) => s.inputs.protocol).sort(), ["email", "https"]);
        const pagerDuty = subs.find((s) => s.inputs.protocol === "https")!;
        assert.ok(pagerDuty.secretPaths.includes("endpoint"), "the PagerDuty URL is a secret in the state");
        assert.equal(pagerDuty.inputs.endpointAutoConfirms, true);
        for (const res of r.resources.filter((x) => x !== pagerDuty)) assert.ok(!JSON.stringify(res.inputs).includes("0123456789abcdef"), `${res.type} holds no PagerDuty key`);
        const chatbot = one(r.resources, "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration");
        assert.deepEqual(chatbot.inputs.snsTopicArns, [topic.state.arn]);
        assert.deepEqual(chatbot.inputs.guardrailPolicyArns, ["arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"]);
        const role = one(r.resources, "aws:iam/role:Role");
        assert.equal(chatbot.inputs.iamRoleArn, role.state.arn);
        assert.equal(json(role.inputs.assumeRolePolicy).Statement[0].Principal.Service, "chatbot.amazonaws.com");
        assert.equal(ofType(r.resources, "aws:iam/rolePolicy:RolePolicy").length, 0, "the channel role has no permissions");
        const alarms = ofType(r.resources, "aws:cloudwatch/metricAlarm:MetricAlarm");
        assert.equal(alarms.length, 1 + 2 * 3);
        for (const a of alarms) {
            assert.deepEqual(a.inputs.alarmActions, [topic.state.arn], a.inputs.name);
            assert.deepEqual(a.inputs.okActions, [topic.state.arn]);
        }
        assert.deepEqual((r.outputs.alarmNames as string[]).sort(), alarms.map((a) => a.inputs.name).sort());
        assert.equal(r.outputs.topicArn, topic.state.arn);
    });

    it("has no topic with the grafana contact point: its alarms only change state", async () => {
        const r = await render({ contactPoint: "grafana" });
        assert.equal(ofType(r.resources, "aws:sns/topic:Topic").length, 0);
        assert.equal(ofType(r.resources, "aws:kms/key:Key").length, 0);
        const alarms = ofType(r.resources, "aws:cloudwatch/metricAlarm:MetricAlarm");
        assert.equal(alarms.length, 1 + 2 * 3, "the same alarms as with a topic");
        for (const a of alarms) assert.deepEqual(a.inputs.alarmActions, []);
        assert.equal(r.outputs.topicArn, undefined);
    });

    it("names only real IAM actions, no wildcard, in its key and topic policies (Resource \"*\" in a key policy is the key itself)", async () => {
        const docs = [alertTopicKeyPolicy({ accountId: MOCK_ACCOUNT, partition: "aws", region: "us-east-1" }), alertTopicPolicy("arn:aws:sns:us-east-1:1:t", { accountId: MOCK_ACCOUNT, partition: "aws", region: "us-east-1" })];
        await assertRealActions(docs.flatMap((d) => d.Statement.flatMap((s) => [s.Action].flat())));
    });

    const invalid: [string, Partial<AlertsArgs>, RegExp][] = [
        ["a threshold out of bounds", { rules: { toolErrorRate: { threshold: 1.5 } } }, /rules\.toolErrorRate\.threshold: got 1\.5; allowed: a number from 0 to 1/],
        ["a CloudWatch `for` that is not whole minutes", { rules: { cacheMemory: { for: "90s" } } }, /rules\.cacheMemory\.for: got "90s"; allowed: whole minutes from "1m" to "24h"/],
        ["a `for` that is no duration", { rules: { queueTimeP95: { for: "ten minutes" } } }, /rules\.queueTimeP95\.for: got "ten minutes"/],
        ["an unknown alert", { rules: { diskFull: {} } as never }, /rules\.diskFull: got \{\}; allowed: no such key/],
        ["PagerDuty without its URL", { pagerDuty: true }, /pagerDutyUrl: got nothing; allowed: the PagerDuty integration URL/],
        ["email with the grafana contact point", { contactPoint: "grafana", email: ["a@example.com"] }, /email: got \["a@example\.com"\]; allowed: none with contactPoint "grafana"/],
        ["a bad Slack channel id", { slack: { workspaceId: "T07EA123LEP", channelId: "general" } }, /slack\.channelId: got "general"; allowed: a Slack channel id/],
    ];
    for (const [what, args, message] of invalid) {
        it(`refuses ${what} before registering anything`, async () => {
            const r = await runProgram(() => new Alerts("alerts", { environment: "prod", ...args }), { captureError: true });
            assert.ok(pulumi.InputPropertiesError.isInstance(r.error), String(r.error));
            assert.match(r.error!.message, message);
            assert.deepEqual(besidesStack(r.resources), []);
        });
    }
});

describe("the alert catalog", () => {
    it("gives every alert a title, bounds around its default, a `for` its engine accepts and a runbook anchor", () => {
        const parsed = defaults();
        for (const [id, spec] of Object.entries(ALERTS)) {
            assert.ok(spec.min <= spec.defaultThreshold && spec.defaultThreshold <= spec.max, id);
            assert.deepEqual(parsed[id as AlertId], { threshold: spec.defaultThreshold, for: spec.defaultFor });
            assert.match(spec.runbook, /^[a-z0-9-]+$/);
        }
        assert.equal(new Set(Object.values(ALERTS).map((a) => a.runbook)).size, Object.keys(ALERTS).length);
    });
});
