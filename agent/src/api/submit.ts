/**
 * Accepting a job (`POST /v1/jobs`) with a transactional outbox:
 *
 * 1. one Redis script records the job, its idempotency key and an outbox entry (due for the relay
 *    only after OUTBOX_RELAY_AFTER_MS, so the relay does not race step 2);
 * 2. the API sends the message itself, bounded by JOB_ENQUEUE_TIMEOUT_MS;
 * 3a. sent: the answer is 202 and the outbox entry is forgotten (in the background, batched: if
 *     that is lost, the relay sends a duplicate, which the worker ignores);
 * 3b. not sent: the job is withdrawn (a tombstone, so a message that reached SQS anyway is
 *     dropped; its idempotency key goes too) and the answer is 503: nothing was accepted. If a
 *     concurrent request with the same key was already told about the job, it stays live and the
 *     relay sends it: the answer is 202.
 *
 * If the API dies anywhere in between, the outbox entry remains and a relay sends it.
 */
import { context } from "@opentelemetry/api";
import type { Logger } from "pino";
import { encodeOutgoing, type JobQueue, outgoingJobMessage } from "../queue";
import type { JobStatus, JobStore } from "../store/jobs";
import { idempotencyScope, newJobId, partitionForNewJob } from "../store/keys";
import type { Outbox } from "../store/outbox";

/** What submitting needs. */
export interface SubmitDeps {
  jobs: JobStore;
  outbox: Outbox;
  queue: Pick<JobQueue, "send">;
  logger: Logger;
  enqueueTimeoutMs: number;
  relayAfterMs: number;
}

/** A job request, validated. */
export interface JobRequest {
  input: string;
  sessionId?: string | undefined;
  idempotencyKey?: string | undefined;
}

/** Outcome of {@link submitJob}. */
export type SubmitOutcome =
  | { kind: "accepted"; jobId: string; status: JobStatus }
  | { kind: "conflict"; jobId: string }
  /** Nothing was accepted (`maybeLater`: the job could not be withdrawn either, the relay may still send it). */
  | { kind: "unavailable"; what: "job store" | "queue"; maybeLater: boolean };

/** Records, sends and confirms one job. Never throws. */
export async function submitJob(deps: SubmitDeps, req: JobRequest): Promise<SubmitOutcome> {
  const scope = req.idempotencyKey !== undefined ? idempotencyScope(req.idempotencyKey, req.sessionId) : undefined;
  const jobId = newJobId(partitionForNewJob(req.sessionId, scope));
  const message = outgoingJobMessage({ jobId, input: req.input, sessionId: req.sessionId, enqueuedAt: Date.now() }, context.active());
  let created;
  try {
    created = await deps.jobs.create({
      jobId, input: req.input, sessionId: req.sessionId, idempotencyScope: scope,
      outboxMessage: encodeOutgoing(message), relayAt: Date.now() + deps.relayAfterMs,
    });
  } catch (err) {
    deps.logger.warn({ err }, "job record write failed");
    return { kind: "unavailable", what: "job store", maybeLater: false };
  }
  if (created.kind === "conflict") return created;
  if (created.kind === "existing") return { kind: "accepted", jobId: created.jobId, status: created.status };

  try {
    await deps.queue.send(message, jobId, AbortSignal.timeout(deps.enqueueTimeoutMs));
  } catch (err) {
    deps.logger.warn({ err, jobId }, "enqueue failed; withdrawing the job");
    try {
      const withdrawn = await deps.jobs.withdraw(jobId, scope);
      return withdrawn ? { kind: "unavailable", what: "queue", maybeLater: false } : { kind: "accepted", jobId, status: "queued" };
    } catch (withdrawErr) {
      deps.logger.warn({ err: withdrawErr, jobId }, "could not withdraw the job; the outbox relay will send it");
      return { kind: "unavailable", what: "queue", maybeLater: true };
    }
  }
  deps.outbox.forgetSoon(jobId);
  return { kind: "accepted", jobId, status: "queued" };
}
