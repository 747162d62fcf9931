/**
 * The worker's poll loop: long-polls SQS for as many messages as there are free slots (bounded
 * concurrency), processes each one, and on shutdown stops polling, lets in-flight jobs finish
 * within the grace period and then releases the rest back to the queue.
 */
import type { RedisClient } from "../store/redis";
import type { Logger } from "pino";
import { setTimeout as delay } from "node:timers/promises";
import type { JobQueue } from "../queue";
import { processMessage, type ProcessDeps, type ProcessOutcome } from "./process";

/** Options of {@link Worker}. */
export interface WorkerOptions {
  concurrency: number;
  waitTimeSeconds: number;
  redis: RedisClient;
  queue: JobQueue;
  logger: Logger;
  /** Everything but the shutdown signal, which the worker owns. */
  process: Omit<ProcessDeps, "shutdownSignal">;
  /** Called after each message (tests, metrics). */
  onOutcome?: (outcome: ProcessOutcome) => void;
}

/** Polls and processes until stopped. */
export class Worker {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly pollAbort = new AbortController();
  private readonly shutdown = new AbortController();
  private stopping = false;
  private loopDone: Promise<void> | undefined;

  constructor(private readonly opts: WorkerOptions) {}

  /** Number of jobs being processed now. */
  get active(): number {
    return this.inFlight.size;
  }

  /** True once {@link stop} was called. */
  get draining(): boolean {
    return this.stopping;
  }

  /** Starts the poll loop in the background. */
  start(): void {
    this.loopDone ??= this.loop();
  }

  private async loop(): Promise<void> {
    let errors = 0;
    while (!this.stopping) {
      const free = this.opts.concurrency - this.inFlight.size;
      if (free <= 0) {
        await Promise.race(this.inFlight);
        continue;
      }
      if (this.opts.redis.status !== "ready") {
        // Without Redis no job can be claimed; polling would only burn receive counts.
        await this.pause(500);
        continue;
      }
      let messages;
      try {
        messages = await this.opts.queue.receive(free, this.opts.waitTimeSeconds, this.pollAbort.signal);
        errors = 0;
      } catch (err) {
        if (this.stopping) break;
        errors++;
        this.opts.logger.warn({ err }, "receive failed");
        await this.pause(Math.min(5000, 200 * 2 ** Math.min(errors, 5)));
        continue;
      }
      if (this.stopping) {
        // Received while shutdown began: hand them straight back.
        await Promise.all(messages.map((m) => this.opts.queue.changeVisibility(m.ReceiptHandle ?? "", 0).catch(() => undefined)));
        break;
      }
      for (const m of messages) {
        const p: Promise<void> = processMessage({ ...this.opts.process, shutdownSignal: this.shutdown.signal }, m)
          .then((o) => this.opts.onOutcome?.(o))
          .catch((err: unknown) => this.opts.logger.error({ err }, "unexpected processing error"))
          .finally(() => this.inFlight.delete(p));
        this.inFlight.add(p);
      }
    }
  }

  private async pause(ms: number): Promise<void> {
    await delay(ms, undefined, { signal: this.pollAbort.signal }).catch(() => undefined);
  }

  /**
   * Stops polling, waits up to `graceMs` for in-flight jobs, then aborts the rest (they release
   * their jobs and make their messages visible again) and waits for that to settle.
   *
   * A pending long poll is aborted only when no job is running: SQS may still hand messages to an
   * aborted poll (they would stay invisible for a whole visibility timeout), which must not happen
   * to a job released at the end of the grace period. Otherwise the poll runs out on its own
   * (at most SQS_WAIT_TIME_SECONDS) and whatever it returns is released at once.
   */
  async stop(graceMs: number): Promise<{ finished: boolean }> {
    this.stopping = true;
    if (this.inFlight.size === 0) this.pollAbort.abort(new Error("shutting down"));
    const all = Promise.allSettled([...this.inFlight]);
    const finished = await Promise.race([all.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), graceMs).unref())]);
    if (!finished) {
      this.opts.logger.warn({ active: this.inFlight.size }, "grace period over; releasing in-flight jobs");
      this.shutdown.abort(new Error("shutdown"));
      await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((r) => setTimeout(r, 5000).unref())]);
    }
    await this.loopDone;
    return { finished };
  }
}
