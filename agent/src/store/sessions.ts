/**
 * Conversation context in Redis: one list per session of user/assistant turns, trimmed to a
 * maximum length and expiring after a period of inactivity (every write refreshes the TTL).
 */
import type { Redis } from "ioredis";
import type { ChatMessage } from "../llm/types";

/** Key of a session's history. */
export function sessionKey(sessionId: string): string {
  return `agent:session:${sessionId}`;
}

/** Reads and appends session history. */
export class SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
    private readonly maxMessages: number,
  ) {}

  /** The last `maxMessages` turns, oldest first; empty for an unknown or expired session. */
  async history(sessionId: string): Promise<ChatMessage[]> {
    const raw = await this.redis.lrange(sessionKey(sessionId), -this.maxMessages, -1);
    const out: ChatMessage[] = [];
    for (const item of raw) {
      try {
        const m = JSON.parse(item) as ChatMessage;
        if ((m.role === "user" || m.role === "assistant") && typeof m.content === "string") out.push(m);
      } catch {
        // a corrupt entry is skipped rather than failing the conversation
      }
    }
    return out;
  }

  /** Appends one exchange, trims the list and refreshes the TTL, atomically. */
  async append(sessionId: string, user: string, assistant: string): Promise<void> {
    const key = sessionKey(sessionId);
    await this.redis
      .multi()
      .rpush(key, JSON.stringify({ role: "user", content: user }), JSON.stringify({ role: "assistant", content: assistant }))
      .ltrim(key, -this.maxMessages, -1)
      .expire(key, this.ttlSeconds)
      .exec();
  }
}
