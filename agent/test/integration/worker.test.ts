/**
 * The `worker` role end to end: API → SQS → worker → LLM → Redis, duplicate deliveries, bounded
 * concurrency, sessions, and results stored before the message is deleted.
 */
import { strict as assert } from "node:assert";
import { Redis } from "ioredis";
import { AgentProcess } from "../../testkit/agent-process";
import { type Infra, startInfra } from "../../testkit/infra";
import { jobRecord, submitJob, waitForStatus } from "../../testkit/jobs";
import { waitFor } from "../../testkit/net";
import type { TestQueue } from "../../testkit/sqs";

describe("worker (integration)", function () {
  this.timeout(90_000);
  let infra: Infra;
  let queue: TestQueue;
  let api: AgentProcess;
  let worker: AgentProcess;
  let redis: Redis;

  before(async () => {
    infra = await startInfra();
    queue = await infra.sqs.createQueue({ visibilityTimeout: 6, maxReceiveCount: 3 });
    [api, worker] = await Promise.all([
      AgentProcess.start("api", infra.targets(queue)),
      AgentProcess.start("worker", infra.targets(queue), { WORKER_CONCURRENCY: "2" }),
    ]);
    redis = new Redis(infra.redis.url);
  });
  after(async () => {
    redis?.disconnect();
    await Promise.all([api?.stop(), worker?.stop()]);
    await infra?.stop();
  });

  it("processes a job: queued → succeeded with the result, message deleted after the result is stored", async () => {
    const jobId = await submitJob(api, "calc: 6 * 7");
    const done = await waitForStatus(api, jobId, "succeeded");
    assert.deepEqual(done, { jobId, status: "succeeded", result: { output: 'result: {"result":42}' } });
    const rec = await jobRecord(redis, jobId);
    assert.equal(rec.completions, "1");
    assert.equal(rec.attempts, "1");
    assert.ok(Number(rec.workerMs) >= 0 && Number(rec.queueMs) >= 0);
    await waitFor("queue to be empty", async () => {
      const c = await infra.sqs.counts(queue.url);
      return c.visible === 0 && c.inFlight === 0 ? true : undefined;
    });
  });

  it("processes a duplicated delivery once", async () => {
    const input = `dup-${Date.now()}`;
    const jobId = await submitJob(api, input);
    await waitForStatus(api, jobId, "succeeded");
    // SQS is at-least-once: deliver the very same job message again.
    await infra.sqs.send(queue.url, JSON.stringify({ jobId, input, enqueuedAt: Date.now() }));
    await waitFor("duplicate to be consumed", async () => {
      const c = await infra.sqs.counts(queue.url);
      return c.visible === 0 && c.inFlight === 0 ? true : undefined;
    });
    assert.equal(infra.llm.requestsMentioning(input).length, 1, "LLM called more than once");
    assert.equal((await jobRecord(redis, jobId)).completions, "1");
    assert.match(worker.output, /duplicate delivery/);
  });

  it("bounds concurrency to WORKER_CONCURRENCY", async () => {
    infra.llm.maxActive = 0;
    infra.llm.slowMs = 600;
    const ids = await Promise.all([1, 2, 3, 4, 5].map((i) => submitJob(api, `SLOW batch ${i}`)));
    for (const id of ids) await waitForStatus(api, id, "succeeded", 30_000);
    assert.equal(infra.llm.maxActive, 2);
  });

  it("appends a job's exchange to its session", async () => {
    const res = await api.request("POST", "/v1/jobs", { input: "remember me", sessionId: "job-session" });
    await waitForStatus(api, String(res.body.jobId), "succeeded");
    const chat = await api.request("POST", "/v1/sessions/job-session/messages", { message: "next" });
    assert.equal(chat.body.reply, "echo: next (history=1)");
  });

  it("retries a job after transient LLM failures within one receive", async () => {
    infra.llm.failNext(2, 429, { "retry-after": "0" });
    const jobId = await submitJob(api, "flaky but fine");
    const done = await waitForStatus(api, jobId, "succeeded");
    assert.match(String((done.result as { output: string }).output), /flaky but fine/);
    assert.equal((await jobRecord(redis, jobId)).attempts, "1");
  });
});
