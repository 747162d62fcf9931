/** Job creation with idempotency and outbox, the job state machine and session leases, against a real redis-server. */
import { strict as assert } from "node:assert";
import { Redis } from "ioredis";
import { JobStore, type NewJob } from "../../src/store/jobs";
import { idempotencyScope, jobPartition, keys, newJobId, partitionForNewJob, sessionPartition } from "../../src/store/keys";
import { defineAgentCommands } from "../../src/store/scripts";
import { SessionBusyError, SessionStore } from "../../src/store/sessions";
import { waitFor } from "../../testkit/net";
import { TestRedis } from "../../testkit/redis-server";

for (const cluster of [false, true]) describe(`job store (real Redis${cluster ? " in cluster mode" : ""})`, function () {
  this.timeout(20_000);
  let server: TestRedis;
  let redis: Redis;
  let jobs: JobStore;
  let sessions: SessionStore;
  const timings = { workerMs: 1, llmMs: 1, queueMs: 1 };
  const session = { ttlSeconds: 600, maxMessages: 6 };

  before(async () => {
    server = await TestRedis.start({ cluster });
    redis = new Redis(server.url);
    defineAgentCommands(redis);
    sessions = new SessionStore(redis, session);
    jobs = new JobStore(redis, { jobTtlSeconds: 3600, idempotencyTtlSeconds: 600, queueName: "q" }, sessions);
  });
  after(async () => {
    redis?.disconnect();
    await server?.destroy();
  });

  /** A new job as the API builds it (partition from the session or the key). */
  const newJob = (input = "x", opts: { key?: string; sessionId?: string } = {}): NewJob => {
    const scope = opts.key !== undefined ? idempotencyScope(opts.key, opts.sessionId) : undefined;
    return {
      jobId: newJobId(partitionForNewJob(opts.sessionId, scope)), input, sessionId: opts.sessionId, idempotencyScope: scope,
      outboxMessage: `message of ${input}`, relayAt: Date.now() + 10_000,
    };
  };
  const seed = (j: NewJob) => ({ jobId: j.jobId, input: j.input, sessionId: j.sessionId, enqueuedAt: Date.now() });
  const outboxOf = (jobId: string) => ({ zset: keys.outbox(jobPartition(jobId), "q"), hash: keys.outboxMessages(jobPartition(jobId), "q") });

  if (cluster) {
    it("is a server that refuses a script whose keys span hash slots (so the other tests prove one slot per call)", async () => {
      const other = Array.from({ length: 100 }, (_, i) => `s-${i}`).find((id) => sessionPartition(id) !== sessionPartition("s-a"));
      assert.ok(other !== undefined);
      await assert.rejects(redis.agentAcquireSession(keys.sessionLease("s-a"), keys.session(other), "o", 1000, 10), /CROSSSLOT/);
    });
  }

  it("records a queued job with a TTL together with its outbox entry", async () => {
    const j = newJob("recorded");
    assert.deepEqual(await jobs.create(j), { kind: "created", jobId: j.jobId });
    assert.deepEqual(await jobs.get(j.jobId), { jobId: j.jobId, status: "queued" });
    const ttl = await redis.ttl(keys.job(j.jobId));
    assert.ok(ttl > 3500 && ttl <= 3600);
    const { zset, hash } = outboxOf(j.jobId);
    assert.equal(Number(await redis.zscore(zset, j.jobId)), j.relayAt);
    assert.equal(await redis.hget(hash, j.jobId), "message of recorded");
  });

  it("returns the live job for a reused Idempotency-Key within its session, and flags a different body", async () => {
    const a = newJob("same", { key: "key-1" });
    assert.equal((await jobs.create(a)).kind, "created");
    const b = newJob("same", { key: "key-1" });
    assert.deepEqual(await jobs.create(b), { kind: "existing", jobId: a.jobId, status: "queued" });
    assert.equal(await jobs.get(b.jobId), undefined, "a second job was created");
    assert.deepEqual(await jobs.create(newJob("other", { key: "key-1" })), { kind: "conflict", jobId: a.jobId });
    assert.equal((await jobs.create(newJob("same", { key: "key-1", sessionId: "s" }))).kind, "created", "keys are scoped by session");
  });

  it("lets exactly one of many concurrent requests with the same key create the job", async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => jobs.create(newJob("race", { key: "key-race" }))));
    assert.equal(results.filter((r) => r.kind === "created").length, 1);
    assert.equal(new Set(results.map((r) => r.jobId)).size, 1);
  });

  it("withdraws a job that could not be enqueued: tombstone, no outbox entry, key free for a fresh job", async () => {
    const j = newJob("unsent", { key: "key-withdraw" });
    await jobs.create(j);
    assert.equal(await jobs.withdraw(j.jobId, j.idempotencyScope), true);
    assert.equal(await jobs.get(j.jobId), undefined);
    assert.equal((await jobs.raw(j.jobId)).status, "withdrawn");
    assert.equal(await redis.zscore(outboxOf(j.jobId).zset, j.jobId), null);
    assert.deepEqual(await jobs.claim(seed(j), "w1", 5000), { kind: "done" }, "a message that reached SQS anyway revived it");
    const again = newJob("unsent", { key: "key-withdraw" });
    assert.deepEqual(await jobs.create(again), { kind: "created", jobId: again.jobId });
  });

  it("keeps a job live once a retry was told about it", async () => {
    const j = newJob("promised", { key: "key-promised" });
    await jobs.create(j);
    assert.equal((await jobs.create(newJob("promised", { key: "key-promised" }))).kind, "existing");
    assert.equal(await jobs.withdraw(j.jobId, j.idempotencyScope), false);
    assert.deepEqual(await jobs.get(j.jobId), { jobId: j.jobId, status: "queued" });
    assert.notEqual(await redis.zscore(outboxOf(j.jobId).zset, j.jobId), null, "the relay must still send it");
  });

  it("transitions queued → running → succeeded once; later claims see it done", async () => {
    const j = newJob();
    await jobs.create(j);
    assert.deepEqual(await jobs.claim(seed(j), "w1", 5000), { kind: "claimed", attempts: 1 });
    assert.equal((await jobs.get(j.jobId))?.status, "running");
    assert.equal((await jobs.claim(seed(j), "w2", 5000)).kind, "busy");
    assert.equal(await jobs.complete(j.jobId, "w2", "stolen", timings), false, "a non-owner completed the job");
    assert.equal(await jobs.complete(j.jobId, "w1", "out", timings), true);
    assert.equal(await jobs.complete(j.jobId, "w1", "again", timings), false);
    assert.deepEqual(await jobs.get(j.jobId), { jobId: j.jobId, status: "succeeded", result: { output: "out" } });
    assert.deepEqual(await jobs.claim(seed(j), "w3", 5000), { kind: "done" });
    assert.equal((await jobs.raw(j.jobId)).completions, "1");
  });

  it("lets another attempt take over once a lease expires, and fences the old owner", async () => {
    const j = newJob();
    await jobs.create(j);
    await jobs.claim(seed(j), "dead-worker", 150);
    await waitFor("the lease to expire", async () => ((await redis.exists(keys.jobLease(j.jobId))) === 0 ? true : undefined), 5000, 20);
    assert.deepEqual(await jobs.claim(seed(j), "w2", 5000), { kind: "claimed", attempts: 2 });
    assert.equal(await jobs.heartbeat(j.jobId, "dead-worker", 5000), false);
    assert.equal(await jobs.complete(j.jobId, "dead-worker", "late", timings), false);
    assert.equal(await jobs.complete(j.jobId, "w2", "ok", timings), true);
  });

  it("releases a job back to queued and records failure as final", async () => {
    const j = newJob();
    await jobs.create(j);
    await jobs.claim(seed(j), "w1", 5000);
    assert.equal(await jobs.release(j.jobId, "w1", "transient"), true);
    assert.equal((await jobs.get(j.jobId))?.status, "queued");
    await jobs.claim(seed(j), "w2", 5000);
    assert.equal(await jobs.fail(j.jobId, "w2", "model rejected the request"), true);
    assert.deepEqual(await jobs.get(j.jobId), { jobId: j.jobId, status: "failed", error: "model rejected the request" });
    assert.deepEqual(await jobs.claim(seed(j), "w3", 5000), { kind: "done" });
  });

  it("frees the session lease of an attempt that completes, fails or is released after losing the job, and no one else's", async () => {
    const j = newJob("fenced", { sessionId: "fenced-session" });
    await jobs.create(j);
    await jobs.claim(seed(j), "w1", 5000);
    await redis.set(keys.jobLease(j.jobId), "w2", "PX", 5000);
    const lease = keys.sessionLease("fenced-session");
    const ends = [
      () => jobs.complete(j.jobId, "w1", "late", timings, { sessionId: "fenced-session", user: "fenced" }),
      () => jobs.release(j.jobId, "w1", "transient", "fenced-session"),
      () => jobs.fail(j.jobId, "w1", "final", "fenced-session"),
    ];
    for (const end of ends) {
      await sessions.acquire("fenced-session", "w1", 5000, Date.now() + 1000);
      assert.equal(await end(), false, "an attempt that lost the job changed it");
      assert.equal(await redis.exists(lease), 0, "the session stayed locked by an attempt that is over");
    }
    await redis.set(lease, "w3", "PX", 5000);
    assert.equal(await jobs.fail(j.jobId, "w1", "final", "fenced-session"), false);
    assert.equal(await redis.get(lease), "w3");
    assert.deepEqual(await jobs.get(j.jobId), { jobId: j.jobId, status: "running" });
    assert.equal(await redis.llen(keys.session("fenced-session")), 0);
  });

  it("restores a record Redis lost from a recent message, but never revives an expired one", async () => {
    const recent = { jobId: newJobId("3"), input: "from the message", sessionId: "s1", enqueuedAt: Date.now() };
    assert.deepEqual(await jobs.claim(recent, "w1", 5000), { kind: "claimed", attempts: 1 });
    assert.deepEqual([(await jobs.raw(recent.jobId)).input, (await jobs.raw(recent.jobId)).restored], ["from the message", "1"]);
    const old = { jobId: newJobId("3"), input: "finished a week ago", enqueuedAt: Date.now() - 3601 * 1000 };
    assert.deepEqual(await jobs.claim(old, "w1", 5000), { kind: "done" });
    assert.deepEqual(await jobs.raw(old.jobId), {});
  });

  it("appends a session job's exchange in its completion, only under the session lease", async () => {
    const j = newJob("job turn", { sessionId: "job-session" });
    await jobs.create(j);
    await jobs.claim(seed(j), "w1", 5000);
    await redis.set(keys.sessionLease("job-session"), "someone-else", "PX", 5000);
    assert.equal(await jobs.complete(j.jobId, "w1", "reply", timings, { sessionId: "job-session", user: "job turn" }), false);
    assert.equal(await redis.llen(keys.session("job-session")), 0, "appended without the session lease");
    await redis.del(keys.sessionLease("job-session"));
    assert.deepEqual(await sessions.acquire("job-session", "w1", 5000, Date.now() + 1000), []);
    assert.equal(await jobs.heartbeat(j.jobId, "w1", 5000, "job-session"), true);
    assert.equal(await jobs.complete(j.jobId, "w1", "reply", timings, { sessionId: "job-session", user: "job turn" }), true);
    assert.deepEqual((await redis.lrange(keys.session("job-session"), 0, -1)).map((t) => JSON.parse(t).content), ["job turn", "reply"]);
    assert.equal(await redis.exists(keys.sessionLease("job-session")), 0, "the session lease outlived the completion");
  });

  it("serialises exchanges on a session lease, trims history and refreshes its TTL", async () => {
    assert.deepEqual(await sessions.acquire("trim", "a", 5000, Date.now() + 1000), []);
    await assert.rejects(sessions.acquire("trim", "b", 5000, Date.now() + 100), SessionBusyError);
    const waiting = sessions.acquire("trim", "b", 5000, Date.now() + 5000);
    assert.equal(await sessions.append("trim", "a", "u0", "a0"), true);
    assert.deepEqual((await waiting).map((t) => t.content), ["u0", "a0"], "the waiter did not see the earlier exchange");
    assert.equal(await sessions.append("trim", "a", "late", "late"), false, "appended without the lease");
    assert.equal(await sessions.append("trim", "b", "u1", "a1"), true);
    for (let i = 2; i < 5; i++) {
      await sessions.acquire("trim", "c", 5000, Date.now() + 1000);
      await sessions.append("trim", "c", `u${i}`, `a${i}`);
    }
    const history = await sessions.acquire("trim", "d", 5000, Date.now() + 1000);
    assert.deepEqual(history.map((t) => t.content), ["u2", "a2", "u3", "a3", "u4", "a4"]);
    await sessions.release("trim", "d");
    const ttl = await redis.ttl(keys.session("trim"));
    assert.ok(ttl > 590 && ttl <= 600);
  });

  it("expires a session after its TTL of inactivity", async () => {
    const short = new SessionStore(redis, { ttlSeconds: 1, maxMessages: 10 });
    await short.acquire("short-lived", "a", 1000, Date.now() + 1000);
    await short.append("short-lived", "a", "hi", "hello");
    assert.equal(await redis.llen(keys.session("short-lived")), 2);
    await waitFor("the session to expire", async () => ((await redis.exists(keys.session("short-lived"))) === 0 ? true : undefined), 5000, 100);
  });
});
