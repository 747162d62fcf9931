/**
 * The outbox relay, run by the API and by every worker (so it runs while any agent pod runs): every
 * `intervalMs` it sends to SQS the outbox entries that are due — jobs whose API died, or could not
 * confirm the send, before forgetting the entry — and forgets the ones SQS accepted. A job
 * recorded at t is therefore in SQS by about t + OUTBOX_RELAY_AFTER_MS + OUTBOX_RELAY_INTERVAL_MS
 * plus one SQS call. Sending twice is harmless: the worker's state machine ignores a duplicate.
 */
import type { Logger } from "pino";
import { decodeOutgoing, type JobQueue, type OutgoingMessage } from "./queue";
import type { Outbox } from "./store/outbox";

/** SQS's batch size limit. */
const BATCH = 10;

/** Options of {@link OutboxRelay}. */
export interface RelayOptions {
  intervalMs: number;
  /** How long a claimed entry is left to this relay before another one may retry it. */
  claimMs: number;
}

/** Sends due outbox entries in the background. */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    private readonly outbox: Outbox,
    private readonly queue: Pick<JobQueue, "sendBatch">,
    private readonly opts: RelayOptions,
    private readonly logger: Logger,
  ) {}

  /** Starts the background loop. */
  start(): void {
    this.schedule(0);
  }

  /** Stops the loop and waits for a pass in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.pass;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.pass = this.runOnce().then(
        (sent) => this.schedule(sent > 0 ? 0 : this.opts.intervalMs),
        (err: unknown) => {
          this.logger.warn({ err }, "outbox relay pass failed");
          this.schedule(this.opts.intervalMs);
        },
      );
    }, ms);
    this.timer.unref();
  }

  /** One pass: claims what is due, sends it in batches, forgets what SQS accepted. Returns how many were sent. */
  async runOnce(now = Date.now()): Promise<number> {
    const entries = await this.outbox.claimDue(now, now + this.opts.claimMs, BATCH);
    let sent = 0;
    for (let i = 0; i < entries.length; i += BATCH) {
      const valid: Array<{ id: string; message: OutgoingMessage }> = [];
      const corrupt: string[] = [];
      for (const e of entries.slice(i, i + BATCH)) {
        const message = decodeOutgoing(e.message);
        if (message === undefined) corrupt.push(e.jobId);
        else valid.push({ id: e.jobId, message });
      }
      if (corrupt.length > 0) this.logger.error({ jobIds: corrupt }, "dropping corrupt outbox entries");
      const accepted = await this.queue.sendBatch(valid);
      await this.outbox.markSent([...accepted, ...corrupt]);
      sent += accepted.length;
    }
    if (sent > 0) this.logger.info({ sent }, "outbox relay sent jobs to the queue");
    return sent;
  }
}
