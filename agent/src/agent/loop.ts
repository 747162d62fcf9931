/**
 * The agent loop: send the conversation to the model, run the tools it asks for, feed the results
 * back, until it answers in text or the tool-round budget is spent. One `invoke_agent` span per run,
 * with `chat {model}` and `execute_tool {tool}` spans as children.
 */
import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { ChatMessage, LlmClient } from "../llm/client";
import { INVOKE_AGENT_SPAN, GenAI, agentAttributes, toolAttributes, toolSpanName } from "../telemetry/genai";
import type { ToolRegistry } from "./tools";

/** The system prompt of the reference agent. */
export const SYSTEM_PROMPT =
  "You are a helpful assistant. Use the provided tools for arithmetic, the current time and counting words. Answer concisely.";

/** Inputs of {@link runAgent}. */
export interface AgentRun {
  llm: LlmClient;
  tools: ToolRegistry;
  providerName: string;
  /** Previous user/assistant turns of the conversation. */
  history: readonly ChatMessage[];
  input: string;
  conversationId?: string | undefined;
  deadlineMs: number;
  signal?: AbortSignal | undefined;
  maxToolRounds: number;
}

/** What a run produced. */
export interface AgentResult {
  output: string;
  /** Time spent waiting on the LLM, summed over calls. */
  llmMs: number;
  llmCalls: number;
  toolCalls: number;
  inputTokens: number;
  outputTokens: number;
}

const tracer = trace.getTracer("agent.loop");

/** Runs the agent loop once. @throws LlmError when the model cannot be reached in time. */
export async function runAgent(run: AgentRun): Promise<AgentResult> {
  const attrs = agentAttributes({ provider: run.providerName, model: run.llm.model, conversationId: run.conversationId });
  return tracer.startActiveSpan(INVOKE_AGENT_SPAN, { kind: SpanKind.INTERNAL, attributes: attrs }, async (span) => {
    try {
      const result = await loop(run);
      span.setAttributes({ [GenAI.inputTokens]: result.inputTokens, [GenAI.outputTokens]: result.outputTokens });
      return result;
    } catch (err) {
      span.recordException(err instanceof Error ? err : new Error(String(err)));
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
      throw err;
    } finally {
      span.end();
    }
  });
}

async function loop(run: AgentRun): Promise<AgentResult> {
  const messages: ChatMessage[] = [{ role: "system", content: SYSTEM_PROMPT }, ...run.history, { role: "user", content: run.input }];
  const res: AgentResult = { output: "", llmMs: 0, llmCalls: 0, toolCalls: 0, inputTokens: 0, outputTokens: 0 };
  for (let round = 0; round <= run.maxToolRounds; round++) {
    const offerTools = round < run.maxToolRounds;
    const { completion, durationMs } = await run.llm.chat({
      messages, tools: offerTools ? run.tools.specs() : undefined, deadlineMs: run.deadlineMs, signal: run.signal,
      conversationId: run.conversationId,
    });
    res.llmMs += durationMs;
    res.llmCalls++;
    res.inputTokens += completion.usage?.prompt_tokens ?? 0;
    res.outputTokens += completion.usage?.completion_tokens ?? 0;
    const msg = completion.choices[0]?.message;
    const calls = (msg?.tool_calls ?? []).filter((c) => c.type === "function");
    if (calls.length === 0 || !offerTools) {
      res.output = msg?.content ?? "";
      return res;
    }
    messages.push({ role: "assistant", content: msg?.content ?? null, tool_calls: calls });
    for (const call of calls) {
      res.toolCalls++;
      const output = tracer.startActiveSpan(
        toolSpanName(call.function.name),
        { kind: SpanKind.INTERNAL, attributes: toolAttributes({ tool: call.function.name, callId: call.id }) },
        (span) => {
          const r = run.tools.execute(call.function.name, call.function.arguments);
          if (!r.ok) {
            span.setAttribute("error.type", "tool_error");
            span.setStatus({ code: SpanStatusCode.ERROR });
          }
          span.end();
          return r.output;
        },
      );
      messages.push({ role: "tool", tool_call_id: call.id, content: output });
    }
  }
  return res;
}
