/**
 * Job records in Redis and the idempotent state transitions the worker relies on.
 * See `scripts.ts` for the state machine itself.
 */
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { CLAIM_JOB, COMPLETE_JOB, CREATE_JOB, FAIL_JOB, HEARTBEAT_JOB, RELEASE_JOB } from "./scripts";

/** Public job statuses. */
export const JobStatuses = ["queued", "running", "succeeded", "failed"] as const;
/** A public job status. */
export type JobStatus = (typeof JobStatuses)[number];

/** The public view of a job (the `GET /v1/jobs/:jobId` body). */
export interface JobView {
  jobId: string;
  status: JobStatus;
  result?: { output: string };
  error?: string;
}

/** Key of a job record. */
export function jobKey(jobId: string): string {
  return `agent:job:${jobId}`;
}
/** Key of a job's processing lease. */
export function leaseKey(jobId: string): string {
  return `agent:job:${jobId}:lease`;
}
/** Key of an idempotency key (hashed, so any client string is a safe key). */
export function idempotencyKey(key: string): string {
  return `agent:idem:${createHash("sha256").update(key).digest("hex")}`;
}
/** Fingerprint of a job request, to detect an Idempotency-Key reused with another body. */
export function requestFingerprint(input: string, sessionId: string | undefined): string {
  return createHash("sha256").update(JSON.stringify([input, sessionId ?? null])).digest("hex").slice(0, 32);
}

/** Maps a raw Redis hash to the public view; `undefined` when the hash is empty. Pure. */
export function toJobView(hash: Record<string, string>): JobView | undefined {
  const status = hash.status as JobStatus | undefined;
  if (hash.jobId === undefined || status === undefined || !JobStatuses.includes(status)) return undefined;
  const view: JobView = { jobId: hash.jobId, status };
  if (status === "succeeded") view.result = { output: hash.output ?? "" };
  if (status === "failed") view.error = hash.error ?? "failed";
  return view;
}

/** Outcome of {@link JobStore.create}. */
export type CreateOutcome =
  | { kind: "created"; jobId: string }
  | { kind: "existing"; jobId: string }
  | { kind: "conflict"; jobId: string };

/** Outcome of {@link JobStore.claim}. */
export type ClaimOutcome =
  | { kind: "claimed"; attempts: number }
  | { kind: "done" }
  | { kind: "busy"; leaseRemainingMs: number };

/** A job as the worker needs it to (re)create the record. */
export interface JobSeed {
  jobId: string;
  input: string;
  sessionId?: string | undefined;
}

/** Reads and transitions job records. */
export class JobStore {
  constructor(
    private readonly redis: Redis,
    private readonly jobTtlSeconds: number,
    private readonly idempotencyTtlSeconds: number,
  ) {}

  /** Creates a queued job, or returns the job already created for the same idempotency key. */
  async create(seed: JobSeed, idemKey?: string): Promise<CreateOutcome> {
    const fp = requestFingerprint(seed.input, seed.sessionId);
    const keys = idemKey !== undefined ? [jobKey(seed.jobId), idempotencyKey(idemKey)] : [jobKey(seed.jobId)];
    const res = (await this.redis.eval(
      CREATE_JOB, keys.length, ...keys,
      seed.jobId, fp, this.idempotencyTtlSeconds, this.jobTtlSeconds, seed.input, seed.sessionId ?? "", Date.now(),
    )) as [string, string];
    if (res[0] === "created") return { kind: "created", jobId: seed.jobId };
    const [jobId = "", storedFp = ""] = res[1].split("|");
    return storedFp === fp ? { kind: "existing", jobId } : { kind: "conflict", jobId };
  }

  /** Removes a job that could not be enqueued (and its idempotency key), so a retry starts clean. */
  async abandon(jobId: string, idemKey?: string): Promise<void> {
    const keys = [jobKey(jobId), ...(idemKey !== undefined ? [idempotencyKey(idemKey)] : [])];
    await this.redis.del(...keys);
  }

  /** The public view of a job, `undefined` when unknown or expired. */
  async get(jobId: string): Promise<JobView | undefined> {
    return toJobView(await this.redis.hgetall(jobKey(jobId)));
  }

  /** The raw record (tests and the benchmark read timings from it). */
  async raw(jobId: string): Promise<Record<string, string>> {
    return this.redis.hgetall(jobKey(jobId));
  }

  /** Takes the processing lease for one attempt, unless the job is finished or held by another. */
  async claim(seed: JobSeed, owner: string, leaseMs: number): Promise<ClaimOutcome> {
    const [kind, pttl, attempts] = (await this.redis.eval(
      CLAIM_JOB, 2, jobKey(seed.jobId), leaseKey(seed.jobId),
      owner, leaseMs, Date.now(), seed.jobId, seed.input, seed.sessionId ?? "", this.jobTtlSeconds,
    )) as [string, number, number];
    if (kind === "claimed") return { kind, attempts };
    if (kind === "done") return { kind };
    return { kind: "busy", leaseRemainingMs: Math.max(0, pttl) };
  }

  /** Extends our lease; false when we lost it. */
  async heartbeat(jobId: string, owner: string, leaseMs: number): Promise<boolean> {
    return (await this.redis.eval(HEARTBEAT_JOB, 2, jobKey(jobId), leaseKey(jobId), owner, leaseMs)) === 1;
  }

  /** Stores the result; true exactly once per job. */
  async complete(jobId: string, owner: string, output: string, timings: { workerMs: number; llmMs: number; queueMs: number }): Promise<boolean> {
    return (await this.redis.eval(
      COMPLETE_JOB, 2, jobKey(jobId), leaseKey(jobId),
      owner, Date.now(), output, timings.workerMs, timings.llmMs, timings.queueMs, this.jobTtlSeconds,
    )) === 1;
  }

  /** Marks the job failed for good. */
  async fail(jobId: string, owner: string, error: string): Promise<boolean> {
    return (await this.redis.eval(FAIL_JOB, 2, jobKey(jobId), leaseKey(jobId), owner, Date.now(), error, this.jobTtlSeconds)) === 1;
  }

  /** Gives the job back to the queue state for another attempt. */
  async release(jobId: string, owner: string, lastError: string): Promise<boolean> {
    return (await this.redis.eval(RELEASE_JOB, 2, jobKey(jobId), leaseKey(jobId), owner, Date.now(), lastError)) === 1;
  }
}
