/**
 * Start-up: configuration is validated before anything runs, with one message per bad variable,
 * and the worker refuses a job deadline that does not fit in the queue's visibility timeout.
 */
import { strict as assert } from "node:assert";
import { AgentProcess, agentEnv } from "../../testkit/agent-process";
import { waitFor } from "../../testkit/net";
import { type Infra, startInfra } from "../../testkit/infra";
import { TestRedis } from "../../testkit/redis-server";

describe("start-up (integration)", function () {
  this.timeout(60_000);
  let infra: Infra;
  before(async () => {
    infra = await startInfra();
  });
  after(async () => {
    await infra?.stop();
  });

  it("exits 78 listing every invalid variable, without leaking secrets", async () => {
    const queue = await infra.sqs.createQueue();
    const env = agentEnv(infra.targets(queue), 1, {
      PORT: "99999", REDIS_URL: "http://nope", WORKER_CONCURRENCY: "many", LLM_API_KEY: "sk-secret-value",
    });
    delete env.LLM_MODEL;
    const p = AgentProcess.spawn("api", env);
    const { code } = await p.exited;
    assert.equal(code, 78);
    for (const name of ["PORT", "REDIS_URL", "WORKER_CONCURRENCY", "LLM_MODEL"]) assert.match(p.output, new RegExp(`${name} `));
    assert.ok(!p.output.includes("sk-secret-value"));
  });

  it("rejects an unknown role with a usage message", async () => {
    const queue = await infra.sqs.createQueue();
    const p = AgentProcess.spawn("scheduler", agentEnv(infra.targets(queue), 1));
    assert.equal((await p.exited).code, 64);
    assert.match(p.output, /usage: node dist\/main.js <api\|worker>/);
  });

  it("refuses a JOB_MAX_DURATION_SECONDS not shorter than the queue's visibility timeout", async () => {
    const queue = await infra.sqs.createQueue({ visibilityTimeout: 5 });
    const p = AgentProcess.spawn("worker", agentEnv(infra.targets(queue), 1, { JOB_MAX_DURATION_SECONDS: "5" }));
    assert.equal((await p.exited).code, 78);
    assert.match(p.output, /JOB_MAX_DURATION_SECONDS \(5\) must be less than the queue's VisibilityTimeout \(5 s\)/);
  });

  it("authenticates to Redis with REDIS_PASSWORD and never logs it", async () => {
    const secured = await TestRedis.start({ password: "auth-token-123" });
    const queue = await infra.sqs.createQueue();
    const targets = { ...infra.targets(queue), redisUrl: secured.url };
    try {
      const api = await AgentProcess.start("api", targets, { REDIS_PASSWORD: "auth-token-123" });
      const res = await api.request("POST", "/v1/jobs", { input: "with auth" });
      assert.equal(res.status, 202);
      await api.stop();
      assert.ok(!api.output.includes("auth-token-123"), "Redis password found in logs");
      const wrong = AgentProcess.spawn("api", agentEnv(targets, api.port, { REDIS_PASSWORD: "wrong" }));
      await waitFor("the API to answer", async () => ((await wrong.get("/healthz")).status === 200 ? true : undefined));
      assert.equal((await wrong.get("/readyz")).status, 503);
      await wrong.stop();
    } finally {
      await secured.destroy();
    }
  });
});
