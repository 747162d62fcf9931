import * as assert from "node:assert/strict";
import { KEDA_NAMESPACE, KEDA_OPERATOR_SERVICE_ACCOUNT, kedaValues, scaledObjectFor } from "../../components/keda/spec";
import { KEDA_TRIGGER_AUTHENTICATION } from "../../components/keda/args";
import { AGENT_NAMESPACE } from "../../components/shared/placement";
import { denyInsecureTransportPolicy } from "../../components/taskQueue/spec";
import { KEDA_CHART } from "../../components/shared/versions";
import { json, MOCK_ACCOUNT, ofType, one, Registered, runProgram, RunResult } from "../../testing";
import { AWS_STACKS, runStack, sharedRender, stackConfig } from "../../stacks/offline";
import { waitsFor } from "../../scripts/criticalPath";
import { simulate } from "../support/iam";
import { validateKubernetesObject } from "../support/kubernetesSchema";
import { assertConfigRejected } from "../support/config";

interface QueueConfig { name: string; maxJobDurationSeconds: number; visibilityTimeoutSeconds?: number; maxReceiveCount?: number; retentionDays?: number }
interface AgentConfig { name: string; role: string; queue?: string; minReplicas?: number; maxReplicas?: number; messagesPerReplica?: number }

const queuesOf = (stack: string) => stackConfig(stack)["agent-platform:queues"] as QueueConfig[];
const agentsOf = (stack: string) => stackConfig(stack)["agent-platform:agents"] as AgentConfig[];
const regionOf = (stack: string) => String(stackConfig(stack)["aws:region"]);
const byName = (resources: Registered[], type: string, name: string) => one(resources.filter((r) => r.type === type && r.inputs.name === name), type);

// The local stack's queues (ElasticMQ) and KEDA (static key) are checked in local.test.ts.
for (const stack of AWS_STACKS) {
    describe(`queues and KEDA in the ${stack} stack`, () => {
        let run: RunResult;
        before(async () => {
            run = await sharedRender(stack);
        });

        it("creates one TaskQueue per configured queue, each with a DLQ and its redrive", () => {
            const queues = queuesOf(stack);
            assert.equal(ofType(run.resources, "agent-platform:index:TaskQueue").length, queues.length);
            for (const q of queues) {
                const queue = byName(run.resources, "aws:sqs/queue:Queue", `${stack}-${q.name}`);
                const dlq = byName(run.resources, "aws:sqs/queue:Queue", `${stack}-${q.name}-dlq`);
                assert.equal(queue.inputs.receiveWaitTimeSeconds, 20, "long polling");
                assert.ok(queue.inputs.visibilityTimeoutSeconds > q.maxJobDurationSeconds, `${q.name}: visibility > max job duration`);
                assert.equal(queue.inputs.visibilityTimeoutSeconds, q.visibilityTimeoutSeconds ?? q.maxJobDurationSeconds + 60);
                assert.equal(queue.inputs.messageRetentionSeconds, (q.retentionDays ?? 4) * 86400);
                assert.deepEqual(json(queue.inputs.redrivePolicy), { deadLetterTargetArn: dlq.state.arn, maxReceiveCount: q.maxReceiveCount ?? 5 });
                assert.equal(dlq.inputs.messageRetentionSeconds, 14 * 86400);
                assert.ok(dlq.inputs.messageRetentionSeconds > queue.inputs.messageRetentionSeconds);
                for (const r of [queue, dlq]) assert.ok(r.inputs.sqsManagedSseEnabled === true || typeof r.inputs.kmsMasterKeyId === "string", `${r.inputs.name} is encrypted`);
                const allow = ofType(run.resources, "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy").find((p) => p.inputs.queueUrl === dlq.state.url);
                assert.deepEqual(json(allow?.inputs.redriveAllowPolicy), { redrivePermission: "byQueue", sourceQueueArns: [queue.state.arn] });
                for (const r of [queue, dlq]) {
                    const policy = ofType(run.resources, "aws:sqs/queuePolicy:QueuePolicy").find((p) => p.inputs.queueUrl === r.state.url);
                    assert.deepEqual(json(policy?.inputs.policy), denyInsecureTransportPolicy(r.state.arn), `${r.inputs.name} denies non-TLS`);
                }
                const alarm = ofType(run.resources, "aws:cloudwatch/metricAlarm:MetricAlarm").find((a) => a.inputs.dimensions?.QueueName === dlq.inputs.name);
                assert.ok(alarm, `an alarm on ${dlq.inputs.name}`);
                assert.equal(alarm.inputs.threshold, 0);
                assert.equal(alarm.inputs.metricName, "ApproximateNumberOfMessagesVisible");
            }
        });

        it("exports every queue URL and DLQ URL", () => {
            const urls = run.outputs.queueUrls as Record<string, string>;
            const dlqs = run.outputs.deadLetterQueueUrls as Record<string, string>;
            assert.deepEqual(Object.keys(urls).sort(), queuesOf(stack).map((q) => q.name).sort());
            for (const q of queuesOf(stack)) {
                assert.equal(urls[q.name], `https://sqs.${regionOf(stack)}.amazonaws.com/${MOCK_ACCOUNT}/${stack}-${q.name}`);
                assert.equal(dlqs[q.name], `https://sqs.${regionOf(stack)}.amazonaws.com/${MOCK_ACCOUNT}/${stack}-${q.name}-dlq`);
            }
        });

        it("installs KEDA from the pinned chart on the system nodes, through the cluster's provider", () => {
            const release = one(run.resources.filter((r) => r.inputs.chart === "keda"), "kubernetes:helm.sh/v3:Release");
            assert.equal(release.inputs.version, KEDA_CHART.version);
            assert.equal(release.inputs.namespace, KEDA_NAMESPACE);
            assert.deepEqual(release.inputs.values, kedaValues());
            assert.match(release.provider, /pulumi:providers:kubernetes::platform-k8s::/);
            const systemNodes = one(run.resources, "aws:eks/nodeGroup:NodeGroup");
            assert.ok(waitsFor(run.resources)(release.urn, systemNodes.urn), "KEDA waits for the system nodes it runs on");
        });

        it("lets the KEDA operator read the depth of exactly the platform's queues", async () => {
            const association = ofType(run.resources, "aws:eks/podIdentityAssociation:PodIdentityAssociation").find((a) => a.inputs.namespace === KEDA_NAMESPACE);
            assert.equal(association?.inputs.serviceAccount, KEDA_OPERATOR_SERVICE_ACCOUNT);
            const role = ofType(run.resources, "aws:iam/role:Role").find((r) => r.state.arn === association?.inputs.roleArn);
            const policies = ofType(run.resources, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.inputs.role === role?.state.id);
            assert.equal(policies.length, 1);
            const policy = json(policies[0].inputs.policy);
            const platformQueues = queuesOf(stack).map((q) => byName(run.resources, "aws:sqs/queue:Queue", `${stack}-${q.name}`).state.arn as string);
            assert.deepEqual(policy.Statement.flatMap((s: { Resource: string[] }) => s.Resource).sort(), [...platformQueues].sort());
            for (const arn of platformQueues) {
                assert.equal(await simulate(policy, "sqs:GetQueueAttributes", arn), "Allowed");
                assert.equal(await simulate(policy, "sqs:ReceiveMessage", arn), "ImplicitlyDenied");
                assert.equal(await simulate(policy, "sqs:DeleteMessage", arn), "ImplicitlyDenied");
            }
            for (const other of ofType(run.resources, "aws:sqs/queue:Queue").filter((q) => !platformQueues.includes(q.state.arn))) {
                assert.equal(await simulate(policy, "sqs:GetQueueAttributes", other.state.arn), "ImplicitlyDenied", `not ${other.name}`);
            }
        });

        it("puts the TriggerAuthentication in the agents' namespace, after the chart, valid against its CRD", async () => {
            const auth = one(run.resources, "kubernetes:keda.sh/v1alpha1:TriggerAuthentication");
            assert.equal(auth.inputs.metadata.namespace, AGENT_NAMESPACE);
            assert.equal(auth.inputs.metadata.name, KEDA_TRIGGER_AUTHENTICATION);
            assert.deepEqual(auth.inputs.spec, { podIdentity: { provider: "aws", identityOwner: "keda" } });
            await validateKubernetesObject(auth.inputs);
            const release = one(run.resources.filter((r) => r.inputs.chart === "keda"), "kubernetes:helm.sh/v3:Release");
            assert.ok(auth.dependencies.includes(release.urn));
            const agentsNs = ofType(run.resources, "kubernetes:core/v1:Namespace").find((n) => n.inputs.metadata.name === AGENT_NAMESPACE);
            assert.ok(agentsNs && waitsFor(run.resources)(auth.urn, agentsNs.urn), "the TriggerAuthentication waits for the agents namespace");
        });

        it("builds a valid ScaledObject for every worker from its rendered queue and the config", async () => {
            const urls = run.outputs.queueUrls as Record<string, string>;
            const workers = agentsOf(stack).filter((a) => a.role === "worker");
            assert.ok(workers.length > 0);
            for (const w of workers) {
                const so = scaledObjectFor({
                    name: w.name, namespace: AGENT_NAMESPACE, deploymentName: w.name, queueUrl: urls[w.queue!], region: regionOf(stack),
                    messagesPerReplica: w.messagesPerReplica ?? 5, minReplicas: w.minReplicas ?? 0, maxReplicas: w.maxReplicas ?? 10,
                });
                await validateKubernetesObject(so);
                assert.equal(so.spec.triggers[0].metadata.queueURL, urls[w.queue!]);
            }
        });
    });
}

describe("queue configuration errors fail before anything is registered", () => {
    const cases = [
        { title: "visibility timeout equal to the job duration", queues: [{ name: "jobs", maxJobDurationSeconds: 600, visibilityTimeoutSeconds: 600 }], message: /queues\[0\]\.visibilityTimeoutSeconds: got 600; allowed: more than maxJobDurationSeconds \(600\)/ },
        { title: "visibility timeout below the job duration", queues: [{ name: "jobs", maxJobDurationSeconds: 600, visibilityTimeoutSeconds: 30 }], message: /queues\[0\]\.visibilityTimeoutSeconds: got 30/ },
        { title: "maxReceiveCount 0", queues: [{ name: "jobs", maxReceiveCount: 0 }], message: /queues\[0\]\.maxReceiveCount: got 0; allowed: an integer from 3 to 10/ },
        { title: "maxReceiveCount 50", queues: [{ name: "jobs", maxReceiveCount: 50 }], message: /queues\[0\]\.maxReceiveCount: got 50; allowed: an integer from 3 to 10/ },
        { title: "negative KEDA cooldown", queues: [{ name: "jobs", cooldownSeconds: -1 }], message: /queues\[0\]\.cooldownSeconds: got -1/ },
    ];
    for (const c of cases) {
        it(c.title, async () => {
            const result = await runStack("staging", { "agent-platform:queues": c.queues }, { captureError: true });
            assertConfigRejected(result, c.message);
        });
    }
});

describe("AgentPlatform queue arguments", () => {
    it("refuses two queues with the same name instead of silently keeping one", async () => {
        const r = await runProgram(() => {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const { AgentPlatform } = require("../../components/platform") as typeof import("../../components/platform");
            new AgentPlatform("platform", { environment: "test", queues: [{ name: "jobs", maxJobDurationSeconds: 60 }, { name: "jobs", maxJobDurationSeconds: 120 }] });
        }, { captureError: true });
        assert.match(String(r.error?.message), /queues\[1\]\.name: got "jobs"; allowed: a queue name not used by another queue/);
        assert.equal(ofType(r.resources, "aws:sqs/queue:Queue").length, 0);
    });
});
