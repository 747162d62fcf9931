/**
 * The HTTP API (Fastify). The contract is public and documented in README.md:
 * chat with session context, job submission (202 + job id, idempotent), job status, probes.
 */
import { randomUUID } from "node:crypto";
import Fastify, { type FastifyError, LogController } from "fastify";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { runAgent } from "../agent/loop";
import type { ToolRegistry } from "../agent/tools";
import type { LlmClient } from "../llm/client";
import { LlmError } from "../llm/types";
import type { JobQueue } from "../queue";
import type { JobStore } from "../store/jobs";
import { pingRedis } from "../store/redis";
import type { SessionStore } from "../store/sessions";
import { parseIdempotencyKey, parseJobBody, parseJobId, parseMessageBody, parseSessionId } from "./validate";

/** What the API needs; injected so tests can build it against real or fake parts. */
export interface ApiDeps {
  redis: Redis;
  jobs: JobStore;
  sessions: SessionStore;
  queue: Pick<JobQueue, "send">;
  llm: LlmClient;
  tools: ToolRegistry;
  logger: Logger;
  providerName: string;
  maxBodyBytes: number;
  chatMaxDurationMs: number;
  maxToolRounds: number;
  /** True once shutdown started: readiness turns 503. */
  isDraining(): boolean;
}

const PROBE_PATHS = new Set(["/healthz", "/readyz"]);

/** Maps an LLM failure to an HTTP status: 504 when out of time, else 502. Pure. */
export function llmErrorStatus(err: LlmError): number {
  return err.kind === "deadline" || err.kind === "timeout" ? 504 : 502;
}

/** Builds the Fastify app (not listening). */
export function buildServer(deps: ApiDeps) {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: deps.maxBodyBytes,
    // Request logs, except for the probes that kubelet sends every few seconds.
    logController: new LogController({ disableRequestLogging: (req) => PROBE_PATHS.has(req.url.split("?")[0] ?? "") }),
    return503OnClosing: true,
    requestTimeout: deps.chatMaxDurationMs + 5000,
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) return reply.code(status).send({ error: err.message });
    req.log.error({ err }, "request failed");
    return reply.code(status >= 500 ? status : 500).send({ error: "internal error" });
  });

  // While draining, ask clients to close keep-alive connections so the server can stop promptly.
  app.addHook("onSend", async (_req, reply) => {
    if (deps.isDraining()) reply.header("connection", "close");
  });

  app.get("/healthz", async () => ({ status: "ok" }));

  app.get("/readyz", async (_req, reply) => {
    if (deps.isDraining()) return reply.code(503).send({ status: "draining" });
    if (!(await pingRedis(deps.redis, 1000))) return reply.code(503).send({ status: "redis unavailable" });
    return { status: "ready" };
  });

  app.post("/v1/sessions/:sessionId/messages", async (req, reply) => {
    const sid = parseSessionId((req.params as Record<string, unknown>).sessionId);
    if (!sid.ok) return reply.code(400).send({ error: sid.error });
    const body = parseMessageBody(req.body);
    if (!body.ok) return reply.code(400).send({ error: body.error });
    const abort = new AbortController();
    // The response closing before it finished means the client went away: stop the LLM work.
    reply.raw.on("close", () => {
      if (!reply.raw.writableFinished) abort.abort(new Error("client went away"));
    });
    let history;
    try {
      history = await deps.sessions.history(sid.value);
    } catch (err) {
      req.log.warn({ err }, "session read failed");
      return reply.code(503).send({ error: "context store unavailable" });
    }
    try {
      const result = await runAgent({
        llm: deps.llm, tools: deps.tools, providerName: deps.providerName, history, input: body.value.message,
        conversationId: sid.value, deadlineMs: Date.now() + deps.chatMaxDurationMs, signal: abort.signal,
        maxToolRounds: deps.maxToolRounds,
      });
      await deps.sessions.append(sid.value, body.value.message, result.output);
      return { reply: result.output };
    } catch (err) {
      if (err instanceof LlmError) {
        req.log.warn({ kind: err.kind, status: err.status, attempts: err.attempts }, "LLM call failed");
        return reply.code(llmErrorStatus(err)).send({ error: `model unavailable: ${err.message}` });
      }
      req.log.warn({ err }, "chat failed");
      return reply.code(503).send({ error: "context store unavailable" });
    }
  });

  app.post("/v1/jobs", async (req, reply) => {
    const body = parseJobBody(req.body);
    if (!body.ok) return reply.code(400).send({ error: body.error });
    const idem = parseIdempotencyKey(req.headers["idempotency-key"]);
    if (!idem.ok) return reply.code(400).send({ error: idem.error });
    const seed = { jobId: randomUUID(), input: body.value.input, sessionId: body.value.sessionId };
    let created;
    try {
      created = await deps.jobs.create(seed, idem.value);
    } catch (err) {
      req.log.warn({ err }, "job record write failed");
      return reply.code(503).send({ error: "job store unavailable, retry later" });
    }
    if (created.kind === "conflict") {
      return reply.code(422).send({ error: `"Idempotency-Key" was already used with a different body (job ${created.jobId})` });
    }
    if (created.kind === "existing") {
      const view = await deps.jobs.get(created.jobId).catch(() => undefined);
      return reply.code(202).header("location", `/v1/jobs/${created.jobId}`)
        .send({ jobId: created.jobId, status: view?.status ?? "queued" });
    }
    try {
      await deps.queue.send({ ...seed, enqueuedAt: Date.now() });
    } catch (err) {
      req.log.warn({ err }, "enqueue failed");
      await deps.jobs.abandon(seed.jobId, idem.value).catch(() => undefined);
      return reply.code(503).send({ error: "queue unavailable, retry later" });
    }
    return reply.code(202).header("location", `/v1/jobs/${seed.jobId}`).send({ jobId: seed.jobId, status: "queued" });
  });

  app.get("/v1/jobs/:jobId", async (req, reply) => {
    const id = parseJobId((req.params as Record<string, unknown>).jobId);
    // A malformed id cannot name a job: it is simply unknown.
    if (!id.ok) return reply.code(404).send({ error: "job not found" });
    try {
      const view = await deps.jobs.get(id.value);
      if (view === undefined) return reply.code(404).send({ error: "job not found" });
      return view;
    } catch (err) {
      req.log.warn({ err }, "job read failed");
      return reply.code(503).send({ error: "job store unavailable, retry later" });
    }
  });

  return app;
}
