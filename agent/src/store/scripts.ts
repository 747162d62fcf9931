/**
 * Lua scripts of the job state machine. Each runs atomically in Redis, which is what makes job
 * processing idempotent: `queued → running` (a lease held by one attempt) `→ succeeded | failed`,
 * or back to `queued` when an attempt is released.
 */

/** KEYS: job, [idem]; ARGV: jobId, bodyHash, idemTtl, jobTtl, input, sessionId, now. */
export const CREATE_JOB = `
if #KEYS == 2 then
  local existing = redis.call('GET', KEYS[2])
  if existing then return {'existing', existing} end
  redis.call('SET', KEYS[2], ARGV[1] .. '|' .. ARGV[2], 'EX', ARGV[3])
end
redis.call('HSET', KEYS[1], 'jobId', ARGV[1], 'status', 'queued', 'input', ARGV[5], 'sessionId', ARGV[6],
  'createdAt', ARGV[7], 'updatedAt', ARGV[7], 'attempts', 0, 'completions', 0)
redis.call('EXPIRE', KEYS[1], ARGV[4])
return {'created', ARGV[1]}
`;

/**
 * KEYS: job, lease; ARGV: owner, leaseMs, now, jobId, input, sessionId, jobTtl.
 * Recreates a missing record from the message (a job is never lost because Redis lost it).
 * Returns {outcome, leasePttl, attempts}.
 */
export const CLAIM_JOB = `
local st = redis.call('HGET', KEYS[1], 'status')
if not st then
  redis.call('HSET', KEYS[1], 'jobId', ARGV[4], 'status', 'queued', 'input', ARGV[5], 'sessionId', ARGV[6],
    'createdAt', ARGV[3], 'updatedAt', ARGV[3], 'attempts', 0, 'completions', 0, 'restored', 1)
  redis.call('EXPIRE', KEYS[1], ARGV[7])
  st = 'queued'
end
if st == 'succeeded' or st == 'failed' then return {'done', 0, 0} end
local holder = redis.call('GET', KEYS[2])
if holder and holder ~= ARGV[1] then return {'busy', redis.call('PTTL', KEYS[2]), 0} end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
redis.call('HSET', KEYS[1], 'status', 'running', 'owner', ARGV[1], 'updatedAt', ARGV[3], 'startedAt', ARGV[3])
local attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
return {'claimed', 0, attempts}
`;

/** Ownership test shared by the scripts below: our lease, or no lease and still ours in the record. */
const OWNED = `
local function owned()
  local holder = redis.call('GET', KEYS[2])
  if holder and holder ~= ARGV[1] then return false end
  return redis.call('HGET', KEYS[1], 'status') == 'running' and redis.call('HGET', KEYS[1], 'owner') == ARGV[1]
end
`;

/** KEYS: job, lease; ARGV: owner, leaseMs. Returns 1 while the lease is ours. */
export const HEARTBEAT_JOB = `${OWNED}
if not owned() then return 0 end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return 1
`;

/** KEYS: job, lease; ARGV: owner, now, output, workerMs, llmMs, queueMs, jobTtl. Returns 1 once. */
export const COMPLETE_JOB = `${OWNED}
if not owned() then return 0 end
redis.call('HSET', KEYS[1], 'status', 'succeeded', 'output', ARGV[3], 'finishedAt', ARGV[2], 'updatedAt', ARGV[2],
  'workerMs', ARGV[4], 'llmMs', ARGV[5], 'queueMs', ARGV[6])
redis.call('HDEL', KEYS[1], 'lastError')
redis.call('HINCRBY', KEYS[1], 'completions', 1)
redis.call('DEL', KEYS[2])
redis.call('EXPIRE', KEYS[1], ARGV[7])
return 1
`;

/** KEYS: job, lease; ARGV: owner, now, error, jobTtl. Marks the job failed for good. */
export const FAIL_JOB = `${OWNED}
if not owned() then return 0 end
redis.call('HSET', KEYS[1], 'status', 'failed', 'error', ARGV[3], 'finishedAt', ARGV[2], 'updatedAt', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'completions', 1)
redis.call('DEL', KEYS[2])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
`;

/** KEYS: job, lease; ARGV: owner, now, lastError. Gives the job back (`queued`) for another attempt. */
export const RELEASE_JOB = `${OWNED}
if not owned() then return 0 end
redis.call('HSET', KEYS[1], 'status', 'queued', 'lastError', ARGV[3], 'updatedAt', ARGV[2])
redis.call('HDEL', KEYS[1], 'owner')
redis.call('DEL', KEYS[2])
return 1
`;
