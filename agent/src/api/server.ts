/**
 * The HTTP API (Fastify). The contract is public and documented in README.md: chat with session
 * context, job submission (202 + job id, idempotent), job status, probes. Every route has a JSON
 * schema; every error is JSON `{ "error": ... }` (see `errors.ts`).
 */
import type { JsonSchemaToTsProvider } from "@fastify/type-provider-json-schema-to-ts";
import Fastify, { type FastifyError, type FastifyReply, LogController } from "fastify";
import type { RedisClient } from "../store/redis";
import type { Logger } from "pino";
import type { ToolRegistry } from "../agent/tools";
import type { LlmClient } from "../llm/client";
import type { JobQueue } from "../queue";
import type { JobStore } from "../store/jobs";
import type { Outbox } from "../store/outbox";
import { pingRedis } from "../store/redis";
import type { SessionStore } from "../store/sessions";
import { registerChat } from "./chat";
import { answerClientError, errorReply, validationMessage } from "./errors";
import { registerJobs } from "./jobs";
import { MAX_URL_CHARS, probeSchema, URL_TOO_LONG_MESSAGE } from "./schemas";

/** What the API needs; injected so tests can build it against real or fake parts. */
export interface ApiDeps {
  redis: RedisClient;
  jobs: JobStore;
  sessions: SessionStore;
  outbox: Outbox;
  queue: Pick<JobQueue, "send">;
  llm: LlmClient;
  tools: ToolRegistry;
  logger: Logger;
  providerName: string;
  maxBodyBytes: number;
  chatMaxDurationMs: number;
  maxToolRounds: number;
  /** Bound on the SQS send of `POST /v1/jobs`. */
  enqueueTimeoutMs: number;
  /** Delay after which the outbox relay sends a job the API did not confirm. */
  relayAfterMs: number;
  /** True once shutdown started: readiness turns 503. */
  isDraining(): boolean;
}

/** The Fastify app with its JSON-schema type provider. */
export type Api = ReturnType<typeof buildServer>;

const PROBE_PATHS = new Set(["/healthz", "/readyz"]);

/** Builds the Fastify app (not listening). */
export function buildServer(deps: ApiDeps) {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: deps.maxBodyBytes,
    // Request logs, except for the probes that kubelet sends every few seconds.
    logController: new LogController({ disableRequestLogging: (req) => PROBE_PATHS.has(req.url.split("?")[0] ?? "") }),
    return503OnClosing: true,
    requestTimeout: deps.chatMaxDurationMs + 5000,
    // A parameter as long as the longest URL still reaches its schema (a clear 400); longer is 414.
    routerOptions: { maxParamLength: MAX_URL_CHARS },
    // Strict JSON: no type coercion, unknown fields rejected rather than dropped, failing schemas in errors.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, verbose: true } },
    schemaErrorFormatter: (errors, part) => new Error(validationMessage(errors, part)),
    clientErrorHandler: answerClientError,
    // Errors of the router itself (a parameter over maxParamLength, a malformed URL).
    frameworkErrors: (err, _req, reply) => {
      const { status, body } = errorReply(err);
      void (reply as FastifyReply).code(status).send(body);
    },
  }).withTypeProvider<JsonSchemaToTsProvider>();
  // JSON only: any other body (Fastify also parses text/plain by default) is 415.
  app.removeContentTypeParser("text/plain");

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const { status, body } = errorReply(err);
    if (status >= 500) req.log.error({ err }, "request failed");
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: `no route ${req.method} ${req.url.split("?")[0] ?? ""}` }));

  app.addHook("onRequest", async (req, reply) => {
    if (req.url.length > MAX_URL_CHARS) return reply.code(414).send({ error: URL_TOO_LONG_MESSAGE });
  });
  // While draining, ask clients to close keep-alive connections so the server can stop promptly.
  app.addHook("onSend", async (_req, reply) => {
    if (deps.isDraining()) reply.header("connection", "close");
  });

  app.get("/healthz", { schema: probeSchema }, async () => ({ status: "ok" }));

  app.get("/readyz", { schema: probeSchema }, async (_req, reply) => {
    if (deps.isDraining()) return reply.code(503).send({ status: "draining" });
    if (!(await pingRedis(deps.redis, 1000))) return reply.code(503).send({ status: "redis unavailable" });
    return { status: "ready" };
  });

  registerChat(app, deps);
  registerJobs(app, deps);
  return app;
}
