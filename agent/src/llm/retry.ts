/**
 * Retry policy for LLM calls: which failures are retryable and how long to wait before the next
 * attempt. All functions here are pure (randomness is injected) so they are unit-tested directly.
 */

/** HTTP statuses worth retrying: timeouts, conflicts, rate limits and server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || (status >= 500 && status <= 599);
}

/** Error codes of network failures worth retrying (from undici / Node's net stack). */
const RETRYABLE_CODES = new Set([
  "ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH",
  "EHOSTUNREACH", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT", "UND_ERR_CLOSED",
]);

/** True when `err` (as thrown by `fetch`) is a network failure rather than a programming error. */
export function isRetryableNetworkError(err: unknown): boolean {
  let cur: unknown = err;
  for (let depth = 0; depth < 4 && cur !== null && typeof cur === "object"; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === "string" && RETRYABLE_CODES.has(code)) return true;
    if (cur instanceof TypeError && /fetch failed|terminated|other side closed/i.test(cur.message)) return true;
    cur = (cur as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Parses `Retry-After` (delta seconds or an HTTP date) and OpenAI's `retry-after-ms` into
 * milliseconds. Returns `undefined` when absent or unparsable; never negative.
 */
export function parseRetryAfterMs(retryAfter: string | null, retryAfterMs: string | null, nowMs: number): number | undefined {
  if (retryAfterMs !== null && /^\d+(\.\d+)?$/.test(retryAfterMs.trim())) {
    return Math.max(0, Math.round(Number(retryAfterMs.trim())));
  }
  if (retryAfter === null) return undefined;
  const v = retryAfter.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.max(0, Math.round(Number(v) * 1000));
  const date = Date.parse(v);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** Inputs of {@link backoffDelayMs}. */
export interface BackoffInput {
  /** 1 for the wait after the first failed attempt. */
  attempt: number;
  baseMs: number;
  capMs: number;
  /** The server's `Retry-After`, when it sent one. */
  retryAfterMs?: number | undefined;
  /** A number in [0, 1); `Math.random` in production. */
  random: number;
}

/**
 * Full-jitter exponential backoff: a uniform delay in [0, min(cap, base·2^(attempt-1))].
 * A server-provided `Retry-After` wins when present (the server knows when it will accept us),
 * so the delay is never shorter than what it asked for.
 */
export function backoffDelayMs(input: BackoffInput): number {
  const exp = Math.min(input.capMs, input.baseMs * 2 ** Math.max(0, input.attempt - 1));
  const jitter = Math.floor(input.random * exp);
  if (input.retryAfterMs !== undefined) return Math.max(input.retryAfterMs, jitter);
  return jitter;
}

/**
 * Decides whether another attempt fits: attempts left and the wait plus a minimal call still
 * ending before the overall deadline.
 */
export function shouldRetry(attempt: number, maxAttempts: number, delayMs: number, nowMs: number, deadlineMs: number): boolean {
  return attempt < maxAttempts && nowMs + delayMs < deadlineMs;
}
