/**
 * Structured JSON logging (pino) with secrets redacted by path, for the worker and for Fastify.
 */
import { pino, type Logger } from "pino";

/** Paths never written to logs. */
export const REDACT_PATHS = [
  "llmApiKey", "redisPassword", "config.llmApiKey", "config.redisPassword",
  "req.headers.authorization", "headers.authorization", "*.authorization",
];

/** A JSON logger at `level` for `role`. */
export function createLogger(level: string, role: string): Logger {
  return pino({ level, base: { role }, redact: { paths: REDACT_PATHS, censor: "[redacted]" } });
}
