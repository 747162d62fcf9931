/**
 * Every error the API answers is JSON `{ "error": "<message>" }`: validation failures (400, naming
 * the field), unknown routes (404), bodies too large (413), URLs too long (414), non-JSON bodies
 * (415), malformed HTTP (400/431, answered on the raw socket) and our own 5xx.
 */
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyError, FastifyReply, FastifySchemaValidationError } from "fastify";
import { URL_TOO_LONG_MESSAGE } from "./schemas";

/** Headers named the way clients write them, for messages. */
const HEADER_NAMES: Record<string, string> = { "idempotency-key": "Idempotency-Key" };

/** Messages for Fastify's own client errors, where its wording is not the clearest. */
const FRAMEWORK_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "the body must be JSON (content-type: application/json)",
  FST_ERR_CTP_BODY_TOO_LARGE: "the body is larger than MAX_BODY_BYTES",
  FST_ERR_MAX_PARAM_LENGTH: URL_TOO_LONG_MESSAGE,
  FST_ERR_BAD_URL: "the URL is malformed",
};

/** An Ajv error with the schema that failed (Ajv's `verbose` option). */
type VerboseError = FastifySchemaValidationError & { parentSchema?: { description?: string } };

/**
 * One message for a failed validation, naming the field and what it must be. Pure.
 * `part` is what failed: `body`, `params`, `headers` or `querystring`.
 */
export function validationMessage(errors: VerboseError[], part: string): string {
  const e = errors[0];
  if (e === undefined) return `invalid ${part}`;
  const name = (field: string): string => (part === "headers" ? `"${HEADER_NAMES[field] ?? field}" header` : `"${field}"`);
  if (e.keyword === "required") return `${name(String(e.params.missingProperty))} is required`;
  if (e.keyword === "additionalProperties") return `${name(String(e.params.additionalProperty))} is not an accepted field`;
  const field = e.instancePath.replace(/^\//, "").replaceAll("/", ".");
  if (field === "") return part === "body" ? "the body must be a JSON object" : `invalid ${part}`;
  const description = e.parentSchema?.description;
  return description !== undefined ? `${name(field)} must be ${description}` : `${name(field)} ${e.message ?? "is invalid"}`;
}

/** The status and JSON body for an error thrown while handling a request. Pure. */
export function errorReply(err: FastifyError): { status: number; body: { error: string } } {
  const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode <= 599 ? err.statusCode : 500;
  if (status >= 500) return { status, body: { error: "internal error" } };
  return { status, body: { error: FRAMEWORK_MESSAGES[err.code] ?? err.message } };
}

/** Answers a malformed HTTP request on the raw socket, as JSON (Fastify's `clientErrorHandler`). */
export function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === "ECONNRESET" || !socket.writable) return;
  const [status, error] = err.code === "HPE_HEADER_OVERFLOW"
    ? [431, "the request line or headers are too large"]
    : err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? [408, "the request took too long to arrive"] : [400, "malformed HTTP request"];
  const body = JSON.stringify({ error });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Answers `status` (503, 409, ...) with a `Retry-After` (seconds) and the JSON error. */
export function retryLater(reply: FastifyReply, status: number, error: string, retryAfterSeconds: number): FastifyReply {
  return reply.code(status).header("retry-after", String(retryAfterSeconds)).send({ error });
}
