/**
 * `POST /v1/sessions/:sessionId/messages`: one exchange with the agent, in the session's context.
 * The session's lease is held from reading the history to appending the exchange, so concurrent
 * messages to one session run one after another (see `store/sessions.ts`).
 */
import { randomUUID } from "node:crypto";
import { runAgent } from "../agent/loop";
import { LlmError } from "../llm/client";
import { SessionBusyError, type Turn } from "../store/sessions";
import { retryLater } from "./errors";
import type { Api, ApiDeps } from "./server";
import { chatSchema } from "./schemas";

/** Lease time beyond the chat deadline, so a lease never lapses while its request may still append. */
const LEASE_MARGIN_MS = 5000;

/** Maps an LLM failure to an HTTP status: 504 when out of time, else 502. Pure. */
export function llmErrorStatus(err: LlmError): number {
  return err.kind === "deadline" || err.kind === "timeout" ? 504 : 502;
}

/** Registers the chat route. */
export function registerChat(app: Api, deps: ApiDeps): void {
  app.post("/v1/sessions/:sessionId/messages", { schema: chatSchema }, async (req, reply) => {
    const { sessionId } = req.params;
    const { message } = req.body;
    const abort = new AbortController();
    // The response closing before it finished means the client went away: stop the LLM work.
    reply.raw.on("close", () => {
      if (!reply.raw.writableFinished) abort.abort(new Error("client went away"));
    });
    const deadlineMs = Date.now() + deps.chatMaxDurationMs;
    const owner = randomUUID();
    let history: Turn[];
    try {
      history = await deps.sessions.acquire(sessionId, owner, deps.chatMaxDurationMs + LEASE_MARGIN_MS, deadlineMs, abort.signal);
    } catch (err) {
      if (err instanceof SessionBusyError) return retryLater(reply, 409, err.message, 1);
      req.log.warn({ err }, "session read failed");
      return retryLater(reply, 503, "context store unavailable, retry later", 1);
    }
    try {
      const result = await runAgent({
        llm: deps.llm, tools: deps.tools, providerName: deps.providerName, history, input: message,
        conversationId: sessionId, deadlineMs, signal: abort.signal, maxToolRounds: deps.maxToolRounds,
      });
      if (!(await deps.sessions.append(sessionId, owner, message, result.output))) {
        return retryLater(reply, 503, "the exchange could not be stored in the session, retry", 1);
      }
      return { reply: result.output };
    } catch (err) {
      await deps.sessions.release(sessionId, owner).catch(() => undefined);
      if (err instanceof LlmError) {
        req.log.warn({ kind: err.kind, status: err.status }, "LLM call failed");
        return reply.code(llmErrorStatus(err)).send({ error: `model unavailable: ${err.message}` });
      }
      req.log.warn({ err }, "chat failed");
      return retryLater(reply, 503, "context store unavailable, retry later", 1);
    }
  });
}
