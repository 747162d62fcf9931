/**
 * Conversation context in Redis: one list per session of user/assistant turns, trimmed to a
 * maximum length and expiring after a period of inactivity (every append refreshes the TTL).
 *
 * One exchange at a time per session: whoever appends (a chat request, or a job with that session)
 * first takes the session's lease, reads the history under it, and appends its exchange only while
 * still holding it. Concurrent messages therefore run one after another, each seeing all earlier
 * exchanges; none is lost or doubled.
 */
import { setTimeout as delay } from "node:timers/promises";
import type { RedisClient } from "./redis";
import { keys } from "./keys";

/** One remembered turn. */
export interface Turn {
  role: "user" | "assistant";
  content: string;
}

/** Raised when a session stays busy with another exchange until the caller's deadline. */
export class SessionBusyError extends Error {
  constructor(sessionId: string) {
    super(`session "${sessionId}" is busy with another message`);
    this.name = "SessionBusyError";
  }
}

/** The stored form of one turn. Pure. */
export function encodeTurn(role: Turn["role"], content: string): string {
  return JSON.stringify({ role, content });
}

/** Parses stored turns, skipping corrupt entries rather than failing the conversation. Pure. */
export function decodeTurns(raw: string[]): Turn[] {
  const out: Turn[] = [];
  for (const item of raw) {
    try {
      const t = JSON.parse(item) as Partial<Turn>;
      if ((t.role === "user" || t.role === "assistant") && typeof t.content === "string") out.push({ role: t.role, content: t.content });
    } catch {
      // skipped
    }
  }
  return out;
}

/** Wait before the next try for a busy lease: 10 ms doubling to 200 ms, never past its expiry (when it has one). Pure. */
export function leasePollDelayMs(attempt: number, leaseRemainingMs: number): number {
  const backoff = Math.min(200, 10 * 2 ** Math.min(attempt, 5));
  return leaseRemainingMs > 0 ? Math.max(1, Math.min(backoff, leaseRemainingMs)) : backoff;
}

/** Session settings. */
export interface SessionSettings {
  ttlSeconds: number;
  maxMessages: number;
}

/** Reads and appends session history under the session's lease. */
export class SessionStore {
  constructor(private readonly redis: RedisClient, readonly settings: SessionSettings) {}

  /**
   * Takes the session's lease for `owner` (for `leaseMs`) and returns the history, waiting while
   * another exchange holds the lease.
   * @throws SessionBusyError when the lease is still taken at `deadlineMs`.
   */
  async acquire(sessionId: string, owner: string, leaseMs: number, deadlineMs: number, signal?: AbortSignal): Promise<Turn[]> {
    for (let attempt = 0; ; attempt++) {
      const [acquired, rest] = await this.redis.agentAcquireSession(
        keys.sessionLease(sessionId), keys.session(sessionId), owner, leaseMs, this.settings.maxMessages,
      );
      if (acquired === 1) return decodeTurns(rest as string[]);
      const wait = leasePollDelayMs(attempt, Number(rest));
      if (Date.now() + wait >= deadlineMs) throw new SessionBusyError(sessionId);
      await delay(wait, undefined, signal !== undefined ? { signal } : {});
    }
  }

  /** Appends one exchange and frees the lease; false when the lease was lost (nothing written). */
  async append(sessionId: string, owner: string, user: string, assistant: string): Promise<boolean> {
    return (await this.redis.agentAppendExchange(keys.session(sessionId), keys.sessionLease(sessionId), owner, ...this.exchangeArgs(user, assistant))) === 1;
  }

  /**
   * The script arguments that append one exchange (the Lua `append_exchange` fragment): userTurn,
   * assistantTurn, maxMessages, ttl. `JobStore.complete` passes them too.
   */
  exchangeArgs(user: string, assistant: string): [userTurn: string, assistantTurn: string, maxMessages: number, ttl: number] {
    return [encodeTurn("user", user), encodeTurn("assistant", assistant), this.settings.maxMessages, this.settings.ttlSeconds];
  }

  /** Frees the lease without writing (the exchange failed). */
  async release(sessionId: string, owner: string): Promise<void> {
    await this.redis.agentReleaseSession(keys.sessionLease(sessionId), owner);
  }
}
