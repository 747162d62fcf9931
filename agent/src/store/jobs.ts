/**
 * Job records in Redis and their transitions (the scripts are in `scripts.ts`, the key layout in
 * `keys.ts`): creation together with the idempotency key and the outbox entry, withdrawal of a job
 * that could not be enqueued, and the worker's lease-guarded claim/heartbeat/complete/fail/release.
 */
import type { RedisClient } from "./redis";
import { jobPartition, keys, outboxKeys, sha256 } from "./keys";
import type { SessionStore } from "./sessions";

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

/** Fingerprint of a job request, to detect an Idempotency-Key reused with another body. Pure. */
export function requestFingerprint(input: string, sessionId: string | undefined): string {
  return sha256(JSON.stringify([input, sessionId ?? null])).slice(0, 32);
}

/** Maps a raw Redis hash to the public view; `undefined` when unknown (or withdrawn). Pure. */
export function toJobView(hash: Record<string, string>): JobView | undefined {
  const status = hash.status as JobStatus | undefined;
  if (hash.jobId === undefined || status === undefined || !JobStatuses.includes(status)) return undefined;
  const view: JobView = { jobId: hash.jobId, status };
  if (status === "succeeded") view.result = { output: hash.output ?? "" };
  if (status === "failed") view.error = hash.error ?? "failed";
  return view;
}

/** A job to create; `jobId` names its partition (see `keys.ts`). */
export interface NewJob {
  jobId: string;
  input: string;
  sessionId?: string | undefined;
  /** The idempotency scope (`idempotencyScope`), when the request had an Idempotency-Key. */
  idempotencyScope?: string | undefined;
  /** The SQS message the outbox relay sends if the API does not confirm the send first. */
  outboxMessage: string;
  /** Epoch ms from which the relay may send it. */
  relayAt: number;
}

/** Outcome of {@link JobStore.create}. */
export type CreateOutcome =
  | { kind: "created"; jobId: string }
  | { kind: "existing"; jobId: string; status: JobStatus }
  | { kind: "conflict"; jobId: string };

/** Outcome of {@link JobStore.claim}. */
export type ClaimOutcome =
  | { kind: "claimed"; attempts: number }
  | { kind: "done" }
  | { kind: "busy"; leaseRemainingMs: number };

/** A job as a message carries it (enough to restore a lost record). */
export interface JobSeed {
  jobId: string;
  input: string;
  sessionId?: string | undefined;
  enqueuedAt: number;
}

/** Settings of {@link JobStore}. */
export interface JobStoreSettings {
  jobTtlSeconds: number;
  idempotencyTtlSeconds: number;
  /** Name of the queue whose outbox this process writes. */
  queueName: string;
}

/** Timings stored with a result (the benchmark reads them). */
export interface JobTimings {
  workerMs: number;
  llmMs: number;
  queueMs: number;
}

/** Reads and transitions job records. */
export class JobStore {
  /** `sessions` supplies the arguments of a completion's session append. */
  constructor(private readonly redis: RedisClient, private readonly settings: JobStoreSettings, private readonly sessions: SessionStore) {}

  /**
   * Records a queued job, its idempotency key and its outbox entry in one step, or returns the
   * live job already created for the same idempotency scope (promised to this caller, so it is
   * never withdrawn), or a conflict when that job was created from another body.
   */
  async create(job: NewJob): Promise<CreateOutcome> {
    const partition = jobPartition(job.jobId);
    const fingerprint = requestFingerprint(job.input, job.sessionId);
    const idem = job.idempotencyScope !== undefined ? keys.idempotency(partition, job.idempotencyScope) : undefined;
    const keyList = this.outboxedKeys(job.jobId, idem);
    // A key naming a job that is gone is removed by confirm; the next round creates the job.
    for (let round = 0; round < 3; round++) {
      const [kind, value] = await this.redis.agentCreateJob(
        keyList.length, ...keyList, job.jobId, fingerprint, this.settings.idempotencyTtlSeconds, this.settings.jobTtlSeconds,
        job.input, job.sessionId ?? "", Date.now(), job.relayAt, job.outboxMessage,
      );
      if (kind === "created" || idem === undefined) return { kind: "created", jobId: job.jobId };
      const [jobId = "", storedFingerprint = ""] = value.split("|");
      if (storedFingerprint !== fingerprint) return { kind: "conflict", jobId };
      const [state, status] = await this.redis.agentConfirmJob(keys.job(jobId), idem, value);
      if (state === "ok") return { kind: "existing", jobId, status: (status ?? "queued") as JobStatus };
    }
    throw new Error("idempotency key kept changing; retry");
  }

  /**
   * Withdraws a job whose enqueue failed: true when it will never run (the tombstone drops any
   * message that reached SQS anyway); false when it stays live (a client was already told about it).
   */
  async withdraw(jobId: string, idempotencyScope?: string): Promise<boolean> {
    const keyList = this.outboxedKeys(jobId, idempotencyScope !== undefined ? keys.idempotency(jobPartition(jobId), idempotencyScope) : undefined);
    return (await this.redis.agentWithdrawJob(keyList.length, ...keyList, jobId, Date.now())) === 1;
  }

  /** The public view of a job, `undefined` when unknown or expired. */
  async get(jobId: string): Promise<JobView | undefined> {
    return toJobView(await this.redis.hgetall(keys.job(jobId)));
  }

  /** The raw record (tests and the benchmark read timings from it). */
  async raw(jobId: string): Promise<Record<string, string>> {
    return this.redis.hgetall(keys.job(jobId));
  }

  /** Takes the processing lease for one attempt, unless the job is final or held by another. */
  async claim(seed: JobSeed, owner: string, leaseMs: number): Promise<ClaimOutcome> {
    const [kind, pttl, attempts] = await this.redis.agentClaimJob(
      keys.job(seed.jobId), keys.jobLease(seed.jobId),
      owner, leaseMs, Date.now(), seed.jobId, seed.input, seed.sessionId ?? "", this.settings.jobTtlSeconds, seed.enqueuedAt,
    );
    if (kind === "claimed") return { kind, attempts };
    if (kind === "done") return { kind };
    return { kind: "busy", leaseRemainingMs: Math.max(0, pttl) };
  }

  /** Extends our job lease (and the session lease we hold, if any); false when one was lost. */
  async heartbeat(jobId: string, owner: string, leaseMs: number, heldSession?: string): Promise<boolean> {
    const keyList = this.attemptKeys(jobId, heldSession);
    return (await this.redis.agentHeartbeatJob(keyList.length, ...keyList, owner, leaseMs)) === 1;
  }

  /**
   * Stores the result and, when `exchange` is given (we hold its session's lease), appends the
   * exchange to the session in the same step. True exactly once per job.
   */
  async complete(jobId: string, owner: string, output: string, timings: JobTimings, exchange?: { sessionId: string; user: string }): Promise<boolean> {
    const keyList = [keys.job(jobId), keys.jobLease(jobId)];
    if (exchange !== undefined) keyList.push(keys.session(exchange.sessionId), keys.sessionLease(exchange.sessionId));
    return (await this.redis.agentCompleteJob(
      keyList.length, ...keyList, owner, Date.now(), output, timings.workerMs, timings.llmMs, timings.queueMs, this.settings.jobTtlSeconds,
      ...this.sessions.exchangeArgs(exchange?.user ?? "", output),
    )) === 1;
  }

  /** Marks the job failed for good; frees the session lease we hold even when the job is no longer ours. */
  async fail(jobId: string, owner: string, error: string, heldSession?: string): Promise<boolean> {
    const keyList = this.attemptKeys(jobId, heldSession);
    return (await this.redis.agentFailJob(keyList.length, ...keyList, owner, Date.now(), error, this.settings.jobTtlSeconds)) === 1;
  }

  /** Gives the job back for another attempt; frees the session lease we hold even when the job is no longer ours. */
  async release(jobId: string, owner: string, lastError: string, heldSession?: string): Promise<boolean> {
    const keyList = this.attemptKeys(jobId, heldSession);
    return (await this.redis.agentReleaseJob(keyList.length, ...keyList, owner, Date.now(), lastError)) === 1;
  }

  /** The keys of CREATE_JOB and WITHDRAW_JOB: job, outbox, outboxMessages[, idempotency]. */
  private outboxedKeys(jobId: string, idempotency: string | undefined): string[] {
    const keyList = [keys.job(jobId), ...outboxKeys(jobPartition(jobId), this.settings.queueName)];
    if (idempotency !== undefined) keyList.push(idempotency);
    return keyList;
  }

  private attemptKeys(jobId: string, heldSession: string | undefined): string[] {
    const keyList = [keys.job(jobId), keys.jobLease(jobId)];
    if (heldSession !== undefined) keyList.push(keys.sessionLease(heldSession));
    return keyList;
  }
}
