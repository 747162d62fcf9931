/** Pure helpers: API error messages, key layout, worker policy, GenAI attributes, queue messages, Redis reconnects. */
import { strict as assert } from "node:assert";
import * as sdk from "openai";
import { llmErrorStatus } from "../../src/api/chat";
import { errorReply, validationMessage } from "../../src/api/errors";
import { LlmError, toLlmError } from "../../src/llm/client";
import { decodeJobMessage, decodeOutgoing, encodeJobMessage, encodeOutgoing, parseQueueSettings, queueNameFromUrl } from "../../src/queue";
import { toJobView } from "../../src/store/jobs";
import { idempotencyScope, isJobId, jobPartition, keys, newJobId, PARTITIONS, partitionForNewJob, sessionPartition } from "../../src/store/keys";
import { byPartition } from "../../src/store/outbox";
import { reconnectDelayMs } from "../../src/store/redis";
import { decodeTurns, encodeTurn, leasePollDelayMs } from "../../src/store/sessions";
import { agentAttributes, chatRequestAttributes, chatResponseAttributes, chatSpanName, toolAttributes, toolSpanName } from "../../src/telemetry/genai";
import { tracesExported } from "../../src/telemetry/setup";
import { checkDeadlineFitsVisibility, decideFailure, isRetryableJobError, isRetryableStatus, retryDelaySeconds, workerTimings } from "../../src/worker/policy";
import { queueTimeMs } from "../../src/worker/process";

describe("API error messages", () => {
  const err = (e: Record<string, unknown>) => ({ instancePath: "", schemaPath: "", params: {}, ...e }) as never;
  it("names the field and what it must be", () => {
    assert.equal(validationMessage([err({ keyword: "required", params: { missingProperty: "input" } })], "body"), `"input" is required`);
    assert.equal(validationMessage([err({ keyword: "additionalProperties", params: { additionalProperty: "x" } })], "body"), `"x" is not an accepted field`);
    assert.equal(validationMessage([err({ keyword: "type", message: "must be object" })], "body"), "the body must be a JSON object");
    assert.equal(
      validationMessage([err({ keyword: "pattern", instancePath: "/sessionId", parentSchema: { description: "1-128 letters" } })], "body"),
      `"sessionId" must be 1-128 letters`,
    );
    assert.equal(
      validationMessage([err({ keyword: "pattern", instancePath: "/idempotency-key", parentSchema: { description: "short" } })], "headers"),
      `"Idempotency-Key" header must be short`,
    );
    assert.equal(validationMessage([err({ keyword: "maxLength", instancePath: "/input", message: "must NOT be longer" })], "body"), `"input" must NOT be longer`);
  });
  it("keeps client errors, hides server errors", () => {
    const e = (statusCode: number | undefined, code: string, message: string) => Object.assign(new Error(message), { statusCode, code }) as never;
    assert.deepEqual(errorReply(e(415, "FST_ERR_CTP_INVALID_MEDIA_TYPE", "Unsupported Media Type")), { status: 415, body: { error: "the body must be JSON (content-type: application/json)" } });
    assert.deepEqual(errorReply(e(400, "FST_ERR_CTP_INVALID_JSON_BODY", "Body is not valid JSON")), { status: 400, body: { error: "Body is not valid JSON" } });
    assert.deepEqual(errorReply(e(undefined, "X", "secret detail")), { status: 500, body: { error: "internal error" } });
    assert.deepEqual(errorReply(e(503, "X", "secret detail")), { status: 503, body: { error: "internal error" } });
  });
  it("maps LLM failures to 502/504", () => {
    assert.equal(llmErrorStatus(new LlmError("x", "http", 500)), 502);
    assert.equal(llmErrorStatus(new LlmError("x", "deadline")), 504);
  });
});

describe("LLM errors", () => {
  it("classifies what the SDK throws", () => {
    assert.equal(toLlmError(new sdk.APIConnectionTimeoutError(), sdk, false, false).kind, "timeout");
    assert.equal(toLlmError(new sdk.APIConnectionError({ message: "refused" }), sdk, false, false).kind, "network");
    assert.deepEqual(((e) => [e.kind, e.status])(toLlmError(sdk.APIError.generate(429, undefined, "slow down", new Headers()), sdk, false, false)), ["http", 429]);
    assert.equal(toLlmError(new Error("anything"), sdk, true, true).kind, "aborted");
    assert.deepEqual(((e) => [e.kind, e.message])(toLlmError(new Error("anything"), sdk, false, true, "HTTP 500")), ["deadline", "LLM deadline exceeded (last attempt: HTTP 500)"]);
    assert.equal(toLlmError(new SyntaxError("bad JSON"), sdk, false, false).kind, "invalid_response");
  });
});

describe("key layout", () => {
  it("puts a job's keys, its session's and its idempotency key in one partition", () => {
    const scope = idempotencyScope("order-42", "s-1");
    const partition = partitionForNewJob("s-1", scope);
    assert.equal(partition, sessionPartition("s-1"));
    const id = newJobId(partition);
    assert.ok(isJobId(id), id);
    assert.equal(jobPartition(id), partition);
    const tags = [keys.job(id), keys.jobLease(id), keys.idempotency(partition, scope), keys.session("s-1"), keys.sessionLease("s-1"),
      keys.outbox(partition, "q"), keys.outboxMessages(partition, "q")].map((k) => /\{(.)\}/.exec(k)?.[1]);
    assert.deepEqual(new Set(tags), new Set([partition]));
  });
  it("derives a session-less job's partition from its idempotency scope, else picks any", () => {
    const scope = idempotencyScope("k", undefined);
    assert.equal(partitionForNewJob(undefined, scope), scope[0]);
    assert.notEqual(idempotencyScope("k", undefined), idempotencyScope("k", "s"), "the scope includes the session");
    for (let i = 0; i < 50; i++) assert.ok(PARTITIONS.includes(partitionForNewJob(undefined, undefined)));
    assert.equal(isJobId("3B241101-E2BB-4255-8CAF-4136C566A962"), false);
    assert.deepEqual([...byPartition(["a-1", "b-2", "c-1"])], [["1", ["a-1", "c-1"]], ["2", ["b-2"]]]);
  });
});

describe("sessions", () => {
  it("encodes turns, skips corrupt ones, and polls a busy lease with a capped backoff", () => {
    assert.deepEqual(decodeTurns([encodeTurn("user", "hi"), "{bad", '{"role":"system","content":"x"}', encodeTurn("assistant", "yo")]),
      [{ role: "user", content: "hi" }, { role: "assistant", content: "yo" }]);
    assert.deepEqual([0, 1, 4, 10].map((a) => leasePollDelayMs(a, 10_000)), [10, 20, 160, 200]);
    assert.equal(leasePollDelayMs(3, 30), 30, "never waits past the lease's expiry");
    assert.equal(leasePollDelayMs(3, -1), 80, "a lease without expiry is polled with the plain backoff");
  });
});

describe("worker policy", () => {
  it("requires the job deadline to fit in the visibility timeout", () => {
    assert.equal(checkDeadlineFitsVisibility(29_000, 30), undefined);
    assert.match(checkDeadlineFitsVisibility(30_000, 30) ?? "", /JOB_MAX_DURATION_SECONDS \(30\) must be less than/);
  });
  it("derives lease and heartbeat from the visibility timeout", () => {
    assert.deepEqual(workerTimings(30), { leaseMs: 30_000, heartbeatMs: 10_000, visibilityTimeoutSeconds: 30 });
    assert.equal(workerTimings(1).heartbeatMs, 500);
  });
  it("retries until maxReceiveCount, then fails into the DLQ", () => {
    const base = { maxReceiveCount: 3, retryable: true, retryDelaySeconds: 5 };
    assert.deepEqual(decideFailure({ ...base, receiveCount: 1 }), { kind: "retry", delaySeconds: 5 });
    assert.deepEqual(decideFailure({ ...base, receiveCount: 2 }), { kind: "retry", delaySeconds: 10 });
    assert.deepEqual(decideFailure({ ...base, receiveCount: 3 }), { kind: "fail-to-dlq" });
    assert.deepEqual(decideFailure({ ...base, receiveCount: 1, retryable: false }), { kind: "fail-and-delete" });
    assert.deepEqual(decideFailure({ ...base, maxReceiveCount: undefined, receiveCount: 5 }), { kind: "fail-and-delete" });
    assert.equal(retryDelaySeconds(5, 30), 900);
  });
  it("retries 408, 409, 429 and 5xx only", () => {
    for (const st of [408, 409, 429, 500, 502, 503, 504, 599]) assert.equal(isRetryableStatus(st), true, String(st));
    for (const st of [200, 400, 401, 403, 404, 413, 422]) assert.equal(isRetryableStatus(st), false, String(st));
  });
  it("classifies job errors", () => {
    assert.equal(isRetryableJobError(new Error("redis down")), true);
    assert.equal(isRetryableJobError(new LlmError("x", "http", 503)), true);
    assert.equal(isRetryableJobError(new LlmError("x", "http", 400)), false);
    assert.equal(isRetryableJobError(new LlmError("x", "invalid_response")), false);
  });
  it("measures queue time from SentTimestamp, else from enqueuedAt", () => {
    assert.equal(queueTimeMs({ Attributes: { SentTimestamp: "1000" } }, 500, 1600), 600);
    assert.equal(queueTimeMs({}, 500, 1600), 1100);
  });
});

describe("GenAI attributes", () => {
  it("names spans after the conventions", () => {
    assert.equal(chatSpanName("gpt-4o"), "chat gpt-4o");
    assert.equal(toolSpanName("calculator"), "execute_tool calculator");
  });
  it("builds request, response, agent and tool attributes", () => {
    assert.deepEqual(chatRequestAttributes({ provider: "openai", model: "m", baseUrl: "https://api.openai.com/v1", conversationId: "c" }), {
      "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "m",
      "server.address": "api.openai.com", "server.port": 443, "gen_ai.conversation.id": "c",
    });
    assert.deepEqual(chatResponseAttributes({
      id: "r1", model: "m-2024", choices: [{ finish_reason: "stop" }],
      usage: { prompt_tokens: 3, completion_tokens: 4 },
    }), {
      "gen_ai.response.model": "m-2024", "gen_ai.response.id": "r1", "gen_ai.response.finish_reasons": ["stop"],
      "gen_ai.usage.input_tokens": 3, "gen_ai.usage.output_tokens": 4,
    });
    assert.equal(agentAttributes({ provider: "p", model: "m" })["gen_ai.operation.name"], "invoke_agent");
    assert.deepEqual(toolAttributes({ tool: "t", callId: "c" }), {
      "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "t", "gen_ai.tool.call.id": "c", "gen_ai.tool.type": "function",
    });
    assert.equal(tracesExported({}), false);
    assert.equal(tracesExported({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel:4318" }), true);
    assert.equal(tracesExported({ OTEL_TRACES_EXPORTER: "console" }), true);
  });
});

describe("queue messages", () => {
  it("round-trips job messages and rejects malformed ones", () => {
    const jobId = newJobId("7");
    const m = { jobId, input: "x", sessionId: "s", enqueuedAt: 5 };
    assert.deepEqual(decodeJobMessage(encodeJobMessage(m)), m);
    for (const bad of [undefined, "nope", "[]", '{"jobId":"../x","input":"x"}', `{"jobId":"${jobId}","input":3}`, `{"jobId":"${jobId}","input":"x","sessionId":1}`]) {
      assert.equal(decodeJobMessage(bad), undefined, String(bad));
    }
    const out = { body: "b", traceContext: { traceparent: "00-abc-def-01" } };
    assert.deepEqual(decodeOutgoing(encodeOutgoing(out)), out);
    assert.equal(decodeOutgoing("{}"), undefined);
  });
  it("parses queue settings and names", () => {
    assert.deepEqual(parseQueueSettings({ VisibilityTimeout: "300", RedrivePolicy: '{"deadLetterTargetArn":"arn","maxReceiveCount":"5"}' }),
      { visibilityTimeoutSeconds: 300, maxReceiveCount: 5 });
    assert.deepEqual(parseQueueSettings({ VisibilityTimeout: "30" }), { visibilityTimeoutSeconds: 30, maxReceiveCount: undefined });
    assert.equal(queueNameFromUrl("http://127.0.0.1:1/000000000000/jobs"), "jobs");
  });
});

describe("job views and reconnects", () => {
  it("exposes only the public fields of a job", () => {
    assert.deepEqual(toJobView({ jobId: "j", status: "succeeded", output: "o", owner: "w", input: "secret" }), { jobId: "j", status: "succeeded", result: { output: "o" } });
    assert.deepEqual(toJobView({ jobId: "j", status: "failed", error: "e" }), { jobId: "j", status: "failed", error: "e" });
    assert.equal(toJobView({}), undefined);
    assert.equal(toJobView({ jobId: "j", status: "withdrawn" }), undefined, "a withdrawn job was never accepted");
  });
  it("backs off Redis reconnects up to 2 s", () => {
    assert.deepEqual([1, 2, 3, 10].map(reconnectDelayMs), [100, 200, 400, 2000]);
  });
});
