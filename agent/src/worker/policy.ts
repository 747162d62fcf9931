/**
 * Pure decisions of the worker: timings derived from the queue, and what to do after a failure.
 */

import { LlmError } from "../llm/client";

/** HTTP statuses of the model endpoint worth another attempt: timeouts, conflicts, rate limits and server errors. Pure. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || (status >= 500 && status <= 599);
}

/** Receive count treated as final when the queue has no redrive policy. */
export const DEFAULT_MAX_RECEIVE_COUNT = 5;

/** Lease and heartbeat timings derived from the queue's visibility timeout. */
export interface WorkerTimings {
  /** How long a job lease (and a visibility extension) lasts. */
  leaseMs: number;
  /** How often the lease and visibility are extended while a job runs. */
  heartbeatMs: number;
  visibilityTimeoutSeconds: number;
}

/**
 * Checks that a job's overall deadline fits in the visibility timeout, so a message never
 * becomes visible to another worker while its first attempt may still be running.
 * Returns an error message, or `undefined` when valid.
 */
export function checkDeadlineFitsVisibility(jobMaxDurationMs: number, visibilityTimeoutSeconds: number): string | undefined {
  if (jobMaxDurationMs >= visibilityTimeoutSeconds * 1000) {
    return `JOB_MAX_DURATION_SECONDS (${jobMaxDurationMs / 1000}) must be less than the queue's VisibilityTimeout (${visibilityTimeoutSeconds} s)`;
  }
  return undefined;
}

/** Lease = visibility timeout; heartbeat every third of it (at least every 500 ms). */
export function workerTimings(visibilityTimeoutSeconds: number): WorkerTimings {
  const leaseMs = visibilityTimeoutSeconds * 1000;
  return { leaseMs, heartbeatMs: Math.max(500, Math.floor(leaseMs / 3)), visibilityTimeoutSeconds };
}

/** What the worker does with a message after a failed attempt. */
export type FailureAction =
  /** Record the job failed; the message goes to the DLQ (visibility 0, SQS redrives it). */
  | { kind: "fail-to-dlq" }
  /** Record the job failed and delete the message: retrying cannot help, or there is no DLQ. */
  | { kind: "fail-and-delete" }
  /** Give the job back and make the message visible again after `delaySeconds`. */
  | { kind: "retry"; delaySeconds: number };

/** Inputs of {@link decideFailure}. */
export interface FailureInput {
  receiveCount: number;
  maxReceiveCount: number | undefined;
  retryable: boolean;
  retryDelaySeconds: number;
}

/** Exponential retry delay, `base·2^(n-1)` capped at 15 minutes. Pure. */
export function retryDelaySeconds(base: number, receiveCount: number): number {
  return Math.min(900, base * 2 ** Math.max(0, Math.min(10, receiveCount - 1)));
}

/** Decides the fate of a failed attempt. Pure. */
export function decideFailure(f: FailureInput): FailureAction {
  const max = f.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT;
  const hasDlq = f.maxReceiveCount !== undefined;
  if (f.receiveCount >= max) return hasDlq ? { kind: "fail-to-dlq" } : { kind: "fail-and-delete" };
  // Retrying cannot help: record it failed now. A later delivery would only find the job done
  // and delete it, so the message is deleted right away.
  if (!f.retryable) return { kind: "fail-and-delete" };
  return { kind: "retry", delaySeconds: retryDelaySeconds(f.retryDelaySeconds, f.receiveCount) };
}

/**
 * Whether another attempt of a job may succeed: everything but an LLM rejection of the request
 * itself (a 4xx other than 408/409/429) or an unusable response. Pure.
 */
export function isRetryableJobError(err: unknown): boolean {
  if (!(err instanceof LlmError)) return true;
  if (err.kind === "invalid_response") return false;
  if (err.kind === "http" && err.status !== undefined) return isRetryableStatus(err.status);
  return true;
}
