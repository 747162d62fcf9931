/** Bounded waiting: poll a check until it yields a value, within a time budget and a number of attempts. */

/** A clock the tests can replace. */
export interface Clock {
    now(): number;
    sleep(ms: number): Promise<void>;
}

/** The real clock. */
export const realClock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

export interface PollOptions<T> {
    /** What is awaited, for the message when it does not come ("the job to succeed"). */
    what: string;
    /** Budget, ms: no check starts after it. */
    timeoutMs: number;
    /** Pause between two checks, ms. */
    intervalMs: number;
    /** Most checks, whatever the budget (a bound even with a clock that does not move). */
    maxAttempts?: number;
    /** One check: a value ends the wait; undefined tries again; a thrown error tries again and is reported if the wait times out. */
    check: () => Promise<T | undefined>;
    /** A check may also give up at once: `Stop` ends the wait with its message. */
    clock?: Clock;
}

/** Thrown by a check to end the wait at once (a state that will not change, such as a failed job). */
export class Stop extends Error {}

/**
 * Calls `check` until it returns a value; throws when the budget or the attempts run out (with the last
 * error or observation), or at once when `check` throws `Stop`.
 */
export async function poll<T>(o: PollOptions<T>): Promise<T> {
    const clock = o.clock ?? realClock;
    const deadline = clock.now() + o.timeoutMs;
    const maxAttempts = o.maxAttempts ?? Math.max(1, Math.ceil(o.timeoutMs / Math.max(1, o.intervalMs)) + 1);
    let last = "no check ran";
    for (let attempt = 1; attempt <= maxAttempts && clock.now() <= deadline; attempt++) {
        try {
            const value = await o.check();
            if (value !== undefined) return value;
            last = "not yet";
        } catch (error) {
            if (error instanceof Stop) throw new Error(`${o.what}: ${error.message}`, { cause: error });
            last = (error as Error).message;
        }
        if (attempt < maxAttempts && clock.now() + o.intervalMs <= deadline) await clock.sleep(o.intervalMs);
        else break;
    }
    throw new Error(`timed out after ${Math.round(o.timeoutMs / 1000)} s waiting for ${o.what} (last: ${last})`);
}
