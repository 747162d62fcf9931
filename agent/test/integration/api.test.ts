/**
 * The public HTTP contract of the `api` role, against a real Redis, the SQS emulator and the fake
 * LLM, through the real entry point.
 */
import { strict as assert } from "node:assert";
import { Redis } from "ioredis";
import { keys } from "../../src/store/keys";
import { AgentProcess } from "../../testkit/agent-process";
import { type Infra, startInfra } from "../../testkit/infra";
import type { TestQueue } from "../../testkit/sqs";

describe("api (integration)", function () {
  this.timeout(60_000);
  let infra: Infra;
  let queue: TestQueue;
  let api: AgentProcess;
  let redis: Redis;

  before(async () => {
    infra = await startInfra();
    queue = await infra.sqs.createQueue();
    api = await AgentProcess.start("api", infra.targets(queue), { SESSION_TTL_SECONDS: "90", MAX_BODY_BYTES: "4096" });
    redis = new Redis(infra.redis.url);
  });
  after(async () => {
    redis?.disconnect();
    await api?.stop();
    await infra?.stop();
  });

  it("answers /healthz and /readyz", async () => {
    const [health, ready] = [await api.get("/healthz"), await api.get("/readyz")];
    assert.deepEqual([health.status, health.body], [200, { status: "ok" }]);
    assert.deepEqual([ready.status, ready.body], [200, { status: "ready" }]);
  });

  it("chats with session context kept in Redis with a TTL", async () => {
    const first = await api.request("POST", "/v1/sessions/s-1/messages", { message: "hello" });
    assert.equal(first.status, 200);
    assert.equal(first.body.reply, "echo: hello (history=0)");
    const second = await api.request("POST", "/v1/sessions/s-1/messages", { message: "again" });
    assert.equal(second.body.reply, "echo: again (history=1)");
    const ttl = await redis.ttl(keys.session("s-1"));
    assert.ok(ttl > 0 && ttl <= 90, `ttl ${ttl}`);
    assert.equal(await redis.llen(keys.session("s-1")), 4);
    const other = await api.request("POST", "/v1/sessions/s-2/messages", { message: "fresh" });
    assert.equal(other.body.reply, "echo: fresh (history=0)");
  });

  it("runs tools requested by the model", async () => {
    const res = await api.request("POST", "/v1/sessions/s-calc/messages", { message: "calc: (2 + 3) * 4" });
    assert.equal(res.status, 200);
    assert.equal(res.body.reply, 'result: {"result":20}');
  });

  it("sends the API key as a bearer token and never logs it", async () => {
    const req = infra.llm.requests.at(-1);
    assert.equal(req?.headers.authorization, "Bearer sk-test-secret-do-not-log");
    assert.ok(!api.output.includes("sk-test-secret-do-not-log"), "API key found in logs");
  });

  it("enqueues a job: 202 with a job id, a queued record and one SQS message", async () => {
    const before = await infra.sqs.counts(queue.url);
    const res = await api.request("POST", "/v1/jobs", { input: "do something", sessionId: "s-job" });
    assert.equal(res.status, 202);
    assert.equal(res.body.status, "queued");
    assert.match(String(res.body.jobId), /^[0-9a-f-]{36}$/);
    const status = await api.get(`/v1/jobs/${String(res.body.jobId)}`);
    assert.deepEqual([status.status, status.body], [200, { jobId: res.body.jobId, status: "queued" }]);
    const after = await infra.sqs.counts(queue.url);
    assert.equal(after.visible, before.visible + 1);
  });

  it("returns the same job for the same Idempotency-Key and enqueues it once", async () => {
    const before = await infra.sqs.counts(queue.url);
    const headers = { "idempotency-key": "order-42" };
    const a = await api.request("POST", "/v1/jobs", { input: "same" }, headers);
    const b = await api.request("POST", "/v1/jobs", { input: "same" }, headers);
    assert.equal(a.status, 202);
    assert.equal(b.status, 202);
    assert.equal(a.body.jobId, b.body.jobId);
    assert.equal((await infra.sqs.counts(queue.url)).visible, before.visible + 1);
    const conflict = await api.request("POST", "/v1/jobs", { input: "different" }, headers);
    assert.equal(conflict.status, 422);
    assert.match(String(conflict.body.error), /Idempotency-Key/);
  });

  it("rejects bad input with 400 naming the field", async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ["/v1/jobs", {}, /"input"/],
      ["/v1/jobs", { input: 5 }, /"input"/],
      ["/v1/jobs", { input: "   " }, /"input"/],
      ["/v1/jobs", { input: "x", sessionId: "bad id!" }, /"sessionId"/],
      ["/v1/sessions/s-1/messages", { message: ["x"] }, /"message"/],
      ["/v1/sessions/s-1/messages", [], /body/],
      ["/v1/sessions/bad%20id/messages", { message: "x" }, /"sessionId"/],
      ["/v1/jobs", { input: "x", priority: "high" }, /"priority" is not an accepted field/],
    ];
    for (const [path, body, re] of cases) {
      const res = await api.request("POST", path, body);
      assert.equal(res.status, 400, `${path} ${JSON.stringify(body)}`);
      assert.match(String(res.body.error), re);
    }
    const badKey = await api.request("POST", "/v1/jobs", { input: "x" }, { "idempotency-key": "a".repeat(300) });
    assert.equal(badKey.status, 400);
    assert.match(String(badKey.body.error), /Idempotency-Key/);
    const notJson = await api.request("POST", "/v1/jobs", "{not json");
    assert.equal(notJson.status, 400);
    const badJobId = await api.get("/v1/jobs/not..valid");
    assert.equal(badJobId.status, 400);
    assert.match(String(badJobId.body.error), /"jobId" must be a job id/);
  });

  it("answers every bad request shape with a JSON { error } and the right status, changing nothing", async () => {
    const before = await infra.sqs.counts(queue.url);
    const longUrl = `/v1/jobs/${"a".repeat(4000)}`;
    const cases: Array<[string, string, unknown, Record<string, string>, number]> = [
      ["not JSON", "/v1/jobs", "{not json", {}, 400],
      ["empty JSON body", "/v1/jobs", "", { "content-type": "application/json" }, 400],
      ["a JSON array", "/v1/jobs", [], {}, 400],
      ["input missing", "/v1/jobs", {}, {}, 400],
      ["input not a string", "/v1/jobs", { input: 5 }, {}, 400],
      ["input blank", "/v1/jobs", { input: "  " }, {}, 400],
      ["an unknown field", "/v1/jobs", { input: "x", priority: "high" }, {}, 400],
      ["a bad sessionId", "/v1/jobs", { input: "x", sessionId: "bad id!" }, {}, 400],
      ["a bad Idempotency-Key", "/v1/jobs", { input: "x" }, { "idempotency-key": "a".repeat(300) }, 400],
      ["a text/plain body", "/v1/jobs", "input=x", { "content-type": "text/plain" }, 415],
      ["a form body", "/v1/sessions/s-1/messages", "message=x", { "content-type": "application/x-www-form-urlencoded" }, 415],
      ["a body over MAX_BODY_BYTES", "/v1/jobs", { input: "x".repeat(5000) }, {}, 413],
      ["a bad session id in the path", "/v1/sessions/bad%20id/messages", { message: "x" }, {}, 400],
      ["a session id in the path over 128 characters", `/v1/sessions/${"s".repeat(200)}/messages`, { message: "x" }, {}, 400],
      ["message not a string", "/v1/sessions/s-1/messages", { message: ["x"] }, {}, 400],
      ["an unknown route", "/v1/nothing-here", { input: "x" }, {}, 404],
    ];
    const results = [];
    for (const [what, path, body, headers, status] of cases) results.push({ what, status, res: await api.request("POST", path, body, headers) });
    results.push({ what: "a URL over the limit", status: 414, res: await api.get(longUrl) });
    results.push({ what: "a malformed job id", status: 400, res: await api.get("/v1/jobs/not..valid") });
    results.push({ what: "an unknown method", status: 404, res: await api.request("DELETE", "/v1/jobs/00000000-0000-4000-8000-000000000000") });
    for (const { what, status, res } of results) {
      assert.equal(res.status, status, `${what}: ${JSON.stringify(res.body)}`);
      assert.match(res.headers.get("content-type") ?? "", /^application\/json/, `${what}: content-type`);
      assert.deepEqual(Object.keys(res.body), ["error"], `${what}: ${JSON.stringify(res.body)}`);
      assert.ok(typeof res.body.error === "string" && res.body.error.length > 0, what);
    }
    assert.equal((await infra.sqs.counts(queue.url)).visible, before.visible, "a bad request enqueued a job");
  });

  it("limits body size", async () => {
    const res = await api.request("POST", "/v1/jobs", { input: "x".repeat(5000) });
    assert.equal(res.status, 413);
  });

  it("answers 404 for unknown jobs", async () => {
    const unknown = await api.get("/v1/jobs/00000000-0000-4000-8000-000000000000");
    assert.deepEqual([unknown.status, unknown.body], [404, { error: "job not found" }]);
  });

  it("maps an unreachable model to 502 after retries", async () => {
    infra.llm.failNext(4, 503);
    const res = await api.request("POST", "/v1/sessions/s-err/messages", { message: "hi" });
    assert.equal(res.status, 502);
    assert.match(String(res.body.error), /503/);
  });
});
