/**
 * Processing of one SQS message: claim the job (idempotent), take its session's lease when it has
 * one, run the agent while a heartbeat extends the leases and the message visibility, stop the
 * heartbeat, then store the result (appending the session exchange in the same step) and only then
 * delete the message. A failed attempt also stops the heartbeat before the job is released.
 */
import { randomUUID } from "node:crypto";
import type { Message } from "@aws-sdk/client-sqs";
import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Logger } from "pino";
import { runAgent } from "../agent/loop";
import type { ToolRegistry } from "../agent/tools";
import type { LlmClient } from "../llm/client";
import { decodeJobMessage, extractTraceContext, type JobMessage, type JobQueue } from "../queue";
import type { JobStore } from "../store/jobs";
import type { SessionStore, Turn } from "../store/sessions";
import { Heartbeat } from "./heartbeat";
import { decideFailure, isRetryableJobError, type WorkerTimings } from "./policy";

/** Everything one message needs. */
export interface ProcessDeps {
  workerId: string;
  queue: Pick<JobQueue, "name" | "changeVisibility" | "delete">;
  jobs: JobStore;
  sessions: SessionStore;
  llm: LlmClient;
  tools: ToolRegistry;
  logger: Logger;
  providerName: string;
  maxToolRounds: number;
  jobMaxDurationMs: number;
  retryDelaySeconds: number;
  maxReceiveCount: number | undefined;
  timings: WorkerTimings;
  /** Aborts running jobs at the end of the shutdown grace period. */
  shutdownSignal: AbortSignal;
}

/** How a message was handled (returned for tests and logs). */
export type ProcessOutcome =
  | "succeeded" | "duplicate" | "busy" | "retry" | "failed" | "released" | "lost-lease" | "malformed" | "store-unavailable";

const tracer = trace.getTracer("agent.worker");

/** Message queue time: now − SQS SentTimestamp (or the API's enqueuedAt). Pure. */
export function queueTimeMs(message: Message, enqueuedAt: number, nowMs: number): number {
  const sent = Number(message.Attributes?.SentTimestamp);
  return Math.max(0, nowMs - (Number.isFinite(sent) && sent > 0 ? sent : enqueuedAt));
}

/** Processes one received message. Never throws. */
export async function processMessage(deps: ProcessDeps, message: Message): Promise<ProcessOutcome> {
  const receipt = message.ReceiptHandle ?? "";
  const receiveCount = Number(message.Attributes?.ApproximateReceiveCount ?? "1");
  const job = decodeJobMessage(message.Body);
  if (job === undefined) {
    deps.logger.error({ messageId: message.MessageId, receiveCount }, "malformed job message; leaving it for the DLQ");
    const action = decideFailure({ receiveCount, maxReceiveCount: deps.maxReceiveCount, retryable: true, retryDelaySeconds: deps.retryDelaySeconds });
    await settle(deps, receipt, action.kind === "retry" ? action.delaySeconds : 0, action.kind === "fail-and-delete");
    return "malformed";
  }
  const startedAt = Date.now();
  const queueMs = queueTimeMs(message, job.enqueuedAt, startedAt);
  const parent = extractTraceContext(message.MessageAttributes);
  return tracer.startActiveSpan(`process ${deps.queue.name}`, {
    kind: SpanKind.CONSUMER,
    attributes: {
      "messaging.system": "aws_sqs", "messaging.operation.type": "process", "messaging.operation.name": "process",
      "messaging.destination.name": deps.queue.name, "messaging.message.id": message.MessageId ?? "",
      "agent.job.id": job.jobId, "agent.job.queue_time_ms": queueMs, "agent.job.receive_count": receiveCount,
    },
  }, parent, async (span) => {
    try {
      const outcome = await handle(deps, message, job, receiveCount, startedAt, queueMs);
      span.setAttribute("agent.job.outcome", outcome);
      if (outcome === "failed") span.setStatus({ code: SpanStatusCode.ERROR });
      return outcome;
    } finally {
      span.end();
    }
  });
}

async function handle(deps: ProcessDeps, message: Message, job: JobMessage, receiveCount: number, startedAt: number, queueMs: number): Promise<ProcessOutcome> {
  const receipt = message.ReceiptHandle ?? "";
  const log = deps.logger.child({ jobId: job.jobId, receiveCount });
  if (deps.shutdownSignal.aborted) {
    await settle(deps, receipt, 0, false);
    return "released";
  }
  const owner = `${deps.workerId}:${randomUUID()}`;
  let claim;
  try {
    claim = await deps.jobs.claim(job, owner, deps.timings.leaseMs);
  } catch (err) {
    log.warn({ err }, "job store unavailable; message will be retried");
    await settle(deps, receipt, Math.max(1, deps.retryDelaySeconds), false);
    return "store-unavailable";
  }
  if (claim.kind === "done") {
    log.info("job already finished or withdrawn (duplicate delivery); deleting message");
    await settle(deps, receipt, 0, true);
    return "duplicate";
  }
  if (claim.kind === "busy") {
    log.info({ leaseRemainingMs: claim.leaseRemainingMs }, "job held by another attempt");
    await settle(deps, receipt, Math.ceil(claim.leaseRemainingMs / 1000) + 1, false);
    return "busy";
  }

  const work = new AbortController();
  const signal = AbortSignal.any([work.signal, deps.shutdownSignal]);
  const deadlineMs = startedAt + deps.jobMaxDurationMs;
  /** The session whose lease this attempt holds, once taken. */
  let heldSession: string | undefined;
  const heartbeat = new Heartbeat(async () => {
    if (!(await deps.jobs.heartbeat(job.jobId, owner, deps.timings.leaseMs, heldSession))) work.abort(new Error("lease lost"));
    else await deps.queue.changeVisibility(receipt, deps.timings.visibilityTimeoutSeconds);
  }, deps.timings.heartbeatMs, (err) => log.warn({ err }, "heartbeat failed"));
  heartbeat.start();

  try {
    let history: Turn[] = [];
    if (job.sessionId !== undefined) {
      history = await deps.sessions.acquire(job.sessionId, owner, deps.timings.leaseMs, deadlineMs, signal);
      heldSession = job.sessionId;
    }
    const result = await runAgent({
      llm: deps.llm, tools: deps.tools, providerName: deps.providerName, history, input: job.input,
      conversationId: job.sessionId ?? job.jobId, deadlineMs, signal, maxToolRounds: deps.maxToolRounds,
    });
    await heartbeat.stop();
    const workerMs = Date.now() - startedAt;
    const exchange = heldSession !== undefined ? { sessionId: heldSession, user: job.input } : undefined;
    if (!(await deps.jobs.complete(job.jobId, owner, result.output, { workerMs, llmMs: result.llmMs, queueMs }, exchange))) {
      // The completion script also freed the session lease this attempt held.
      log.warn("lease lost before the result was stored; another attempt owns the job");
      return "lost-lease";
    }
    await deleteQuietly(deps, receipt, log);
    log.info({ workerMs, llmMs: result.llmMs, queueMs }, "job succeeded");
    return "succeeded";
  } catch (err) {
    await heartbeat.stop();
    return await onFailure(deps, { jobId: job.jobId, owner, receipt, receiveCount, heldSession }, err, signal, log);
  }
}

/** The attempt a failure belongs to. */
interface Attempt {
  jobId: string;
  owner: string;
  receipt: string;
  receiveCount: number;
  heldSession: string | undefined;
}

async function onFailure(deps: ProcessDeps, a: Attempt, err: unknown, signal: AbortSignal, log: Logger): Promise<ProcessOutcome> {
  const { jobId, owner, receipt, receiveCount, heldSession } = a;
  const message = err instanceof Error ? err.message : String(err);
  try {
    if (deps.shutdownSignal.aborted) {
      await deps.jobs.release(jobId, owner, "released at shutdown", heldSession);
      await settle(deps, receipt, 0, false);
      log.info("job released back to the queue at shutdown");
      return "released";
    }
    if (signal.aborted) {
      if (heldSession !== undefined) await deps.sessions.release(heldSession, owner);
      return "lost-lease";
    }
    const retryable = isRetryableJobError(err);
    const action = decideFailure({ receiveCount, maxReceiveCount: deps.maxReceiveCount, retryable, retryDelaySeconds: deps.retryDelaySeconds });
    if (action.kind === "retry") {
      await deps.jobs.release(jobId, owner, message, heldSession);
      await settle(deps, receipt, action.delaySeconds, false);
      log.warn({ err: message, delaySeconds: action.delaySeconds }, "job attempt failed; will retry");
      return "retry";
    }
    await deps.jobs.fail(jobId, owner, message, heldSession);
    await settle(deps, receipt, 0, action.kind === "fail-and-delete");
    log.error({ err: message, action: action.kind }, "job failed");
    return "failed";
  } catch (storeErr) {
    log.warn({ err: storeErr }, "could not record the failure; SQS will redeliver");
    return "store-unavailable";
  }
}

async function deleteQuietly(deps: ProcessDeps, receipt: string, log: Logger): Promise<void> {
  try {
    await deps.queue.delete(receipt);
  } catch (err) {
    // The result is stored; a redelivery will find the job done and delete the message then.
    log.warn({ err }, "message delete failed");
  }
}

async function settle(deps: ProcessDeps, receipt: string, visibilitySeconds: number, remove: boolean): Promise<void> {
  try {
    if (remove) await deps.queue.delete(receipt);
    else await deps.queue.changeVisibility(receipt, visibilitySeconds);
  } catch (err) {
    deps.logger.warn({ err }, remove ? "message delete failed" : "visibility change failed");
  }
}
