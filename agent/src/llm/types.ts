/** OpenAI Chat Completions wire types (the subset this agent uses). */

/** A function tool call requested by the model. */
export interface ToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

/** One chat message. */
export type ChatMessage =
  | { role: "system"; content: string }
  | { role: "user"; content: string }
  | { role: "assistant"; content: string | null; tool_calls?: ToolCall[] }
  | { role: "tool"; content: string; tool_call_id: string };

/** A tool offered to the model. */
export interface ToolSpec {
  type: "function";
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

/** The part of a chat completion response this agent reads. */
export interface ChatCompletion {
  id?: string;
  model?: string;
  choices: Array<{
    index?: number;
    finish_reason?: string | null;
    message: { role: "assistant"; content: string | null; tool_calls?: ToolCall[] };
  }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number };
}

/** Request of one chat call. */
export interface ChatRequest {
  messages: ChatMessage[];
  tools?: ToolSpec[];
  /** Absolute epoch ms after which no attempt may start and the current one is aborted. */
  deadlineMs: number;
  /** Aborts the call (shutdown, caller gone). */
  signal?: AbortSignal | undefined;
  /** `gen_ai.conversation.id` for the span. */
  conversationId?: string | undefined;
}

/** Raised when the LLM call fails for good; `retryable` tells whether a later retry may help. */
export class LlmError extends Error {
  constructor(
    message: string,
    public readonly kind: "http" | "network" | "timeout" | "deadline" | "aborted" | "invalid_response",
    public readonly status?: number,
    public readonly attempts?: number,
  ) {
    super(message);
    this.name = "LlmError";
  }
}
