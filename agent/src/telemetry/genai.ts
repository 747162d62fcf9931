/**
 * Span names and attributes of the OpenTelemetry GenAI semantic conventions
 * (https://opentelemetry.io/docs/specs/semconv/gen-ai/). Pure builders, unit-tested directly.
 */
import type { Attributes } from "@opentelemetry/api";

/** GenAI attribute keys used by this agent. */
export const GenAI = {
  operationName: "gen_ai.operation.name",
  providerName: "gen_ai.provider.name",
  requestModel: "gen_ai.request.model",
  responseModel: "gen_ai.response.model",
  responseId: "gen_ai.response.id",
  finishReasons: "gen_ai.response.finish_reasons",
  inputTokens: "gen_ai.usage.input_tokens",
  outputTokens: "gen_ai.usage.output_tokens",
  conversationId: "gen_ai.conversation.id",
  agentName: "gen_ai.agent.name",
  toolName: "gen_ai.tool.name",
  toolCallId: "gen_ai.tool.call.id",
  toolType: "gen_ai.tool.type",
} as const;

/** The agent's name in `invoke_agent` spans. */
export const AGENT_NAME = "reference-agent";

/** `invoke_agent {agent}` is allowed; we keep the bare operation name the issue asks for. */
export const INVOKE_AGENT_SPAN = "invoke_agent";

/** `chat {model}`. */
export function chatSpanName(model: string): string {
  return `chat ${model}`;
}

/** `execute_tool {tool}`. */
export function toolSpanName(tool: string): string {
  return `execute_tool ${tool}`;
}

/** Attributes of an `invoke_agent` span. */
export function agentAttributes(p: { provider: string; model: string; conversationId?: string | undefined }): Attributes {
  const a: Attributes = {
    [GenAI.operationName]: "invoke_agent",
    [GenAI.providerName]: p.provider,
    [GenAI.requestModel]: p.model,
    [GenAI.agentName]: AGENT_NAME,
  };
  if (p.conversationId !== undefined) a[GenAI.conversationId] = p.conversationId;
  return a;
}

/** Request-side attributes of a `chat {model}` span, including the server address and port. */
export function chatRequestAttributes(p: { provider: string; model: string; baseUrl: string; conversationId?: string | undefined }): Attributes {
  const url = new URL(p.baseUrl);
  const port = url.port !== "" ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  const a: Attributes = {
    [GenAI.operationName]: "chat",
    [GenAI.providerName]: p.provider,
    [GenAI.requestModel]: p.model,
    "server.address": url.hostname,
    "server.port": port,
  };
  if (p.conversationId !== undefined) a[GenAI.conversationId] = p.conversationId;
  return a;
}

/** The parts of a chat completion the response attributes read. */
export interface CompletionSummary {
  id?: string;
  model?: string;
  choices: ReadonlyArray<{ finish_reason?: string | null }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number } | undefined;
}

/** Response-side attributes of a `chat {model}` span: model, id, finish reasons, token usage. */
export function chatResponseAttributes(c: CompletionSummary): Attributes {
  const a: Attributes = {};
  if (c.model !== undefined) a[GenAI.responseModel] = c.model;
  if (c.id !== undefined) a[GenAI.responseId] = c.id;
  const reasons = c.choices.map((ch) => ch.finish_reason).filter((r): r is string => typeof r === "string");
  if (reasons.length > 0) a[GenAI.finishReasons] = reasons;
  if (typeof c.usage?.prompt_tokens === "number") a[GenAI.inputTokens] = c.usage.prompt_tokens;
  if (typeof c.usage?.completion_tokens === "number") a[GenAI.outputTokens] = c.usage.completion_tokens;
  return a;
}

/** Attributes of an `execute_tool {tool}` span. */
export function toolAttributes(p: { tool: string; callId: string }): Attributes {
  return {
    [GenAI.operationName]: "execute_tool",
    [GenAI.toolName]: p.tool,
    [GenAI.toolCallId]: p.callId,
    [GenAI.toolType]: "function",
  };
}
