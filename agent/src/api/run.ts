/**
 * The `api` role: serve the HTTP API on PORT and run the outbox relay until SIGTERM, then drain:
 * readiness turns 503, the server stops accepting and finishes in-flight requests, the relay stops,
 * telemetry flushes, the process exits.
 */
import type { Logger } from "pino";
import { createComponents } from "../components";
import type { Config } from "../config";
import { onShutdownSignal } from "../shutdown";
import type { Telemetry } from "../telemetry/setup";
import { buildServer } from "./server";

/** Runs the API until a shutdown signal. */
export async function run(config: Config, logger: Logger, telemetry: Telemetry): Promise<void> {
  const c = createComponents(config, logger);
  let draining = false;
  const app = buildServer({
    redis: c.redis, jobs: c.jobs, sessions: c.sessions, outbox: c.outbox, queue: c.queue, llm: c.llm, tools: c.tools, logger,
    providerName: config.llmProviderName, maxBodyBytes: config.maxBodyBytes, chatMaxDurationMs: config.chatMaxDurationMs,
    maxToolRounds: config.agentMaxToolRounds, enqueueTimeoutMs: config.enqueueTimeoutMs, relayAfterMs: config.outboxRelayAfterMs,
    isDraining: () => draining,
  });
  onShutdownSignal(logger, async () => {
    draining = true;
    const closed = app.close().then(() => true);
    const inTime = await Promise.race([closed, new Promise<boolean>((r) => setTimeout(() => r(false), config.shutdownGraceMs).unref())]);
    if (!inTime) logger.warn("grace period over with requests still in flight");
    await c.close();
    await telemetry.shutdown().catch((err: unknown) => logger.warn({ err }, "telemetry flush failed"));
    logger.info("api stopped");
    return 0;
  });
  await app.listen({ port: config.port, host: config.host });
  c.relay.start();
  logger.info({ port: config.port }, "api listening");
}
