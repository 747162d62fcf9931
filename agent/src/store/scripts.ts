/**
 * The Lua scripts behind every state change, registered with ioredis `defineCommand` (EVALSHA,
 * falling back to EVAL once per connection). Each runs atomically; all keys of one call share one
 * hash slot (see `keys.ts`). Job states:
 *
 * ```
 * queued ──claim──▶ running ──complete──▶ succeeded        (withdrawn: a job whose enqueue failed
 *   ▲                 │ └───────fail────▶ failed            before anyone was told it was accepted)
 *   └────release──────┘
 * ```
 * `succeeded`, `failed` and `withdrawn` are final: a duplicate or late message never revives them.
 */
import type { Cluster, Redis, Result } from "ioredis";

/** Ownership of a job attempt: our lease, or no lease and still ours in the record. KEYS: job, lease; ARGV[1]: owner. */
const OWNED = `
local function owned()
  local holder = redis.call('GET', KEYS[2])
  if holder and holder ~= ARGV[1] then return false end
  return redis.call('HGET', KEYS[1], 'status') == 'running' and redis.call('HGET', KEYS[1], 'owner') == ARGV[1]
end
`;

/** Frees a session lease KEYS[n] when it is ours (ARGV[1]). */
const FREE_SESSION = `
local function free_session(n)
  if KEYS[n] and redis.call('GET', KEYS[n]) == ARGV[1] then redis.call('DEL', KEYS[n]) end
end
`;

/**
 * Appends one exchange to the session KEYS[s] and frees its lease KEYS[l], only while the lease is
 * ours (ARGV[1]); ARGV[a], ARGV[a+1], ARGV[a+2], ARGV[a+3]: userTurn, assistantTurn, maxMessages,
 * ttl. False when the lease was lost (nothing written).
 */
const APPEND = `
local function append_exchange(s, l, a)
  if redis.call('GET', KEYS[l]) ~= ARGV[1] then return false end
  redis.call('RPUSH', KEYS[s], ARGV[a], ARGV[a + 1])
  redis.call('LTRIM', KEYS[s], -tonumber(ARGV[a + 2]), -1)
  redis.call('EXPIRE', KEYS[s], ARGV[a + 3])
  redis.call('DEL', KEYS[l])
  return true
end
`;

/**
 * KEYS: job, outbox, outboxMessages[, idempotency]; ARGV: jobId, fingerprint, idemTtl, jobTtl,
 * input, sessionId, now, relayAt, outboxMessage. The job record, its idempotency key and its outbox
 * entry in one step. Returns {'created', jobId} or {'existing', '<jobId>|<fingerprint>'}.
 */
const CREATE_JOB = `
if KEYS[4] then
  local existing = redis.call('GET', KEYS[4])
  if existing then return {'existing', existing} end
  redis.call('SET', KEYS[4], ARGV[1] .. '|' .. ARGV[2], 'EX', ARGV[3])
end
redis.call('HSET', KEYS[1], 'jobId', ARGV[1], 'status', 'queued', 'input', ARGV[5], 'sessionId', ARGV[6],
  'createdAt', ARGV[7], 'updatedAt', ARGV[7], 'attempts', 0, 'completions', 0)
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[8], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[9])
return {'created', ARGV[1]}
`;

/**
 * KEYS: job, idempotency; ARGV: the idempotency value expected. Marks the job as promised to a
 * client (it can no longer be withdrawn). Returns {'ok', status}, or {'gone'} when the key no
 * longer names a live job (the stale key is removed, so a retry creates a fresh job).
 */
const CONFIRM_JOB = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return {'gone'} end
local st = redis.call('HGET', KEYS[1], 'status')
if not st or st == 'withdrawn' then
  redis.call('DEL', KEYS[2])
  return {'gone'}
end
redis.call('HSET', KEYS[1], 'promised', 1)
return {'ok', st}
`;

/**
 * KEYS: job, outbox, outboxMessages[, idempotency]; ARGV: jobId, now. Withdraws a job whose enqueue
 * failed, unless a client was already told it exists or a worker already saw it: the record stays
 * as a `withdrawn` tombstone (so a message that reached SQS anyway is dropped), the outbox entry
 * and the idempotency key go. Returns 1 when withdrawn, 0 when the job stays live.
 */
const WITHDRAW_JOB = `
if redis.call('HGET', KEYS[1], 'status') ~= 'queued' or redis.call('HGET', KEYS[1], 'promised')
  or tonumber(redis.call('HGET', KEYS[1], 'attempts') or '0') > 0 then return 0 end
redis.call('HSET', KEYS[1], 'status', 'withdrawn', 'updatedAt', ARGV[2])
redis.call('HDEL', KEYS[1], 'input')
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
if KEYS[4] then
  local v = redis.call('GET', KEYS[4])
  if v and string.sub(v, 1, #ARGV[1] + 1) == ARGV[1] .. '|' then redis.call('DEL', KEYS[4]) end
end
return 1
`;

/** KEYS: outbox, outboxMessages; ARGV: jobIds. Forgets entries known to be in SQS. */
const MARK_SENT = `
for i = 1, #ARGV do
  redis.call('ZREM', KEYS[1], ARGV[i])
  redis.call('HDEL', KEYS[2], ARGV[i])
end
return #ARGV
`;

/**
 * KEYS: outbox, outboxMessages; ARGV: now, claimUntil, limit. Takes up to `limit` due entries for
 * one relay until `claimUntil` (another relay retries them after that). Returns {id, message, ...}.
 */
const CLAIM_OUTBOX = `
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))) do
  local message = redis.call('HGET', KEYS[2], id)
  if message then
    redis.call('ZADD', KEYS[1], ARGV[2], id)
    out[#out + 1] = id
    out[#out + 1] = message
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return out
`;

/**
 * KEYS: job, lease; ARGV: owner, leaseMs, now, jobId, input, sessionId, jobTtl, enqueuedAt.
 * Takes the lease for one attempt. A missing record is restored from the message (Redis lost it),
 * unless the message is older than the record's TTL (the job finished or was withdrawn long ago).
 * Returns {outcome, leasePttl, attempts}.
 */
const CLAIM_JOB = `
local st = redis.call('HGET', KEYS[1], 'status')
if not st then
  if tonumber(ARGV[8]) + tonumber(ARGV[7]) * 1000 <= tonumber(ARGV[3]) then return {'done', 0, 0} end
  redis.call('HSET', KEYS[1], 'jobId', ARGV[4], 'status', 'queued', 'input', ARGV[5], 'sessionId', ARGV[6],
    'createdAt', ARGV[3], 'updatedAt', ARGV[3], 'attempts', 0, 'completions', 0, 'restored', 1)
  redis.call('EXPIRE', KEYS[1], ARGV[7])
  st = 'queued'
end
if st == 'succeeded' or st == 'failed' or st == 'withdrawn' then return {'done', 0, 0} end
local holder = redis.call('GET', KEYS[2])
if holder and holder ~= ARGV[1] then return {'busy', redis.call('PTTL', KEYS[2]), 0} end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
redis.call('HSET', KEYS[1], 'status', 'running', 'owner', ARGV[1], 'updatedAt', ARGV[3], 'startedAt', ARGV[3])
local attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
return {'claimed', 0, attempts}
`;

/** KEYS: job, lease[, sessionLease]; ARGV: owner, leaseMs. Extends our leases; 0 when one is lost. */
const HEARTBEAT_JOB = `${OWNED}
if not owned() then return 0 end
if KEYS[3] then
  if redis.call('GET', KEYS[3]) ~= ARGV[1] then return 0 end
  redis.call('PEXPIRE', KEYS[3], ARGV[2])
end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return 1
`;

/**
 * KEYS: job, lease[, session, sessionLease]; ARGV: owner, now, output, workerMs, llmMs, queueMs,
 * jobTtl, userTurn, assistantTurn, maxMessages, sessionTtl. Stores the result and, for a session
 * job, appends its exchange, both only while the leases are ours. Returns 1 exactly once per job.
 * When the job is no longer ours, the attempt is over: the session lease it holds is freed.
 */
const COMPLETE_JOB = `${OWNED}${APPEND}${FREE_SESSION}
if not owned() then
  free_session(4)
  return 0
end
if KEYS[3] and not append_exchange(3, 4, 8) then return 0 end
redis.call('HSET', KEYS[1], 'status', 'succeeded', 'output', ARGV[3], 'finishedAt', ARGV[2], 'updatedAt', ARGV[2],
  'workerMs', ARGV[4], 'llmMs', ARGV[5], 'queueMs', ARGV[6])
redis.call('HDEL', KEYS[1], 'lastError')
redis.call('HINCRBY', KEYS[1], 'completions', 1)
redis.call('DEL', KEYS[2])
redis.call('EXPIRE', KEYS[1], ARGV[7])
return 1
`;

/**
 * KEYS: job, lease[, sessionLease]; ARGV: owner, now, error, jobTtl. Marks the job failed for good.
 * The attempt is over either way, so the session lease it holds is freed even when the job is not ours.
 */
const FAIL_JOB = `${OWNED}${FREE_SESSION}
free_session(3)
if not owned() then return 0 end
redis.call('HSET', KEYS[1], 'status', 'failed', 'error', ARGV[3], 'finishedAt', ARGV[2], 'updatedAt', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'completions', 1)
redis.call('DEL', KEYS[2])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
`;

/** KEYS: job, lease[, sessionLease]; ARGV: owner, now, lastError. Gives the job back (`queued`); frees the session lease as FAIL_JOB does. */
const RELEASE_JOB = `${OWNED}${FREE_SESSION}
free_session(3)
if not owned() then return 0 end
redis.call('HSET', KEYS[1], 'status', 'queued', 'lastError', ARGV[3], 'updatedAt', ARGV[2])
redis.call('HDEL', KEYS[1], 'owner')
redis.call('DEL', KEYS[2])
return 1
`;

/**
 * KEYS: sessionLease, session; ARGV: owner, leaseMs, maxMessages. Takes the session's lease and
 * returns {1, history}, or {0, leasePttl} while another exchange holds it.
 */
const ACQUIRE_SESSION = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return {0, redis.call('PTTL', KEYS[1])} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return {1, redis.call('LRANGE', KEYS[2], -tonumber(ARGV[3]), -1)}
`;

/**
 * KEYS: session, sessionLease; ARGV: owner, userTurn, assistantTurn, maxMessages, ttl. Appends one
 * exchange and frees the lease, only while the lease is ours. Returns 1, or 0 when it was lost.
 */
const APPEND_EXCHANGE = `${APPEND}
if not append_exchange(1, 2, 2) then return 0 end
return 1
`;

/** KEYS: sessionLease; ARGV: owner. Frees the lease when it is ours. */
const RELEASE_SESSION = `${FREE_SESSION}
free_session(1)
return 1
`;

/** Every script, by command name; `keys` is fixed, or `undefined` when the caller passes the count first. */
const SCRIPTS: Record<string, { lua: string; keys?: number }> = {
  agentCreateJob: { lua: CREATE_JOB },
  agentConfirmJob: { lua: CONFIRM_JOB, keys: 2 },
  agentWithdrawJob: { lua: WITHDRAW_JOB },
  agentMarkSent: { lua: MARK_SENT, keys: 2 },
  agentClaimOutbox: { lua: CLAIM_OUTBOX, keys: 2 },
  agentClaimJob: { lua: CLAIM_JOB, keys: 2 },
  agentHeartbeatJob: { lua: HEARTBEAT_JOB },
  agentCompleteJob: { lua: COMPLETE_JOB },
  agentFailJob: { lua: FAIL_JOB },
  agentReleaseJob: { lua: RELEASE_JOB },
  agentAcquireSession: { lua: ACQUIRE_SESSION, keys: 2 },
  agentAppendExchange: { lua: APPEND_EXCHANGE, keys: 2 },
  agentReleaseSession: { lua: RELEASE_SESSION, keys: 1 },
};

/** Registers every script on a client (and its pipelines) as a custom command. */
export function defineAgentCommands(redis: Redis | Cluster): void {
  for (const [name, s] of Object.entries(SCRIPTS)) redis.defineCommand(name, { lua: s.lua, ...(s.keys !== undefined ? { numberOfKeys: s.keys } : {}) });
}

type Arg = string | number;

declare module "ioredis" {
  interface RedisCommander<Context> {
    agentCreateJob(numKeys: number, ...keysAndArgs: Arg[]): Result<[string, string], Context>;
    agentConfirmJob(job: string, idempotency: string, expected: string): Result<[string, string?], Context>;
    agentWithdrawJob(numKeys: number, ...keysAndArgs: Arg[]): Result<number, Context>;
    agentMarkSent(outbox: string, outboxMessages: string, ...jobIds: string[]): Result<number, Context>;
    agentClaimOutbox(outbox: string, outboxMessages: string, now: number, claimUntil: number, limit: number): Result<string[], Context>;
    agentClaimJob(job: string, lease: string, ...args: Arg[]): Result<[string, number, number], Context>;
    agentHeartbeatJob(numKeys: number, ...keysAndArgs: Arg[]): Result<number, Context>;
    agentCompleteJob(numKeys: number, ...keysAndArgs: Arg[]): Result<number, Context>;
    agentFailJob(numKeys: number, ...keysAndArgs: Arg[]): Result<number, Context>;
    agentReleaseJob(numKeys: number, ...keysAndArgs: Arg[]): Result<number, Context>;
    agentAcquireSession(lease: string, session: string, owner: string, leaseMs: number, maxMessages: number): Result<[number, string[] | number], Context>;
    agentAppendExchange(session: string, lease: string, owner: string, userTurn: string, assistantTurn: string, maxMessages: number, ttl: number): Result<number, Context>;
    agentReleaseSession(lease: string, owner: string): Result<number, Context>;
  }
}
