/**
 * Wiring shared by both roles: builds the Redis client, stores, queue, LLM client and tools from
 * the configuration. Construction only; nothing here performs I/O until used.
 */
import type { Redis } from "ioredis";
import { ToolRegistry } from "./agent/tools";
import type { Config } from "./config";
import { LlmClient } from "./llm/client";
import { createSqsClient, JobQueue } from "./queue";
import { JobStore } from "./store/jobs";
import { createRedis } from "./store/redis";
import { SessionStore } from "./store/sessions";

/** The parts both roles use. */
export interface Components {
  redis: Redis;
  jobs: JobStore;
  sessions: SessionStore;
  queue: JobQueue;
  llm: LlmClient;
  tools: ToolRegistry;
  close(): Promise<void>;
}

/** Builds the components for `config`. */
export function createComponents(config: Config): Components {
  const redis = createRedis({ url: config.redisUrl, password: config.redisPassword, connectionName: `agent-${config.role}` });
  const sqs = createSqsClient(config.awsRegion, config.sqsEndpoint);
  return {
    redis,
    jobs: new JobStore(redis, config.jobTtlSeconds, config.idempotencyTtlSeconds),
    sessions: new SessionStore(redis, config.sessionTtlSeconds, config.sessionMaxMessages),
    queue: new JobQueue(sqs, config.queueUrl),
    llm: new LlmClient({
      baseUrl: config.llmBaseUrl, model: config.llmModel, apiKey: config.llmApiKey, providerName: config.llmProviderName,
      timeoutMs: config.llmTimeoutMs, maxAttempts: config.llmMaxAttempts, retryBaseMs: config.llmRetryBaseMs,
      retryMaxMs: config.llmRetryMaxMs,
    }),
    tools: new ToolRegistry(),
    async close() {
      await redis.quit().catch(() => redis.disconnect());
      sqs.destroy();
    },
  };
}
