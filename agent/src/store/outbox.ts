/**
 * The transactional outbox of one queue: jobs recorded in Redis but not yet known to be in SQS, one
 * sorted set (job id → when the relay may send it) and one hash (job id → message) per partition.
 * `JobStore.create` adds entries in the same step as the job; the API and the relay remove them.
 */
import type { Redis } from "ioredis";
import { jobPartition, keys, PARTITIONS } from "./keys";

/** One job waiting to be sent. */
export interface OutboxEntry {
  jobId: string;
  /** The encoded SQS message (`encodeOutgoing`). */
  message: string;
}

/** Groups job ids by partition. Pure. */
export function byPartition(jobIds: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const id of jobIds) out.set(jobPartition(id), [...(out.get(jobPartition(id)) ?? []), id]);
  return out;
}

/** Reads and clears the outbox of `queueName`. */
export class Outbox {
  constructor(private readonly redis: Redis, private readonly queueName: string) {}

  /**
   * Takes up to `limit` due entries of every partition (one round trip) for this relay until
   * `claimUntil`; after that another relay may take the ones not marked sent.
   */
  async claimDue(now: number, claimUntil: number, limit: number): Promise<OutboxEntry[]> {
    const pipeline = this.redis.pipeline();
    for (const p of PARTITIONS) pipeline.agentClaimOutbox(keys.outbox(p, this.queueName), keys.outboxMessages(p, this.queueName), now, claimUntil, limit);
    const results = (await pipeline.exec()) ?? [];
    const entries: OutboxEntry[] = [];
    for (const [err, flat] of results) {
      if (err !== null) throw err;
      const list = flat as string[];
      for (let i = 0; i + 1 < list.length; i += 2) entries.push({ jobId: list[i] ?? "", message: list[i + 1] ?? "" });
    }
    return entries;
  }

  /** Forgets entries whose messages are in SQS. */
  async markSent(jobIds: string[]): Promise<void> {
    if (jobIds.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const [p, ids] of byPartition(jobIds)) pipeline.agentMarkSent(keys.outbox(p, this.queueName), keys.outboxMessages(p, this.queueName), ...ids);
    for (const [err] of (await pipeline.exec()) ?? []) if (err !== null) throw err;
  }
}
