/**
 * The transactional outbox of one queue: jobs recorded in Redis but not yet known to be in SQS, one
 * sorted set (job id → when the relay may send it) and one hash (job id → message) per partition.
 * `JobStore.create` adds entries in the same step as the job; the API and the relay remove them.
 */
import type { Logger } from "pino";
import type { RedisClient } from "./redis";
import { jobPartition, outboxKeys, PARTITIONS } from "./keys";

/** One job waiting to be sent. */
export interface OutboxEntry {
  jobId: string;
  /** The encoded SQS message (`encodeOutgoing`). */
  message: string;
}

/** Groups job ids by partition. Pure. */
export function byPartition(jobIds: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const id of jobIds) {
    const p = jobPartition(id);
    const ids = out.get(p);
    if (ids !== undefined) ids.push(id);
    else out.set(p, [id]);
  }
  return out;
}

/** How long forgotten entries are collected before one call per partition clears them. */
const FORGET_BATCH_MS = 50;

/** Reads and clears the outbox of `queueName`. */
export class Outbox {
  private forgotten: string[] = [];
  private forgetTimer: NodeJS.Timeout | undefined;

  constructor(private readonly redis: RedisClient, private readonly queueName: string, private readonly logger: Logger) {}

  /**
   * Takes up to `limit` due entries of every partition for this relay until `claimUntil`; after
   * that another relay may take the ones not marked sent. The calls go out together (one per
   * partition, so each goes to the shard that owns it on a cluster).
   */
  async claimDue(now: number, claimUntil: number, limit: number): Promise<OutboxEntry[]> {
    const lists = await Promise.all(PARTITIONS.map((p) =>
      this.redis.agentClaimOutbox(...outboxKeys(p, this.queueName), now, claimUntil, limit)));
    const entries: OutboxEntry[] = [];
    for (const list of lists) for (let i = 0; i + 1 < list.length; i += 2) entries.push({ jobId: list[i] ?? "", message: list[i + 1] ?? "" });
    return entries;
  }

  /** Forgets entries whose messages are in SQS. */
  async markSent(jobIds: string[]): Promise<void> {
    await Promise.all([...byPartition(jobIds)].map(([p, ids]) =>
      this.redis.agentMarkSent(...outboxKeys(p, this.queueName), ...ids)));
  }

  /**
   * Forgets an entry whose message is in SQS together with the others of the next
   * `FORGET_BATCH_MS`, in one call per partition rather than one per job. If the batch is lost (a
   * crash, Redis unavailable), the relay sends those jobs again, which the worker ignores.
   */
  forgetSoon(jobId: string): void {
    this.forgotten.push(jobId);
    this.forgetTimer ??= setTimeout(() => void this.flush(), FORGET_BATCH_MS);
  }

  /** Forgets the collected entries now (also at shutdown). Never throws. */
  async flush(): Promise<void> {
    clearTimeout(this.forgetTimer);
    this.forgetTimer = undefined;
    const jobIds = this.forgotten.splice(0);
    await this.markSent(jobIds).catch((err: unknown) =>
      this.logger.warn({ err, jobs: jobIds.length }, "could not clear sent outbox entries; the relay will send them again"));
  }
}
