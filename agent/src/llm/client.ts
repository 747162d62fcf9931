/**
 * An OpenAI-compatible Chat Completions client (OpenAI, vLLM, Ollama, ...) over `fetch`, with
 * capped retries (full jitter, `Retry-After` honoured), a per-call timeout and an overall deadline.
 * Each logical call is one `chat {model}` span; retries appear as span events.
 */
import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { chatRequestAttributes, chatResponseAttributes, chatSpanName } from "../telemetry/genai";
import { backoffDelayMs, isRetryableNetworkError, isRetryableStatus, parseRetryAfterMs, shouldRetry } from "./retry";
import { type ChatCompletion, type ChatRequest, LlmError } from "./types";

/** Options of {@link LlmClient}. `apiKey` is sent as a bearer token and never logged. */
export interface LlmClientOptions {
  baseUrl: string;
  model: string;
  apiKey?: string | undefined;
  providerName: string;
  timeoutMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** Injected for tests; defaults to `Math.random`. */
  random?: () => number;
  /** Injected for tests (records backoff waits); defaults to a real abortable sleep. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Result of a chat call. */
export interface ChatResult {
  completion: ChatCompletion;
  attempts: number;
  /** Wall time spent in the call, retries included. */
  durationMs: number;
}

const tracer = trace.getTracer("agent.llm");

/** Resolves after `ms`, or rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Calls an OpenAI-compatible `/chat/completions` endpoint. */
export class LlmClient {
  private readonly random: () => number;
  private readonly wait: (ms: number, signal?: AbortSignal) => Promise<void>;
  constructor(private readonly opts: LlmClientOptions) {
    this.random = opts.random ?? Math.random;
    this.wait = opts.sleep ?? sleep;
  }

  /** The model name requests are sent with. */
  get model(): string {
    return this.opts.model;
  }

  /** One chat completion, retried as the policy allows. @throws LlmError */
  async chat(req: ChatRequest): Promise<ChatResult> {
    const attrs = chatRequestAttributes({
      provider: this.opts.providerName, model: this.opts.model, baseUrl: this.opts.baseUrl, conversationId: req.conversationId,
    });
    return tracer.startActiveSpan(chatSpanName(this.opts.model), { kind: SpanKind.CLIENT, attributes: attrs }, async (span) => {
      const started = Date.now();
      try {
        const { completion, attempts } = await this.withRetries(req, (event, data) => span.addEvent(event, data));
        span.setAttributes(chatResponseAttributes(completion));
        span.setAttribute("agent.llm.attempts", attempts);
        return { completion, attempts, durationMs: Date.now() - started };
      } catch (err) {
        const e = err instanceof LlmError ? err : new LlmError(String(err), "network");
        span.setAttribute("error.type", e.status !== undefined ? String(e.status) : e.kind);
        span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
        throw e;
      } finally {
        span.end();
      }
    });
  }

  private async withRetries(
    req: ChatRequest,
    onEvent: (name: string, data: Record<string, string | number>) => void,
  ): Promise<{ completion: ChatCompletion; attempts: number }> {
    for (let attempt = 1; ; attempt++) {
      if (req.signal?.aborted) throw new LlmError("LLM call aborted", "aborted", undefined, attempt - 1);
      if (Date.now() >= req.deadlineMs) throw new LlmError("LLM deadline exceeded", "deadline", undefined, attempt - 1);
      const outcome = await this.attempt(req);
      if (outcome.ok) return { completion: outcome.completion, attempts: attempt };
      const err = outcome.error;
      if (!outcome.retryable) throw new LlmError(err.message, err.kind, err.status, attempt);
      const delay = backoffDelayMs({
        attempt, baseMs: this.opts.retryBaseMs, capMs: this.opts.retryMaxMs, retryAfterMs: outcome.retryAfterMs, random: this.random(),
      });
      if (!shouldRetry(attempt, this.opts.maxAttempts, delay, Date.now(), req.deadlineMs)) {
        throw new LlmError(`${err.message} (gave up after ${attempt} attempt(s))`, err.kind, err.status, attempt);
      }
      onEvent("gen_ai.retry", { attempt, delay_ms: delay, reason: err.status !== undefined ? String(err.status) : err.kind });
      try {
        await this.wait(delay, req.signal);
      } catch {
        throw new LlmError("LLM call aborted", "aborted", undefined, attempt);
      }
    }
  }

  private async attempt(req: ChatRequest): Promise<
    | { ok: true; completion: ChatCompletion }
    | { ok: false; retryable: boolean; retryAfterMs?: number | undefined; error: LlmError }
  > {
    const budget = Math.max(1, Math.min(this.opts.timeoutMs, req.deadlineMs - Date.now()));
    const timeout = AbortSignal.timeout(budget);
    const signal = req.signal !== undefined ? AbortSignal.any([req.signal, timeout]) : timeout;
    const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
    if (this.opts.apiKey !== undefined) headers.authorization = `Bearer ${this.opts.apiKey}`;
    const body = JSON.stringify({
      model: this.opts.model,
      messages: req.messages,
      ...(req.tools !== undefined && req.tools.length > 0 ? { tools: req.tools, tool_choice: "auto" } : {}),
    });
    try {
      const res = await fetch(`${this.opts.baseUrl}/chat/completions`, { method: "POST", headers, body, signal });
      if (!res.ok) {
        const retryAfterMs = parseRetryAfterMs(res.headers.get("retry-after"), res.headers.get("retry-after-ms"), Date.now());
        await res.body?.cancel().catch(() => undefined);
        return {
          ok: false, retryable: isRetryableStatus(res.status), retryAfterMs,
          error: new LlmError(`LLM endpoint answered HTTP ${res.status}`, "http", res.status),
        };
      }
      const json = (await res.json()) as ChatCompletion;
      if (!Array.isArray(json.choices) || json.choices.length === 0 || json.choices[0]?.message === undefined) {
        return { ok: false, retryable: false, error: new LlmError("LLM response has no choices", "invalid_response") };
      }
      return { ok: true, completion: json };
    } catch (err) {
      if (req.signal?.aborted) return { ok: false, retryable: false, error: new LlmError("LLM call aborted", "aborted") };
      if (timeout.aborted) {
        const kind = Date.now() >= req.deadlineMs ? "deadline" : "timeout";
        return { ok: false, retryable: kind === "timeout", error: new LlmError(`LLM call timed out after ${budget} ms`, kind) };
      }
      if (err instanceof SyntaxError) return { ok: false, retryable: true, error: new LlmError("LLM response is not JSON", "invalid_response") };
      return { ok: false, retryable: isRetryableNetworkError(err), error: new LlmError(`LLM request failed: ${describe(err)}`, "network") };
    }
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
  }
  return String(err);
}
