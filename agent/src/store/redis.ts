/**
 * The Redis connection used by both roles. Connecting is bounded by the connect timeout and every
 * command by the command timeout: while (re)connecting, commands wait in the offline queue for at
 * most that long and then fail, so a blip is absorbed and an outage turns into a prompt 503 rather
 * than a hang; the client reconnects on its own with a capped backoff, so a Redis restart never
 * crash-loops the process. Readiness checks the connection state directly. The agent's Lua scripts
 * are registered on the client as commands (see `scripts.ts`).
 *
 * With `cluster`, the client is an ioredis `Cluster` (cluster-mode Redis/Valkey, e.g. ElastiCache
 * with cluster mode enabled): every key one script touches shares a hash tag, so each call goes to
 * one shard (see `keys.ts`).
 */
import { Cluster, Redis, type RedisOptions as IORedisOptions } from "ioredis";
import { defineAgentCommands } from "./scripts";

/** A standalone or cluster client: the agent uses only what both offer. */
export type RedisClient = Redis | Cluster;

/** Options of {@link createRedis}. */
export interface RedisOptions {
  url: string;
  password?: string | undefined;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  connectionName: string;
  /** Connect to a cluster-mode server, with the URL's host as the seed node. */
  cluster: boolean;
}

/** Reconnect delay after `times` failed attempts: 100 ms doubling, capped at 2 s. Pure. */
export function reconnectDelayMs(times: number): number {
  return Math.min(2000, 100 * 2 ** Math.min(5, Math.max(0, times - 1)));
}

/** Creates a client for `rediss://` (TLS) or `redis://` URLs; `password` overrides the URL's. */
export function createRedis(opts: RedisOptions): RedisClient {
  const url = new URL(opts.url);
  const password = opts.password ?? (url.password !== "" ? decodeURIComponent(url.password) : undefined);
  const options: IORedisOptions = {
    ...(url.username !== "" ? { username: decodeURIComponent(url.username) } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(url.protocol === "rediss:" ? { tls: {} } : {}),
    connectionName: opts.connectionName,
    enableOfflineQueue: true,
    maxRetriesPerRequest: 1,
    commandTimeout: opts.commandTimeoutMs,
    connectTimeout: opts.connectTimeoutMs,
    retryStrategy: reconnectDelayMs,
    // Commands issued in one tick (the relay's per-partition calls, batched clean-ups) share one write.
    enableAutoPipelining: true,
  };
  const client = opts.cluster
    ? new Cluster([{ host: url.hostname, port: Number(url.port || 6379) }], {
      redisOptions: options,
      enableAutoPipelining: true,
      clusterRetryStrategy: reconnectDelayMs,
      // TLS certificates name the configuration endpoint, not the node addresses (ElastiCache).
      dnsLookup: (address, callback) => callback(null, address),
    })
    : new Redis({ ...options, host: url.hostname, port: Number(url.port || 6379), db: Number(url.pathname.slice(1) || 0) });
  // Errors are surfaced through readiness and command failures; an unhandled 'error' event
  // would otherwise crash the process.
  client.on("error", () => undefined);
  defineAgentCommands(client);
  return client;
}

/** True when Redis answers PING within `timeoutMs`. */
export async function pingRedis(client: RedisClient, timeoutMs = 1000): Promise<boolean> {
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
