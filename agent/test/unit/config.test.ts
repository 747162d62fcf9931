import { strict as assert } from "node:assert";
import { ConfigError, describeConfig, loadConfig, parseResourceAttributes, parseRole } from "../../src/config";

const valid = {
  REDIS_URL: "redis://:pw@redis:6379/0",
  QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs",
  AWS_REGION: "eu-west-1",
  LLM_BASE_URL: "https://api.openai.com/v1/",
  LLM_MODEL: "gpt-4o-mini",
  LLM_API_KEY: "sk-live-123",
};

function problems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig("api", env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe("config", () => {
  it("applies documented defaults", () => {
    const c = loadConfig("worker", valid);
    assert.equal(c.port, 8080);
    assert.equal(c.sessionTtlSeconds, 86400, "the platform's default session TTL");
    assert.equal(c.workerConcurrency, 4);
    assert.equal(c.jobMaxDurationMs, 240_000);
    assert.equal(c.shutdownGraceMs, 25_000);
    assert.equal(c.serviceName, "agent-worker");
    assert.equal(c.llmBaseUrl, "https://api.openai.com/v1");
    assert.equal(c.sqsEndpoint, undefined);
  });

  it("reads every documented variable", () => {
    const c = loadConfig("api", {
      ...valid, PORT: "9000", SESSION_TTL_SECONDS: "60", WORKER_CONCURRENCY: "8", JOB_MAX_DURATION_SECONDS: "100",
      SHUTDOWN_GRACE_SECONDS: "5", AWS_ENDPOINT_URL_SQS: "http://127.0.0.1:4566", OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel:4318",
      OTEL_SERVICE_NAME: "svc", OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=prod,a=b%20c", REDIS_PASSWORD: "secret",
      REDIS_CONNECT_TIMEOUT_MS: "1500", REDIS_COMMAND_TIMEOUT_MS: "2500", SQS_CONNECT_TIMEOUT_MS: "700", SQS_REQUEST_TIMEOUT_MS: "4000",
      SQS_MAX_ATTEMPTS: "2", JOB_ENQUEUE_TIMEOUT_MS: "3000", OUTBOX_RELAY_AFTER_MS: "6000", OUTBOX_RELAY_INTERVAL_MS: "500",
    });
    assert.equal(c.port, 9000);
    assert.equal(c.sessionTtlSeconds, 60);
    assert.equal(c.workerConcurrency, 8);
    assert.equal(c.jobMaxDurationMs, 100_000);
    assert.equal(c.shutdownGraceMs, 5000);
    assert.equal(c.sqsEndpoint, "http://127.0.0.1:4566");
    assert.equal(c.serviceName, "svc");
    assert.equal(c.redisPassword, "secret");
    assert.deepEqual(
      [c.redisConnectTimeoutMs, c.redisCommandTimeoutMs, c.sqsConnectTimeoutMs, c.sqsRequestTimeoutMs, c.sqsMaxAttempts],
      [1500, 2500, 700, 4000, 2],
    );
    assert.deepEqual([c.enqueueTimeoutMs, c.outboxRelayAfterMs, c.outboxRelayIntervalMs], [3000, 6000, 500]);
  });

  it("reports one clear message per bad variable, all at once", () => {
    const p = problems({
      REDIS_URL: "http://redis", QUEUE_URL: "not a url", AWS_REGION: "Europe", LLM_BASE_URL: "ftp://x", PORT: "70000",
      WORKER_CONCURRENCY: "two", OTEL_RESOURCE_ATTRIBUTES: "novalue", LOG_LEVEL: "loud",
    });
    const names = ["REDIS_URL", "QUEUE_URL", "AWS_REGION", "LLM_BASE_URL", "LLM_MODEL", "PORT", "WORKER_CONCURRENCY", "OTEL_RESOURCE_ATTRIBUTES", "LOG_LEVEL"];
    for (const n of names) assert.ok(p.some((m) => m.startsWith(`${n} `)), `no message for ${n}: ${p.join(" | ")}`);
    assert.equal(p.length, names.length);
    assert.ok(p.find((m) => m.startsWith("PORT"))?.includes("70000"));
  });

  it("accepts rediss:// and rejects other Redis schemes", () => {
    assert.equal(loadConfig("api", { ...valid, REDIS_URL: "rediss://cache:6379" }).redisUrl, "rediss://cache:6379");
    assert.match(problems({ ...valid, REDIS_URL: "tcp://cache:6379" })[0] ?? "", /REDIS_URL must use redis: or rediss:/);
  });

  it("bounds every network call by default, with POST /v1/jobs answering within 10 s and the relay within 30 s", () => {
    const c = loadConfig("api", valid);
    assert.deepEqual([c.redisConnectTimeoutMs, c.redisCommandTimeoutMs], [2000, 2000]);
    assert.deepEqual([c.sqsConnectTimeoutMs, c.sqsRequestTimeoutMs, c.sqsMaxAttempts], [2000, 3000, 3]);
    assert.deepEqual([c.llmTimeoutMs, c.llmMaxAttempts], [60_000, 4]);
    // Worst case of POST /v1/jobs: the record write, the bounded send, the withdrawal.
    assert.ok(c.redisCommandTimeoutMs + c.enqueueTimeoutMs + c.redisCommandTimeoutMs <= 10_000);
    // A job recorded by an API that then died is sent after the relay delay, at the next pass, within one send.
    assert.ok(c.outboxRelayAfterMs + c.outboxRelayIntervalMs + c.sqsRequestTimeoutMs * c.sqsMaxAttempts <= 30_000);
  });

  it("keeps the relay from racing the API's own send", () => {
    assert.match(problems({ ...valid, JOB_ENQUEUE_TIMEOUT_MS: "8000", OUTBOX_RELAY_AFTER_MS: "5000" })[0] ?? "", /OUTBOX_RELAY_AFTER_MS \(5000\) must exceed JOB_ENQUEUE_TIMEOUT_MS \(8000\)/);
  });

  it("never renders secrets", () => {
    const text = JSON.stringify(describeConfig(loadConfig("api", { ...valid, REDIS_PASSWORD: "hunter2" })));
    assert.ok(!text.includes("sk-live-123"));
    assert.ok(!text.includes("hunter2"));
    assert.ok(!text.includes(":pw@"));
    assert.match(text, /"llmApiKey":"\[set\]"/);
  });

  it("parses roles and resource attributes", () => {
    assert.equal(parseRole("api"), "api");
    assert.equal(parseRole("worker"), "worker");
    assert.equal(parseRole("cron"), undefined);
    assert.deepEqual(parseResourceAttributes(""), {});
    assert.equal(parseResourceAttributes("=x"), undefined);
  });
});
