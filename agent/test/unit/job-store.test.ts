/** Idempotency and the job state machine, against a real redis-server. */
import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { JobStore, leaseKey } from "../../src/store/jobs";
import { SessionStore } from "../../src/store/sessions";
import { delay } from "../../testkit/net";
import { TestRedis } from "../../testkit/redis-server";

describe("job store (real Redis)", function () {
  this.timeout(20_000);
  let server: TestRedis;
  let redis: Redis;
  let jobs: JobStore;
  const timings = { workerMs: 1, llmMs: 1, queueMs: 1 };

  before(async () => {
    server = await TestRedis.start();
    redis = new Redis(server.url);
    jobs = new JobStore(redis, 3600, 600);
  });
  after(async () => {
    redis?.disconnect();
    await server?.destroy();
  });

  const seed = (input = "x") => ({ jobId: randomUUID(), input });

  it("creates a queued job with a TTL", async () => {
    const s = seed();
    assert.deepEqual(await jobs.create(s), { kind: "created", jobId: s.jobId });
    assert.deepEqual(await jobs.get(s.jobId), { jobId: s.jobId, status: "queued" });
    const ttl = await redis.ttl(`agent:job:${s.jobId}`);
    assert.ok(ttl > 3500 && ttl <= 3600);
  });

  it("returns the first job for a reused Idempotency-Key, and flags a different body", async () => {
    const a = seed("same");
    const b = seed("same");
    assert.equal((await jobs.create(a, "key-1")).kind, "created");
    assert.deepEqual(await jobs.create(b, "key-1"), { kind: "existing", jobId: a.jobId });
    assert.equal(await jobs.get(b.jobId), undefined, "a second job was created");
    assert.deepEqual(await jobs.create(seed("other"), "key-1"), { kind: "conflict", jobId: a.jobId });
  });

  it("lets exactly one of many concurrent requests with the same key create the job", async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => jobs.create(seed("race"), "key-race")));
    assert.equal(results.filter((r) => r.kind === "created").length, 1);
    assert.equal(new Set(results.map((r) => r.jobId)).size, 1);
  });

  it("forgets an abandoned job and its key", async () => {
    const s = seed();
    await jobs.create(s, "key-abandon");
    await jobs.abandon(s.jobId, "key-abandon");
    assert.equal(await jobs.get(s.jobId), undefined);
    assert.equal((await jobs.create(seed(), "key-abandon")).kind, "created");
  });

  it("transitions queued → running → succeeded once; later claims see it done", async () => {
    const s = seed();
    await jobs.create(s);
    assert.deepEqual(await jobs.claim(s, "w1", 5000), { kind: "claimed", attempts: 1 });
    assert.equal((await jobs.get(s.jobId))?.status, "running");
    const busy = await jobs.claim(s, "w2", 5000);
    assert.equal(busy.kind, "busy");
    assert.equal(await jobs.complete(s.jobId, "w2", "stolen", timings), false, "a non-owner completed the job");
    assert.equal(await jobs.complete(s.jobId, "w1", "out", timings), true);
    assert.equal(await jobs.complete(s.jobId, "w1", "again", timings), false);
    assert.deepEqual(await jobs.get(s.jobId), { jobId: s.jobId, status: "succeeded", result: { output: "out" } });
    assert.deepEqual(await jobs.claim(s, "w3", 5000), { kind: "done" });
    assert.equal((await jobs.raw(s.jobId)).completions, "1");
  });

  it("lets another attempt take over once a lease expires, and fences the old owner", async () => {
    const s = seed();
    await jobs.create(s);
    await jobs.claim(s, "dead-worker", 150);
    await delay(250);
    assert.equal(await redis.exists(leaseKey(s.jobId)), 0);
    assert.deepEqual(await jobs.claim(s, "w2", 5000), { kind: "claimed", attempts: 2 });
    assert.equal(await jobs.heartbeat(s.jobId, "dead-worker", 5000), false);
    assert.equal(await jobs.complete(s.jobId, "dead-worker", "late", timings), false);
    assert.equal(await jobs.complete(s.jobId, "w2", "ok", timings), true);
  });

  it("lets an owner whose lease lapsed (with no taker) still store its result", async () => {
    const s = seed();
    await jobs.create(s);
    await jobs.claim(s, "slow", 100);
    await delay(200);
    assert.equal(await jobs.complete(s.jobId, "slow", "done late", timings), true);
  });

  it("releases a job back to queued and records failure as terminal", async () => {
    const s = seed();
    await jobs.create(s);
    await jobs.claim(s, "w1", 5000);
    assert.equal(await jobs.release(s.jobId, "w1", "transient"), true);
    assert.equal((await jobs.get(s.jobId))?.status, "queued");
    await jobs.claim(s, "w2", 5000);
    assert.equal(await jobs.fail(s.jobId, "w2", "model rejected the request"), true);
    assert.deepEqual(await jobs.get(s.jobId), { jobId: s.jobId, status: "failed", error: "model rejected the request" });
    assert.deepEqual(await jobs.claim(s, "w3", 5000), { kind: "done" });
  });

  it("restores a job record lost by Redis from the message", async () => {
    const s = { jobId: randomUUID(), input: "from the message", sessionId: "s1" };
    assert.deepEqual(await jobs.claim(s, "w1", 5000), { kind: "claimed", attempts: 1 });
    const raw = await jobs.raw(s.jobId);
    assert.equal(raw.input, "from the message");
    assert.equal(raw.restored, "1");
  });

  it("keeps session history trimmed and expiring", async () => {
    const sessions = new SessionStore(redis, 30, 4);
    for (let i = 0; i < 3; i++) await sessions.append("trim", `u${i}`, `a${i}`);
    const h = await sessions.history("trim");
    assert.deepEqual(h.map((m) => m.content), ["u1", "a1", "u2", "a2"]);
    const ttl = await redis.ttl("agent:session:trim");
    assert.ok(ttl > 0 && ttl <= 30);
    assert.deepEqual(await sessions.history("unknown"), []);
  });

  it("expires a session after its TTL of inactivity", async () => {
    const sessions = new SessionStore(redis, 1, 10);
    await sessions.append("short-lived", "hi", "hello");
    assert.equal((await sessions.history("short-lived")).length, 2);
    await delay(1500);
    assert.deepEqual(await sessions.history("short-lived"), []);
  });
});
