/**
 * Cluster-mode Redis/Valkey: with REDIS_CLUSTER=true the agent talks to a cluster-mode server
 * through an ioredis Cluster client, and every script call keeps its keys in one hash slot (the
 * server refuses anything else with CROSSSLOT).
 */
import { strict as assert } from "node:assert";
import { AgentProcess, type AgentTargets, ProcessGroup } from "../../testkit/agent-process";
import { FakeLlm } from "../../testkit/fake-llm";
import { waitForStatus } from "../../testkit/jobs";
import { TestRedis } from "../../testkit/redis-server";
import { TestSqs } from "../../testkit/sqs";

describe("cluster-mode Redis (integration)", function () {
  this.timeout(60_000);
  let redis: TestRedis;
  let sqs: TestSqs;
  let llm: FakeLlm;
  let targets: AgentTargets;
  const group = new ProcessGroup();

  before(async () => {
    redis = await TestRedis.start({ cluster: true });
    [sqs, llm] = await Promise.all([TestSqs.start(), FakeLlm.start()]);
    const queue = await sqs.createQueue();
    targets = { redisUrl: redis.url, queueUrl: queue.url, sqsEndpoint: sqs.endpoint, llmBaseUrl: llm.baseUrl };
  });
  afterEach(async function () {
    await group.stopAll(this.currentTest?.state === "failed");
  });
  after(async () => {
    await Promise.allSettled([redis?.destroy(), sqs?.stop(), llm?.stop()]);
  });

  it("accepts, deduplicates and runs a session's job, and chats in that session", async () => {
    const env = { REDIS_CLUSTER: "true" };
    const api = group.track(await AgentProcess.start("api", targets, env));
    const worker = group.track(await AgentProcess.start("worker", targets, env));
    const key = { "idempotency-key": "cluster-1" };
    const first = await api.request("POST", "/v1/jobs", { input: "in a cluster", sessionId: "clustered" }, key);
    assert.equal(first.status, 202, JSON.stringify(first.body));
    const again = await api.request("POST", "/v1/jobs", { input: "in a cluster", sessionId: "clustered" }, key);
    assert.equal(again.body.jobId, first.body.jobId);
    await waitForStatus(api, String(first.body.jobId), "succeeded");
    const chat = await api.request("POST", "/v1/sessions/clustered/messages", { message: "and now?" });
    assert.deepEqual([chat.status, chat.body.reply], [200, "echo: and now? (history=1)"]);
    assert.ok(![api, worker].some((p) => /CROSSSLOT/.test(p.output)), "a command spanned hash slots");
  });
});
