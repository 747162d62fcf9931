/**
 * Validation of API input. Pure functions returning either the parsed value or a message that
 * names the offending field (the API answers 400 with it).
 */

/** Longest accepted `message` / `input`, in characters. */
export const MAX_TEXT_CHARS = 32_000;

const ID_RE = /^[A-Za-z0-9_-]{1,128}$/;
const JOB_ID_RE = /^[A-Za-z0-9-]{1,64}$/;
const IDEM_RE = /^[\x21-\x7e]{1,255}$/;

/** Either a value or an error message. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

function text(body: unknown, field: string): Parsed<string> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    return { ok: false, error: "body must be a JSON object" };
  }
  const v = (body as Record<string, unknown>)[field];
  if (typeof v !== "string") return { ok: false, error: `"${field}" is required and must be a string` };
  if (v.trim() === "") return { ok: false, error: `"${field}" must not be empty` };
  if (v.length > MAX_TEXT_CHARS) return { ok: false, error: `"${field}" must be at most ${MAX_TEXT_CHARS} characters` };
  return { ok: true, value: v };
}

/** Validates a session id (path parameter or body field). */
export function parseSessionId(v: unknown, field = "sessionId"): Parsed<string> {
  if (typeof v !== "string" || !ID_RE.test(v)) {
    return { ok: false, error: `"${field}" must be 1-128 characters of letters, digits, "_" or "-"` };
  }
  return { ok: true, value: v };
}

/** Validates a job id path parameter. */
export function parseJobId(v: unknown): Parsed<string> {
  if (typeof v !== "string" || !JOB_ID_RE.test(v)) return { ok: false, error: `"jobId" is not a valid job id` };
  return { ok: true, value: v };
}

/** Validates `POST /v1/sessions/:sessionId/messages` bodies. */
export function parseMessageBody(body: unknown): Parsed<{ message: string }> {
  const m = text(body, "message");
  return m.ok ? { ok: true, value: { message: m.value } } : m;
}

/** Validates `POST /v1/jobs` bodies. */
export function parseJobBody(body: unknown): Parsed<{ input: string; sessionId?: string }> {
  const input = text(body, "input");
  if (!input.ok) return input;
  const sid = (body as Record<string, unknown>).sessionId;
  if (sid === undefined) return { ok: true, value: { input: input.value } };
  const s = parseSessionId(sid);
  return s.ok ? { ok: true, value: { input: input.value, sessionId: s.value } } : s;
}

/** Validates the optional `Idempotency-Key` header. */
export function parseIdempotencyKey(v: unknown): Parsed<string | undefined> {
  if (v === undefined) return { ok: true, value: undefined };
  if (typeof v !== "string" || !IDEM_RE.test(v)) {
    return { ok: false, error: `"Idempotency-Key" header must be 1-255 visible ASCII characters` };
  }
  return { ok: true, value: v };
}
