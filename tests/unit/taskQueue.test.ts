import * as assert from "node:assert/strict";
import { policyDocument, PolicyStatement } from "../../components/podIdentity/spec";
import { consumerStatements, denyInsecureTransportPolicy, producerStatements, queueNames, redriveAllowPolicy, redrivePolicy, visibilityTimeoutFor } from "../../components/taskQueue/spec";
import { parseTaskQueueArgs, TaskQueue, TaskQueueArgs } from "../../components/taskQueue";
import { besidesStack, json, MOCK_ACCOUNT, ofType, one, runProgram, RunResult } from "../../testing";
import { assertRealNarrowActions, defaultKeyPolicy, simulate } from "../support/iam";

const REGION = "us-west-2";
const queueArn = (name: string) => `arn:aws:sqs:${REGION}:${MOCK_ACCOUNT}:${name}`;
const JOBS = queueArn("dev-jobs");
const OTHER = queueArn("dev-other");
const KEY = `arn:aws:kms:${REGION}:${MOCK_ACCOUNT}:key/0f0e0d0c-0b0a-0908-0706-050403020100`;

const AGENT = `arn:aws:iam::${MOCK_ACCOUNT}:role/agent`;

/** Simulates one request of a role whose only identity policy holds `statements` (KMS keys keep the default key policy). */
const decide = (statements: PolicyStatement[], action: string, resource: string) =>
    simulate(policyDocument(statements), action, resource, { principal: AGENT, resourcePolicy: action.startsWith("kms:") ? defaultKeyPolicy() : undefined });

/** Only Allows, of real actions, no wildcard, each on a concrete resource (never "*"). */
async function assertLeastPrivilege(statements: PolicyStatement[]) {
    for (const s of statements) {
        assert.equal(s.Effect, "Allow");
        for (const resource of [s.Resource].flat()) assert.notEqual(resource, "*");
    }
    // Off "*", every action must support a resource.
    await assertRealNarrowActions(policyDocument(statements));
}

const baseArgs: TaskQueueArgs = { name: "jobs", environment: "dev", maxJobDurationSeconds: 300 };

function build(args: TaskQueueArgs): Promise<RunResult> {
    return runProgram(() => {
        const q = new TaskQueue("jobs", args);
        return { queueUrl: q.queueUrl, queueArn: q.queueArn, dlqArn: q.deadLetterQueueArn, dlqUrl: q.deadLetterQueueUrl, visibility: q.visibilityTimeoutSeconds, name: q.queueName };
    }, { config: { "aws:region": REGION } });
}

describe("TaskQueue: pure functions", () => {
    it("derives the visibility timeout from the longest job, and refuses one that does not exceed it", () => {
        assert.equal(visibilityTimeoutFor(300), 360);
        assert.equal(visibilityTimeoutFor(300, 900), 900);
        assert.equal(visibilityTimeoutFor(43190), 43200, "capped at the SQS maximum");
        assert.throws(() => visibilityTimeoutFor(300, 300), /visibility timeout 300s must exceed maxJobDurationSeconds \(300s\)/);
        assert.throws(() => visibilityTimeoutFor(300, 120), /must exceed/);
    });

    it("names the queue and its DLQ after the environment", () => {
        assert.deepEqual(queueNames("prod", "local-jobs"), { queue: "prod-local-jobs", deadLetter: "prod-local-jobs-dlq" });
    });

    it("builds redrive and redrive-allow policies that point at each other", () => {
        assert.deepEqual(redrivePolicy(queueArn("dev-jobs-dlq"), 3), { deadLetterTargetArn: queueArn("dev-jobs-dlq"), maxReceiveCount: 3 });
        assert.deepEqual(redriveAllowPolicy(JOBS), { redrivePermission: "byQueue", sourceQueueArns: [JOBS] });
    });

    it("denies every request that is not made over TLS", async () => {
        const policy = denyInsecureTransportPolicy(JOBS);
        assert.deepEqual(policy.Statement[0].Condition, { Bool: { "aws:SecureTransport": "false" } });
        const allowAll: PolicyStatement[] = [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: JOBS }];
        const send = (secure: string) => simulate(policyDocument(allowAll), "sqs:SendMessage", JOBS, {
            resourcePolicy: policy, principal: `arn:aws:iam::${MOCK_ACCOUNT}:role/api`, context: { "aws:SecureTransport": secure },
        });
        assert.equal(await send("true"), "Allowed");
        assert.equal(await send("false"), "ExplicitlyDenied");
    });

    it("gives producers send and nothing else, in real, narrow actions", async () => {
        const statements = producerStatements(JOBS);
        await assertLeastPrivilege(statements);
        assert.equal(await decide(statements, "sqs:SendMessage", JOBS), "Allowed");
        assert.equal(await decide(statements, "sqs:ReceiveMessage", JOBS), "ImplicitlyDenied");
        assert.equal(await decide(statements, "sqs:DeleteMessage", JOBS), "ImplicitlyDenied");
        assert.equal(await decide(statements, "sqs:SendMessage", OTHER), "ImplicitlyDenied");
    });

    it("gives consumers receive, delete, visibility, attributes and (for the outbox relay) send on their queue only", async () => {
        const statements = consumerStatements(JOBS);
        await assertLeastPrivilege(statements);
        for (const action of ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes", "sqs:SendMessage"]) {
            assert.equal(await decide(statements, action, JOBS), "Allowed", action);
            assert.equal(await decide(statements, action, OTHER), "ImplicitlyDenied", `${action} on another queue`);
        }
        assert.equal(await decide(statements, "sqs:SetQueueAttributes", JOBS), "ImplicitlyDenied");
        assert.equal(await decide(statements, "sqs:PurgeQueue", JOBS), "ImplicitlyDenied");
    });

    it("adds the KMS permissions SSE-KMS needs, on that key only", async () => {
        const producer = producerStatements(JOBS, KEY);
        const consumer = consumerStatements(JOBS, KEY);
        await assertLeastPrivilege([...producer, ...consumer]);
        assert.equal(await decide(producer, "kms:GenerateDataKey", KEY), "Allowed");
        assert.equal(await decide(consumer, "kms:Decrypt", KEY), "Allowed");
        assert.equal(await decide(consumer, "kms:GenerateDataKey", KEY), "Allowed", "the outbox relay encrypts what it sends");
        assert.equal(await decide(consumer, "kms:GenerateDataKey", `${KEY}0`), "ImplicitlyDenied", "no other key");
        assert.equal(producerStatements(JOBS).some((s) => [s.Action].flat().some((a) => a.startsWith("kms:"))), false, "no KMS without a key");
    });

    it("rejects bad arguments with the argument, the value and what is allowed", () => {
        assert.throws(() => parseTaskQueueArgs({ ...baseArgs, maxReceiveCount: 0 }), /maxReceiveCount: got 0; allowed: an integer from 3 to 10/);
        assert.throws(() => parseTaskQueueArgs({ ...baseArgs, maxReceiveCount: 50 }), /maxReceiveCount: got 50; allowed: an integer from 3 to 10/);
        assert.throws(() => parseTaskQueueArgs({ ...baseArgs, visibilityTimeoutSeconds: 300 }), /visibilityTimeoutSeconds: got 300; allowed: more than maxJobDurationSeconds \(300\)/);
        assert.throws(() => parseTaskQueueArgs({ ...baseArgs, retentionDays: 14 }), /retentionDays: got 14; allowed: an integer from 1 to 13/);
        assert.throws(() => parseTaskQueueArgs({ ...baseArgs, name: "Jobs_1" }), /name: got "Jobs_1"/);
        assert.doesNotThrow(() => parseTaskQueueArgs({ ...baseArgs, visibilityTimeoutSeconds: 301, maxReceiveCount: 10, retentionDays: 13 }));
    });
});

describe("TaskQueue: registered resources", () => {
    let run: RunResult;
    before(async () => {
        run = await build({ ...baseArgs, maxReceiveCount: 4, retentionDays: 6, tags: { team: "agents" } });
    });

    it("creates the queue with long polling, SQS-managed SSE and the derived visibility timeout", () => {
        const queue = one(run.resources, "aws:sqs/queue:Queue", "jobs");
        assert.equal(queue.inputs.name, "dev-jobs");
        assert.equal(queue.inputs.receiveWaitTimeSeconds, 20);
        assert.equal(queue.inputs.visibilityTimeoutSeconds, 360);
        assert.equal(queue.inputs.messageRetentionSeconds, 6 * 86400);
        assert.equal(queue.inputs.sqsManagedSseEnabled, true);
        assert.equal(queue.inputs.kmsMasterKeyId, undefined);
        assert.equal(queue.inputs.tags.team, "agents");
        assert.equal(run.outputs.visibility, 360);
    });

    it("redrives to a DLQ that keeps messages 14 days, longer than the queue", () => {
        const queue = one(run.resources, "aws:sqs/queue:Queue", "jobs");
        const dlq = one(run.resources, "aws:sqs/queue:Queue", "jobs-dlq");
        assert.equal(dlq.inputs.name, "dev-jobs-dlq");
        assert.equal(dlq.inputs.messageRetentionSeconds, 14 * 86400);
        assert.ok(dlq.inputs.messageRetentionSeconds > queue.inputs.messageRetentionSeconds);
        assert.equal(dlq.inputs.sqsManagedSseEnabled, true);
        assert.deepEqual(json(queue.inputs.redrivePolicy), { deadLetterTargetArn: dlq.state.arn, maxReceiveCount: 4 });
        const allow = one(run.resources, "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy");
        assert.equal(allow.inputs.queueUrl, dlq.state.url);
        assert.deepEqual(json(allow.inputs.redriveAllowPolicy), { redrivePermission: "byQueue", sourceQueueArns: [queue.state.arn] });
    });

    it("denies non-TLS access on both queues", () => {
        const policies = ofType(run.resources, "aws:sqs/queuePolicy:QueuePolicy");
        assert.equal(policies.length, 2);
        const queues = ofType(run.resources, "aws:sqs/queue:Queue");
        for (const q of queues) {
            const policy = policies.find((p) => p.inputs.queueUrl === q.state.url);
            assert.ok(policy, `a policy on ${q.name}`);
            assert.deepEqual(json(policy.inputs.policy), denyInsecureTransportPolicy(q.state.arn));
        }
    });

    it("alarms as soon as one message is in the DLQ", () => {
        const alarm = one(run.resources, "aws:cloudwatch/metricAlarm:MetricAlarm");
        assert.equal(alarm.inputs.namespace, "AWS/SQS");
        assert.equal(alarm.inputs.metricName, "ApproximateNumberOfMessagesVisible");
        assert.deepEqual(alarm.inputs.dimensions, { QueueName: "dev-jobs-dlq" });
        assert.equal(alarm.inputs.comparisonOperator, "GreaterThanThreshold");
        assert.equal(alarm.inputs.threshold, 0);
        assert.equal(alarm.inputs.treatMissingData, "notBreaching");
    });

    it("exposes the URLs and ARNs the mocks returned", () => {
        assert.equal(run.outputs.queueUrl, `https://sqs.${REGION}.amazonaws.com/${MOCK_ACCOUNT}/dev-jobs`);
        assert.equal(run.outputs.queueArn, queueArn("dev-jobs"));
        assert.equal(run.outputs.dlqArn, queueArn("dev-jobs-dlq"));
        assert.equal(run.outputs.name, "dev-jobs");
    });

    it("encrypts both queues with a KMS key when given one", async () => {
        const r = await build({ ...baseArgs, kmsKeyArn: KEY });
        assert.equal(ofType(r.resources, "aws:sqs/queue:Queue").length, 2, "the queue and its DLQ");
        for (const q of ofType(r.resources, "aws:sqs/queue:Queue")) {
            assert.equal(q.inputs.kmsMasterKeyId, KEY);
            assert.equal(q.inputs.kmsDataKeyReusePeriodSeconds, 300);
            assert.equal(q.inputs.sqsManagedSseEnabled, undefined);
        }
    });

    it("registers nothing when the arguments are invalid", async () => {
        const r = await runProgram(() => new TaskQueue("jobs", { ...baseArgs, maxReceiveCount: 50, visibilityTimeoutSeconds: 100 }), { config: { "aws:region": REGION }, captureError: true });
        const error = String(r.error?.message);
        assert.match(error, /invalid TaskQueue arguments: /);
        assert.match(error, /visibilityTimeoutSeconds: got 100; allowed: more than maxJobDurationSeconds \(300\)/);
        assert.match(error, /maxReceiveCount: got 50/);
        assert.deepEqual(besidesStack(r.resources).map((res) => res.type), []);
    });
});
