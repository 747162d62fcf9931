/**
 * The Redis key layout. Every key carries a hash tag `{p}` naming one of 16 partitions (`0`–`f`),
 * so that everything one Lua script touches lives in one hash slot and the agent works on
 * cluster-mode Redis/Valkey:
 *
 * - a job, its lease, its idempotency key and its outbox entry share the job's partition;
 * - a session, its lease, and every job of that session share the session's partition.
 *
 * A job id is a UUID v4 whose last hex digit is its partition, so any key of a job follows from its
 * id alone. All functions here are pure.
 */
import { createHash, randomInt, randomUUID } from "node:crypto";

/** The partitions, one hex digit each. */
export const PARTITIONS = "0123456789abcdef".split("");

/** The job ids this agent hands out: lowercase UUID v4. */
export const JOB_ID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$";
const JOB_ID_RE = new RegExp(JOB_ID_PATTERN);

/** Hex SHA-256 of `text` (UTF-8). Pure. */
export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** True for ids this agent hands out (lowercase UUID v4). */
export function isJobId(id: string): boolean {
  return JOB_ID_RE.test(id);
}

/** A job's partition: the last hex digit of its id. */
export function jobPartition(jobId: string): string {
  return jobId.slice(-1);
}

/** A session's partition: the first hex digit of the SHA-256 of its id. */
export function sessionPartition(sessionId: string): string {
  return sha256(sessionId).slice(0, 1);
}

/** A fresh job id in `partition` (a random UUID v4 with its last digit set to the partition). */
export function newJobId(partition: string): string {
  return randomUUID().slice(0, -1) + partition;
}

/**
 * The scope an `Idempotency-Key` is remembered in: the key together with the job's session (keys
 * of jobs without a session share one scope). Hashed, so any client string makes a safe key name.
 */
export function idempotencyScope(key: string, sessionId: string | undefined): string {
  return sha256(JSON.stringify([sessionId ?? null, key]));
}

/**
 * The partition of a new job: its session's (the completion appends to the session atomically),
 * else its idempotency scope's (a retry must find the key), else a random one.
 */
export function partitionForNewJob(sessionId: string | undefined, scope: string | undefined): string {
  if (sessionId !== undefined) return sessionPartition(sessionId);
  if (scope !== undefined) return scope.slice(0, 1);
  return PARTITIONS[randomInt(PARTITIONS.length)] ?? "0";
}

/** Key names. */
export const keys = {
  /** Hash: the job record. */
  job: (jobId: string) => `agent:{${jobPartition(jobId)}}:job:${jobId}`,
  /** String: the owner of the job's current processing attempt (expires). */
  jobLease: (jobId: string) => `agent:{${jobPartition(jobId)}}:job:${jobId}:lease`,
  /** String `<jobId>|<request fingerprint>`: the job created for an idempotency scope. */
  idempotency: (partition: string, scope: string) => `agent:{${partition}}:idem:${scope}`,
  /** List of JSON turns: a session's history. */
  session: (sessionId: string) => `agent:{${sessionPartition(sessionId)}}:session:${sessionId}`,
  /** String: the owner of the session's lease (one exchange at a time; expires). */
  sessionLease: (sessionId: string) => `agent:{${sessionPartition(sessionId)}}:session:${sessionId}:lease`,
  /** Sorted set job id → epoch ms when the relay may send it: jobs not yet known to be in SQS. */
  outbox: (partition: string, queueName: string) => `agent:{${partition}}:outbox:${queueName}`,
  /** Hash job id → the SQS message to send (body and attributes, JSON). */
  outboxMessages: (partition: string, queueName: string) => `agent:{${partition}}:outbox:${queueName}:messages`,
};

/** The outbox of `queueName` in `partition`: its sorted set and its messages hash, the order the scripts take them in. */
export function outboxKeys(partition: string, queueName: string): [outbox: string, outboxMessages: string] {
  return [keys.outbox(partition, queueName), keys.outboxMessages(partition, queueName)];
}
