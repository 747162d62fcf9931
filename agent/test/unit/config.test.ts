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
    });
    assert.equal(c.port, 9000);
    assert.equal(c.sessionTtlSeconds, 60);
    assert.equal(c.workerConcurrency, 8);
    assert.equal(c.jobMaxDurationMs, 100_000);
    assert.equal(c.shutdownGraceMs, 5000);
    assert.equal(c.sqsEndpoint, "http://127.0.0.1:4566");
    assert.equal(c.otlpEndpoint, "http://otel:4318");
    assert.equal(c.serviceName, "svc");
    assert.deepEqual(c.resourceAttributes, { "deployment.environment": "prod", a: "b c" });
    assert.equal(c.redisPassword, "secret");
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

  it("checks retry bounds against each other", () => {
    assert.match(problems({ ...valid, LLM_RETRY_BASE_MS: "5000", LLM_RETRY_MAX_MS: "100" })[0] ?? "", /LLM_RETRY_BASE_MS/);
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
