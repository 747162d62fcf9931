/**
 * The public HTTP contract of the `api` role, against a real Redis, the SQS emulator and the fake
 * LLM, through the real entry point.
 */
import { strict as assert } from "node:assert";
import { Redis } from "ioredis";
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
    assert.deepEqual(await api.get("/healthz"), { status: 200, body: { status: "ok" } });
    assert.deepEqual(await api.get("/readyz"), { status: 200, body: { status: "ready" } });
  });

  it("chats with session context kept in Redis with a TTL", async () => {
    const first = await api.request("POST", "/v1/sessions/s-1/messages", { message: "hello" });
    assert.equal(first.status, 200);
    assert.equal(first.body.reply, "echo: hello (history=0)");
    const second = await api.request("POST", "/v1/sessions/s-1/messages", { message: "again" });
    assert.equal(second.body.reply, "echo: again (history=1)");
    const ttl = await redis.ttl("agent:session:s-1");
    assert.ok(ttl > 0 && ttl <= 90, `ttl ${ttl}`);
    assert.equal(await redis.llen("agent:session:s-1"), 4);
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
    assert.deepEqual(status, { status: 200, body: { jobId: res.body.jobId, status: "queued" } });
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
  });

  it("limits body size", async () => {
    const res = await api.request("POST", "/v1/jobs", { input: "x".repeat(5000) });
    assert.equal(res.status, 413);
  });

  it("answers 404 for unknown jobs", async () => {
    assert.equal((await api.get("/v1/jobs/00000000-0000-0000-0000-000000000000")).status, 404);
    assert.equal((await api.get("/v1/jobs/not..valid")).status, 404);
  });

  it("maps an unreachable model to 502 after retries", async () => {
    infra.llm.failNext(4, 503);
    const res = await api.request("POST", "/v1/sessions/s-err/messages", { message: "hi" });
    assert.equal(res.status, 502);
    assert.match(String(res.body.error), /503/);
  });
});
