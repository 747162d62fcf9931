/**
 * Wiring shared by both roles: builds the Redis client, stores, queue, outbox relay, LLM client and
 * tools from the configuration. Construction only; nothing here performs I/O until used.
 */
import type { Logger } from "pino";
import { ToolRegistry } from "./agent/tools";
import type { Config } from "./config";
import { LlmClient } from "./llm/client";
import { createSqsClient, JobQueue } from "./queue";
import { OutboxRelay } from "./relay";
import { JobStore } from "./store/jobs";
import { Outbox } from "./store/outbox";
import { createRedis, type RedisClient } from "./store/redis";
import { SessionStore } from "./store/sessions";

/** The parts both roles use. */
export interface Components {
  redis: RedisClient;
  jobs: JobStore;
  sessions: SessionStore;
  outbox: Outbox;
  queue: JobQueue;
  relay: OutboxRelay;
  llm: LlmClient;
  tools: ToolRegistry;
  /** Stops the relay and closes the connections. */
  close(): Promise<void>;
}

/** Builds the components for `config`. */
export function createComponents(config: Config, logger: Logger): Components {
  const redis = createRedis({
    url: config.redisUrl, password: config.redisPassword, cluster: config.redisCluster, connectionName: `agent-${config.role}`,
    connectTimeoutMs: config.redisConnectTimeoutMs, commandTimeoutMs: config.redisCommandTimeoutMs,
  });
  const sqs = createSqsClient({
    region: config.awsRegion, endpoint: config.sqsEndpoint, connectTimeoutMs: config.sqsConnectTimeoutMs,
    requestTimeoutMs: config.sqsRequestTimeoutMs, maxAttempts: config.sqsMaxAttempts,
  });
  const queue = new JobQueue(sqs, config.queueUrl, config.sqsRequestTimeoutMs);
  const sessions = new SessionStore(redis, { ttlSeconds: config.sessionTtlSeconds, maxMessages: config.sessionMaxMessages });
  const outbox = new Outbox(redis, queue.name, logger);
  const relay = new OutboxRelay(outbox, queue, { intervalMs: config.outboxRelayIntervalMs, claimMs: config.outboxRelayAfterMs }, logger);
  return {
    redis,
    jobs: new JobStore(redis, { jobTtlSeconds: config.jobTtlSeconds, idempotencyTtlSeconds: config.idempotencyTtlSeconds, queueName: queue.name }, sessions),
    sessions,
    outbox,
    queue,
    relay,
    llm: new LlmClient({
      baseUrl: config.llmBaseUrl, model: config.llmModel, apiKey: config.llmApiKey, providerName: config.llmProviderName,
      timeoutMs: config.llmTimeoutMs, maxAttempts: config.llmMaxAttempts,
    }),
    tools: new ToolRegistry(),
    async close() {
      await relay.stop();
      await outbox.flush();
      await redis.quit().catch(() => redis.disconnect());
      sqs.destroy();
    },
  };
}
