/**
 * Fault tests: a worker killed mid-job, SIGTERM during a job (drain, and release when the grace
 * period is too short), a poison job ending in the DLQ, and a Redis restart.
 */
import { strict as assert } from "node:assert";
import { Redis } from "ioredis";
import { AgentProcess, ProcessGroup } from "../../testkit/agent-process";
import { type Infra, startInfra } from "../../testkit/infra";
import { jobRecord, submitJob, waitForStatus } from "../../testkit/jobs";
import { waitFor } from "../../testkit/net";

describe("faults (integration)", function () {
  this.timeout(120_000);
  let infra: Infra;
  let redis: Redis;
  const group = new ProcessGroup();
  const track = (p: AgentProcess): AgentProcess => group.track(p);

  before(async () => {
    infra = await startInfra({ persistentRedis: true });
    redis = new Redis(infra.redis.url, { maxRetriesPerRequest: 1 });
    redis.on("error", () => undefined);
  });
  afterEach(async function () {
    await group.stopAll(this.currentTest?.state === "failed");
    infra.llm.reset();
  });
  after(async () => {
    redis?.disconnect();
    await infra?.stop();
  });

  const queueEmpty = (url: string) => async () => {
    const c = await infra.sqs.counts(url);
    return c.visible === 0 && c.inFlight === 0 ? true : undefined;
  };

  it("completes a job exactly once when its worker is killed mid-job", async () => {
    // The second worker's first job also loads the LLM client (on first use): its deadline leaves room for that on a busy machine.
    const queue = await infra.sqs.createQueue({ visibilityTimeout: 8, maxReceiveCount: 4 });
    const env = { JOB_MAX_DURATION_SECONDS: "6" };
    infra.llm.slowMs = 1500;
    const api = track(await AgentProcess.start("api", infra.targets(queue)));
    const first = track(await AgentProcess.start("worker", infra.targets(queue), env));
    const jobId = await submitJob(api, "SLOW killed mid-job");
    await waitForStatus(api, jobId, "running");
    await waitFor("the LLM call to start", () => (infra.llm.requestsMentioning("killed mid-job").length > 0 ? true : undefined));
    first.kill("SIGKILL");
    assert.equal((await first.exited).signal, "SIGKILL");
    track(await AgentProcess.start("worker", infra.targets(queue), env));
    const done = await waitForStatus(api, jobId, "succeeded", 30_000);
    assert.match(String((done.result as { output: string }).output), /killed mid-job/);
    const rec = await jobRecord(redis, jobId);
    assert.equal(rec.completions, "1", "completed more than once");
    assert.equal(rec.attempts, "2");
    await waitFor("queue to drain", queueEmpty(queue.url));
    assert.equal((await infra.sqs.counts(queue.dlqUrl)).visible, 0);
  });

  it("drains on SIGTERM: the running job finishes, then the worker exits 0", async () => {
    const queue = await infra.sqs.createQueue({ visibilityTimeout: 6 });
    infra.llm.slowMs = 1500;
    const api = track(await AgentProcess.start("api", infra.targets(queue)));
    const worker = track(await AgentProcess.start("worker", infra.targets(queue), { SHUTDOWN_GRACE_SECONDS: "20" }));
    const jobId = await submitJob(api, "SLOW drained");
    await waitForStatus(api, jobId, "running");
    worker.kill("SIGTERM");
    assert.deepEqual(await worker.exited, { code: 0, signal: null });
    assert.equal((await api.get(`/v1/jobs/${jobId}`)).body.status, "succeeded");
    assert.match(worker.output, /"finished":true/);
    assert.match(worker.output, /worker stopped/);
    await waitFor("queue to drain", queueEmpty(queue.url));
  });

  it("releases a running job with visibility 0 when the grace period is over", async () => {
    const queue = await infra.sqs.createQueue({ visibilityTimeout: 8, maxReceiveCount: 5 });
    infra.llm.slowMs = 2000;
    const api = track(await AgentProcess.start("api", infra.targets(queue)));
    const worker = track(await AgentProcess.start("worker", infra.targets(queue), { SHUTDOWN_GRACE_SECONDS: "0", JOB_MAX_DURATION_SECONDS: "6" }));
    const jobId = await submitJob(api, "SLOW released");
    await waitForStatus(api, jobId, "running");
    worker.kill("SIGTERM");
    assert.deepEqual(await worker.exited, { code: 0, signal: null });
    assert.match(worker.output, /released back to the queue at shutdown/);
    assert.equal((await api.get(`/v1/jobs/${jobId}`)).body.status, "queued");
    // Receivable again at once, well before the 8 s visibility timeout would have expired.
    const again = await waitFor("the released message", async () => {
      const m = await infra.sqs.peek(queue.url, 0);
      return m.length > 0 ? m : undefined;
    }, 3000);
    assert.ok(String(again[0]?.Body).includes(jobId));
    track(await AgentProcess.start("worker", infra.targets(queue), { JOB_MAX_DURATION_SECONDS: "6" }));
    await waitForStatus(api, jobId, "succeeded", 30_000);
    assert.equal((await jobRecord(redis, jobId)).completions, "1");
  });

  it("lets SQS move a poison job to the DLQ after maxReceiveCount and reports it failed", async () => {
    const queue = await infra.sqs.createQueue({ visibilityTimeout: 4, maxReceiveCount: 2 });
    const api = track(await AgentProcess.start("api", infra.targets(queue)));
    // Two LLM attempts (one 0.5 s backoff) end well inside the 3 s job deadline even on a loaded machine,
    // so the job fails with the model's own error rather than the deadline's.
    track(await AgentProcess.start("worker", infra.targets(queue), { JOB_MAX_DURATION_SECONDS: "3", LLM_MAX_ATTEMPTS: "2" }));
    const jobId = await submitJob(api, "POISON pill");
    await infra.sqs.send(queue.url, "this is not a job");
    const failed = await waitForStatus(api, jobId, "failed", 30_000);
    assert.match(String(failed.error), /HTTP 500/);
    const dlq = await waitFor("both messages in the DLQ", async () => {
      const c = await infra.sqs.counts(queue.dlqUrl);
      return c.visible === 2 ? c : undefined;
    }, 30_000);
    assert.equal(dlq.visible, 2);
    const bodies = (await infra.sqs.peek(queue.dlqUrl)).map((m) => m.Body ?? "");
    assert.ok(bodies.some((b) => b.includes(jobId)), "poison job not in the DLQ");
    assert.ok(bodies.includes("this is not a job"), "malformed message not in the DLQ");
    assert.equal((await jobRecord(redis, jobId)).attempts, "2");
  });

  it("survives a Redis restart: readiness drops and recovers, no crash, no accepted job lost", async () => {
    const queue = await infra.sqs.createQueue({ visibilityTimeout: 6 });
    const api = track(await AgentProcess.start("api", infra.targets(queue)));
    const before = await submitJob(api, "accepted before the restart");
    await infra.redis.stop();
    await waitFor("readiness to drop", async () => ((await api.get("/readyz")).status === 503 ? true : undefined));
    assert.equal((await api.get("/healthz")).status, 200);
    const refused = await api.request("POST", "/v1/jobs", { input: "while Redis is down" });
    assert.equal(refused.status, 503, "a job was accepted while it could not be recorded");
    assert.equal((await api.get(`/v1/jobs/${before}`)).status, 503);
    const worker = track(await AgentProcess.start("worker", infra.targets(queue)).catch(async () => {
      // The worker's probes answer even without Redis; start-up must not depend on it.
      throw new Error("worker failed to start while Redis was down");
    }));
    assert.equal((await worker.get("/readyz")).status, 503);
    await infra.redis.restart();
    await waitFor("readiness to recover", async () => ((await api.get("/readyz")).status === 200 ? true : undefined));
    await waitForStatus(api, before, "succeeded", 30_000);
    const after = await submitJob(api, "accepted after the restart");
    await waitForStatus(api, after, "succeeded", 30_000);
    assert.equal(await Promise.race([api.exited.then(() => "exited"), Promise.resolve("running")]), "running");
    assert.equal(await Promise.race([worker.exited.then(() => "exited"), Promise.resolve("running")]), "running");
  });

  it("finishes in-flight API requests on SIGTERM and exits 0", async () => {
    const queue = await infra.sqs.createQueue();
    infra.llm.slowMs = 1000;
    const api = track(await AgentProcess.start("api", infra.targets(queue)));
    const inflight = api.request("POST", "/v1/sessions/drain/messages", { message: "SLOW reply" });
    await waitFor("the chat to reach the LLM", () => (infra.llm.requestsMentioning("SLOW reply").length > 0 ? true : undefined));
    api.kill("SIGTERM");
    const res = await inflight;
    assert.equal(res.status, 200);
    assert.match(String(res.body.reply), /SLOW reply/);
    assert.deepEqual(await api.exited, { code: 0, signal: null });
    assert.match(api.output, /api stopped/);
  });
});
