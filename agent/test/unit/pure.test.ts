/** Pure helpers: API validation, worker policy, GenAI attributes, queue messages, Redis reconnects. */
import { strict as assert } from "node:assert";
import { parseIdempotencyKey, parseJobBody, parseJobId, parseMessageBody, parseSessionId } from "../../src/api/validate";
import { llmErrorStatus } from "../../src/api/server";
import { LlmError } from "../../src/llm/types";
import { decodeJobMessage, encodeJobMessage, parseQueueSettings, queueNameFromUrl } from "../../src/queue";
import { reconnectDelayMs } from "../../src/store/redis";
import { toJobView } from "../../src/store/jobs";
import { agentAttributes, chatRequestAttributes, chatResponseAttributes, chatSpanName, toolAttributes, toolSpanName } from "../../src/telemetry/genai";
import { tracesUrl } from "../../src/telemetry/setup";
import { checkDeadlineFitsVisibility, decideFailure, isRetryableJobError, retryDelaySeconds, workerTimings } from "../../src/worker/policy";
import { queueTimeMs } from "../../src/worker/process";

describe("API validation", () => {
  it("accepts valid bodies and names the bad field otherwise", () => {
    assert.deepEqual(parseMessageBody({ message: "hi" }), { ok: true, value: { message: "hi" } });
    assert.deepEqual(parseJobBody({ input: "x", sessionId: "s_1-a" }), { ok: true, value: { input: "x", sessionId: "s_1-a" } });
    assert.match((parseJobBody({ input: "x".repeat(32_001) }) as { error: string }).error, /"input" must be at most/);
    assert.match((parseJobBody(null) as { error: string }).error, /body must be a JSON object/);
    assert.match((parseMessageBody({ message: "" }) as { error: string }).error, /"message" must not be empty/);
    assert.equal(parseSessionId("a/b").ok, false);
    assert.equal(parseSessionId("x".repeat(129)).ok, false);
    assert.equal(parseJobId("3b241101-e2bb-4255-8caf-4136c566a962").ok, true);
    assert.equal(parseJobId("../etc").ok, false);
    assert.deepEqual(parseIdempotencyKey(undefined), { ok: true, value: undefined });
    assert.equal(parseIdempotencyKey("has space").ok, false);
  });
  it("maps LLM failures to 502/504", () => {
    assert.equal(llmErrorStatus(new LlmError("x", "http", 500)), 502);
    assert.equal(llmErrorStatus(new LlmError("x", "deadline")), 504);
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
      id: "r1", model: "m-2024", choices: [{ finish_reason: "stop", message: { role: "assistant", content: "x" } }],
      usage: { prompt_tokens: 3, completion_tokens: 4 },
    }), {
      "gen_ai.response.model": "m-2024", "gen_ai.response.id": "r1", "gen_ai.response.finish_reasons": ["stop"],
      "gen_ai.usage.input_tokens": 3, "gen_ai.usage.output_tokens": 4,
    });
    assert.equal(agentAttributes({ provider: "p", model: "m" })["gen_ai.operation.name"], "invoke_agent");
    assert.deepEqual(toolAttributes({ tool: "t", callId: "c" }), {
      "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "t", "gen_ai.tool.call.id": "c", "gen_ai.tool.type": "function",
    });
    assert.equal(tracesUrl("http://otel:4318/"), "http://otel:4318/v1/traces");
  });
});

describe("queue messages", () => {
  it("round-trips job messages and rejects malformed ones", () => {
    const m = { jobId: "abc-1", input: "x", sessionId: "s", enqueuedAt: 5 };
    assert.deepEqual(decodeJobMessage(encodeJobMessage(m)), m);
    for (const bad of [undefined, "nope", "[]", '{"jobId":"../x","input":"x"}', '{"jobId":"a","input":3}', '{"jobId":"a","input":"x","sessionId":1}']) {
      assert.equal(decodeJobMessage(bad), undefined, String(bad));
    }
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
  });
  it("backs off Redis reconnects up to 2 s", () => {
    assert.deepEqual([1, 2, 3, 10].map(reconnectDelayMs), [100, 200, 400, 2000]);
  });
});
