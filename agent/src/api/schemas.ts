/**
 * JSON schemas of every route (Fastify validates requests with them and serialises responses with
 * them; `json-schema-to-ts` derives the handler types from them, at compile time only). A
 * `description` becomes the "must be ..." part of the 400 message naming the field.
 */
import { JobStatuses } from "../store/jobs";
import { JOB_ID_PATTERN } from "../store/keys";

/** Longest accepted `message` / `input`, in characters. */
export const MAX_TEXT_CHARS = 32_000;

/** Longest accepted request URL (path and query), in characters; longer ones get 414. */
export const MAX_URL_CHARS = 2048;

/** The 414 message. */
export const URL_TOO_LONG_MESSAGE = `the URL is longer than ${MAX_URL_CHARS} characters`;

const text = {
  type: "string", minLength: 1, maxLength: MAX_TEXT_CHARS, pattern: "\\S",
  description: `a string of 1-${MAX_TEXT_CHARS} characters, not only whitespace`,
} as const;

const sessionId = { type: "string", pattern: "^[A-Za-z0-9_-]{1,128}$", description: `1-128 letters, digits, "_" or "-"` } as const;

const jobId = { type: "string", pattern: JOB_ID_PATTERN, description: "a job id (a lowercase UUID)" } as const;

const jobStatus = { type: "string", enum: JobStatuses } as const;

/** The body of every error answer. */
const error = { type: "object", properties: { error: { type: "string" } }, required: ["error"], additionalProperties: false } as const;

const status = { type: "object", properties: { status: { type: "string" } }, required: ["status"], additionalProperties: false } as const;

/** `GET /healthz`, `GET /readyz`. */
export const probeSchema = { response: { 200: status, 503: status } } as const;

/** `POST /v1/sessions/:sessionId/messages`. */
export const chatSchema = {
  params: { type: "object", properties: { sessionId }, required: ["sessionId"], additionalProperties: false },
  body: { type: "object", properties: { message: text }, required: ["message"], additionalProperties: false },
  response: {
    200: { type: "object", properties: { reply: { type: "string" } }, required: ["reply"], additionalProperties: false },
    "4xx": error,
    "5xx": error,
  },
} as const;

/** `POST /v1/jobs`. */
export const submitJobSchema = {
  headers: {
    type: "object",
    properties: { "idempotency-key": { type: "string", pattern: "^[\\x21-\\x7e]{1,255}$", description: "1-255 visible ASCII characters" } },
  },
  body: { type: "object", properties: { input: text, sessionId }, required: ["input"], additionalProperties: false },
  response: {
    202: { type: "object", properties: { jobId: { type: "string" }, status: jobStatus }, required: ["jobId", "status"], additionalProperties: false },
    "4xx": error,
    "5xx": error,
  },
} as const;

/** `GET /v1/jobs/:jobId`. */
export const jobStatusSchema = {
  params: { type: "object", properties: { jobId }, required: ["jobId"], additionalProperties: false },
  response: {
    200: {
      type: "object",
      properties: {
        jobId: { type: "string" },
        status: jobStatus,
        result: { type: "object", properties: { output: { type: "string" } }, required: ["output"], additionalProperties: false },
        error: { type: "string" },
      },
      required: ["jobId", "status"],
      additionalProperties: false,
    },
    "4xx": error,
    "5xx": error,
  },
} as const;
