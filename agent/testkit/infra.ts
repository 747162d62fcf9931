/** Starts the loopback infrastructure one integration test file needs, and stops it. */
import { FakeLlm } from "./fake-llm";
import { OtlpReceiver } from "./otlp";
import { TestRedis } from "./redis-server";
import { type TestQueue, TestSqs } from "./sqs";
import type { AgentTargets } from "./agent-process";

/** Redis, the SQS emulator, the fake LLM and the OTLP receiver. */
export interface Infra {
  redis: TestRedis;
  sqs: TestSqs;
  llm: FakeLlm;
  otlp: OtlpReceiver;
  /** Targets for an agent process using `queue`. */
  targets(queue: TestQueue, withTracing?: boolean): AgentTargets;
  stop(): Promise<void>;
}

/** Starts everything (Redis first, so a missing redis-server fails fast and clearly). */
export async function startInfra(opts: { persistentRedis?: boolean } = {}): Promise<Infra> {
  const redis = await TestRedis.start({ persistent: opts.persistentRedis ?? false });
  const [sqs, llm, otlp] = await Promise.all([TestSqs.start(), FakeLlm.start(), OtlpReceiver.start()]);
  return {
    redis, sqs, llm, otlp,
    targets: (queue, withTracing = false) => ({
      redisUrl: redis.url, queueUrl: queue.url, sqsEndpoint: sqs.endpoint, llmBaseUrl: llm.baseUrl,
      ...(withTracing ? { otlpEndpoint: otlp.endpoint } : {}),
    }),
    async stop() {
      await Promise.allSettled([redis.destroy(), sqs.stop(), llm.stop(), otlp.stop()]);
    },
  };
}
