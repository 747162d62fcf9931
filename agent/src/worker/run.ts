/**
 * The `worker` role: check the queue's timings, serve probes, run the outbox relay and poll until
 * SIGTERM, then drain (in-flight jobs finish within the grace period or are released with
 * visibility 0).
 */
import { hostname } from "node:os";
import type { Logger } from "pino";
import { createComponents } from "../components";
import { type Config, ConfigError } from "../config";
import { startProbeServer } from "../probes";
import { onShutdownSignal } from "../shutdown";
import { pingRedis } from "../store/redis";
import type { Telemetry } from "../telemetry/setup";
import { checkDeadlineFitsVisibility, workerTimings } from "./policy";
import { Worker } from "./worker";

/** Reads the queue settings, retrying while SQS is unreachable (bounded). */
async function queueSettings(c: ReturnType<typeof createComponents>, logger: Logger) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await c.queue.settings();
    } catch (err) {
      if (attempt >= 10) throw err;
      logger.warn({ err, attempt }, "cannot read queue attributes yet");
      await new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** attempt)));
    }
  }
}

/** Runs the worker until a shutdown signal. */
export async function run(config: Config, logger: Logger, telemetry: Telemetry): Promise<void> {
  const c = createComponents(config, logger);
  const settings = await queueSettings(c, logger);
  const problem = checkDeadlineFitsVisibility(config.jobMaxDurationMs, settings.visibilityTimeoutSeconds);
  if (problem !== undefined) throw new ConfigError([problem]);
  const timings = workerTimings(settings.visibilityTimeoutSeconds);
  const worker = new Worker({
    concurrency: config.workerConcurrency, waitTimeSeconds: config.sqsWaitTimeSeconds, redis: c.redis, queue: c.queue, logger,
    process: {
      workerId: `${hostname()}:${process.pid}`, queue: c.queue, jobs: c.jobs, sessions: c.sessions, llm: c.llm, tools: c.tools,
      logger, providerName: config.llmProviderName, maxToolRounds: config.agentMaxToolRounds,
      jobMaxDurationMs: config.jobMaxDurationMs, retryDelaySeconds: config.jobRetryDelaySeconds,
      maxReceiveCount: settings.maxReceiveCount, timings,
    },
  });
  const probes = await startProbeServer(config.port, config.host, {
    ready: async () => !worker.draining && (await pingRedis(c.redis, 1000)),
  });
  onShutdownSignal(logger, async () => {
    const { finished } = await worker.stop(config.shutdownGraceMs);
    logger.info({ finished }, "worker drained");
    probes.close();
    await c.close();
    await telemetry.shutdown().catch((err: unknown) => logger.warn({ err }, "telemetry flush failed"));
    logger.info("worker stopped");
    return 0;
  });
  worker.start();
  c.relay.start();
  logger.info({ queue: c.queue.name, concurrency: config.workerConcurrency, ...settings }, "worker polling");
}
