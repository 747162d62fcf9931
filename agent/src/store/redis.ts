/**
 * The Redis connection used by both roles. Connecting is bounded by the connect timeout and every
 * command by the command timeout: while (re)connecting, commands wait in the offline queue for at
 * most that long and then fail, so a blip is absorbed and an outage turns into a prompt 503 rather
 * than a hang; the client reconnects on its own with a capped backoff, so a Redis restart never
 * crash-loops the process. Readiness checks the connection state directly. The agent's Lua scripts
 * are registered on the client as commands (see `scripts.ts`).
 */
import { Redis } from "ioredis";
import { defineAgentCommands } from "./scripts";

/** Options of {@link createRedis}. */
export interface RedisOptions {
  url: string;
  password?: string | undefined;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  connectionName: string;
}

/** Reconnect delay after `times` failed attempts: 100 ms doubling, capped at 2 s. Pure. */
export function reconnectDelayMs(times: number): number {
  return Math.min(2000, 100 * 2 ** Math.min(5, Math.max(0, times - 1)));
}

/** Creates a client for `rediss://` (TLS) or `redis://` URLs; `password` overrides the URL's. */
export function createRedis(opts: RedisOptions): Redis {
  const client = new Redis(opts.url, {
    ...(opts.password !== undefined ? { password: opts.password } : {}),
    connectionName: opts.connectionName,
    enableOfflineQueue: true,
    maxRetriesPerRequest: 1,
    commandTimeout: opts.commandTimeoutMs,
    connectTimeout: opts.connectTimeoutMs,
    retryStrategy: reconnectDelayMs,
    lazyConnect: false,
  });
  // Errors are surfaced through readiness and command failures; an unhandled 'error' event
  // would otherwise crash the process.
  client.on("error", () => undefined);
  defineAgentCommands(client);
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
