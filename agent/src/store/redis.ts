/**
 * The Redis connection used by both roles. While (re)connecting, commands wait in the offline
 * queue for at most the command timeout and then fail, so a blip is absorbed and an outage turns
 * into a prompt 503 rather than a hang; the client reconnects on its own with a capped backoff, so
 * a Redis restart never crash-loops the process. Readiness checks the connection state directly.
 */
import { Redis } from "ioredis";

/** Options of {@link createRedis}. */
export interface RedisOptions {
  url: string;
  password?: string | undefined;
  /** Per-command timeout. */
  commandTimeoutMs?: number;
  connectionName?: string;
}

/** Reconnect delay after `times` failed attempts: 100 ms doubling, capped at 2 s. Pure. */
export function reconnectDelayMs(times: number): number {
  return Math.min(2000, 100 * 2 ** Math.min(5, Math.max(0, times - 1)));
}

/** Creates a client for `rediss://` (TLS) or `redis://` URLs; `password` overrides the URL's. */
export function createRedis(opts: RedisOptions): Redis {
  const client = new Redis(opts.url, {
    ...(opts.password !== undefined ? { password: opts.password } : {}),
    connectionName: opts.connectionName ?? "agent",
    enableOfflineQueue: true,
    maxRetriesPerRequest: 1,
    commandTimeout: opts.commandTimeoutMs ?? 2000,
    connectTimeout: 2000,
    retryStrategy: reconnectDelayMs,
    lazyConnect: false,
  });
  // Errors are surfaced through readiness and command failures; an unhandled 'error' event
  // would otherwise crash the process.
  client.on("error", () => undefined);
  return client;
}

/** True when Redis answers PING within `timeoutMs`. */
export async function pingRedis(client: Redis, timeoutMs = 1000): Promise<boolean> {
  if (client.status !== "ready") return false;
  let timer: NodeJS.Timeout | undefined;
  try {
    const res = await Promise.race([
      client.ping(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("ping timeout")), timeoutMs);
      }),
    ]);
    return res === "PONG";
  } catch {
    return false;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** Waits until the client is connected, or `timeoutMs` passes. Returns whether it is ready. */
export async function waitForRedis(client: Redis, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await pingRedis(client, 500)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
