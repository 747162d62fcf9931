/**
 * The LLM client: the official `openai` SDK against any OpenAI-compatible Chat Completions endpoint
 * (OpenAI, vLLM, Ollama), with our policy: at most LLM_MAX_ATTEMPTS attempts (the SDK retries 408,
 * 409, 429, 5xx, timeouts and connection errors with exponential backoff, honouring `Retry-After`
 * and `retry-after-ms` up to 60 s), each attempt — connecting included — bounded by
 * LLM_TIMEOUT_SECONDS (and connecting by Node's fetch itself after 10 s), and the whole call by the
 * caller's deadline and abort signal.
 *
 * One `chat {model}` client span per call, with the GenAI attributes, a `gen_ai.retry` event per
 * retry and `agent.llm.attempts`.
 *
 * The SDK is loaded on the first call: it and Node's fetch, which it touches, weigh about 10 MiB,
 * which a process that never calls the model (an idle worker, an API taking only jobs) does not pay.
 */
import { type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type OpenAI from "openai";
import type { ChatCompletion, ChatCompletionFunctionTool, ChatCompletionMessageParam } from "openai/resources/chat/completions";
import { chatRequestAttributes, chatResponseAttributes, chatSpanName } from "../telemetry/genai";

/** One message of a conversation, as the Chat Completions API takes it. */
export type ChatMessage = ChatCompletionMessageParam;
/** A tool offered to the model. */
export type ToolSpec = ChatCompletionFunctionTool;

/** Why an LLM call failed. */
export type LlmErrorKind = "http" | "network" | "timeout" | "deadline" | "aborted" | "invalid_response";

/** Raised when an LLM call fails for good (after the SDK's retries). */
export class LlmError extends Error {
  constructor(message: string, public readonly kind: LlmErrorKind, public readonly status?: number) {
    super(message);
    this.name = "LlmError";
  }
}

/** Options of {@link LlmClient}. `apiKey` is sent as a bearer token and never logged. */
export interface LlmClientOptions {
  baseUrl: string;
  model: string;
  apiKey?: string | undefined;
  providerName: string;
  /** Per attempt, connecting included. */
  timeoutMs: number;
  maxAttempts: number;
}

/** Request of one chat call. */
export interface ChatRequest {
  messages: ChatMessage[];
  tools?: ToolSpec[] | undefined;
  /** Absolute epoch ms at which the call (retries included) is abandoned. */
  deadlineMs: number;
  /** Aborts the call (shutdown, caller gone). */
  signal?: AbortSignal | undefined;
  /** `gen_ai.conversation.id` for the span. */
  conversationId?: string | undefined;
}

/** Result of a chat call. */
export interface ChatResult {
  completion: ChatCompletion;
  /** Wall time spent in the call, retries included. */
  durationMs: number;
}

const tracer = trace.getTracer("agent.llm");

/** What the attempts under one `chat {model}` span did so far. */
interface Attempts {
  count: number;
  /** The last attempt's HTTP status, or its network error. */
  last?: string;
}

/** Attempts made under each `chat {model}` span (the SDK calls `fetch` once per attempt). */
const attemptsOf = new WeakMap<Span, Attempts>();

/** `fetch` that records each attempt on the active chat span and marks each retry with an event. */
const countingFetch: typeof fetch = async (input, init) => {
  const span = trace.getActiveSpan();
  const attempts: Attempts = { count: (span !== undefined ? attemptsOf.get(span)?.count ?? 0 : 0) + 1 };
  if (span !== undefined) {
    attemptsOf.set(span, attempts);
    if (attempts.count > 1) span.addEvent("gen_ai.retry", { attempt: attempts.count });
  }
  try {
    const res = await fetch(input, init);
    attempts.last = `HTTP ${res.status}`;
    return res;
  } catch (err) {
    attempts.last = err instanceof Error ? err.message : String(err);
    throw err;
  }
};

/** The SDK's error classes {@link toLlmError} tells apart. */
export type SdkErrors = Pick<typeof import("openai"), "APIError" | "APIConnectionError" | "APIConnectionTimeoutError">;

/**
 * Maps whatever a failed call threw to an {@link LlmError}; `last` describes the last attempt
 * (kept in the message when the deadline cut a retry short). Pure.
 */
export function toLlmError(err: unknown, sdk: SdkErrors, callerAborted: boolean, deadlinePassed: boolean, last?: string): LlmError {
  if (err instanceof LlmError) return err;
  if (callerAborted) return new LlmError("LLM call aborted", "aborted");
  if (deadlinePassed) return new LlmError(`LLM deadline exceeded${last !== undefined ? ` (last attempt: ${last})` : ""}`, "deadline");
  if (err instanceof sdk.APIConnectionTimeoutError) return new LlmError(`LLM call timed out: ${err.message}`, "timeout");
  if (err instanceof sdk.APIConnectionError) return new LlmError(`LLM request failed: ${err.message}`, "network");
  if (err instanceof sdk.APIError && err.status !== undefined) return new LlmError(`LLM endpoint answered HTTP ${err.status}`, "http", err.status);
  return new LlmError(`LLM response unusable: ${err instanceof Error ? err.message : String(err)}`, "invalid_response");
}

/** Calls an OpenAI-compatible `/chat/completions` endpoint. */
export class LlmClient {
  private sdk: { client: OpenAI; errors: SdkErrors } | undefined;

  constructor(private readonly opts: LlmClientOptions) {}

  /** The SDK client, created on first use. */
  private load(): { client: OpenAI; errors: SdkErrors } {
    if (this.sdk !== undefined) return this.sdk;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sdk = require("openai") as typeof import("openai");
    const client = new sdk.OpenAI({
      baseURL: this.opts.baseUrl,
      // vLLM and Ollama need no key: a placeholder satisfies the SDK and the header is removed.
      apiKey: this.opts.apiKey ?? "unused",
      ...(this.opts.apiKey === undefined ? { defaultHeaders: { Authorization: null } } : {}),
      organization: null,
      project: null,
      maxRetries: this.opts.maxAttempts - 1,
      timeout: this.opts.timeoutMs,
      fetch: countingFetch,
      logLevel: "off",
    });
    this.sdk = { client, errors: sdk };
    return this.sdk;
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
      const deadline = AbortSignal.timeout(Math.max(1, req.deadlineMs - started));
      const { client, errors } = this.load();
      try {
        if (started >= req.deadlineMs) throw new LlmError("LLM deadline exceeded", "deadline");
        const completion = await client.chat.completions.create(
          { model: this.opts.model, messages: req.messages, ...(req.tools !== undefined && req.tools.length > 0 ? { tools: req.tools, tool_choice: "auto" } : {}) },
          { signal: req.signal !== undefined ? AbortSignal.any([req.signal, deadline]) : deadline },
        );
        if (!Array.isArray(completion.choices) || completion.choices[0]?.message === undefined) {
          throw new LlmError("LLM response has no choices", "invalid_response");
        }
        span.setAttributes(chatResponseAttributes(completion));
        return { completion, durationMs: Date.now() - started };
      } catch (err) {
        const e = toLlmError(err, errors, req.signal?.aborted === true, deadline.aborted, attemptsOf.get(span)?.last);
        span.setAttribute("error.type", e.status !== undefined ? String(e.status) : e.kind);
        span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
        throw e;
      } finally {
        span.setAttribute("agent.llm.attempts", attemptsOf.get(span)?.count ?? 1);
        span.end();
      }
    });
  }
}
