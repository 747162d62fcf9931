/**
 * A job's heartbeat: every `intervalMs` one tick (extend the leases, then the message visibility),
 * never two at once. `stop` also waits for a tick in flight, so once it resolves nothing can touch
 * the job or its message any more: the caller may release, retry or complete it safely.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private tick: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly beat: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Starts ticking. */
  start(): void {
    this.timer = setInterval(() => {
      if (this.stopped || this.tick !== undefined) return;
      this.tick = this.beat().catch(this.onError).finally(() => {
        this.tick = undefined;
      });
    }, this.intervalMs);
  }

  /** Stops ticking and waits for the tick in flight, if any. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.tick;
  }
}
