/**
 * A fake OpenAI-compatible Chat Completions server for the platform's end-to-end test (deployed by the
 * local stack as the `fake-llm` workload; scripts/e2e-local drives it through the agents). Plain Node,
 * no dependencies; Node runs this file directly. It answers, from the last user message:
 * - `calc: <expression>` (when the request offers the `calculator` tool) → a call of that tool, then,
 *   once the tool's result comes back, `result: <tool output>`: the agent's tool path runs;
 * - anything else → `echo: <message> (history=<earlier user turns>[, first="<first user message>"])`,
 *   which shows whether the agent sent the session's context.
 * With FAKE_LLM_API_KEY set, a request without `Authorization: Bearer <that key>` gets 401.
 * Its `reply` twins `FakeLlm.reply` of agent/testkit/fake-llm.ts on purpose: built into its own image, apart from agent/.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { fileURLToPath } from "node:url";

/** A chat message as OpenAI's API carries it (only what the fake reads). */
export interface ChatMessage {
    role: string;
    content: string | null;
    tool_call_id?: string;
}

/** A Chat Completions request (only what the fake reads). */
export interface ChatRequest {
    model: string;
    messages: ChatMessage[];
    tools?: { type?: string; function?: { name?: string } }[];
}

/** Largest request body accepted, bytes. */
export const MAX_BODY_BYTES = 1_048_576;

/** The Chat Completions answer to a request, deterministic. */
export function reply(request: ChatRequest, id: string): object {
    const messages = request.messages;
    const last = messages[messages.length - 1];
    const users = messages.filter((m) => m.role === "user");
    const text = users[users.length - 1]?.content ?? "";
    const usage = { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 };
    const base = { id, object: "chat.completion", created: 0, model: request.model, usage };
    const answer = (content: string) => ({ ...base, choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content } }] });
    if (last?.role === "tool") return answer(`result: ${last.content ?? ""}`);
    const calc = /calc:\s*(.+)$/.exec(text);
    const offersCalculator = request.tools?.some((t) => t.function?.name === "calculator") ?? false;
    if (calc && offersCalculator) {
        return {
            ...base,
            choices: [{
                index: 0, finish_reason: "tool_calls",
                message: { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "calculator", arguments: JSON.stringify({ expression: calc[1] }) } }] },
            }],
        };
    }
    const earlier = users.length - 1;
    return answer(`echo: ${text} (history=${earlier}${earlier > 0 ? `, first=${JSON.stringify(users[0].content)}` : ""})`);
}

/** Whether a request may be answered: always without a key, else only with `Authorization: Bearer <key>`. */
export function authorized(headers: IncomingHttpHeaders, apiKey: string | undefined): boolean {
    return apiKey === undefined || apiKey === "" || headers.authorization === `Bearer ${apiKey}`;
}

/** Checks the shape of a parsed body; returns the request, or why it is not one. */
export function parseRequest(body: unknown): ChatRequest | string {
    if (typeof body !== "object" || body === null) return "the body must be a JSON object";
    const b = body as Partial<ChatRequest>;
    if (typeof b.model !== "string" || b.model === "") return "model must be a non-empty string";
    if (!Array.isArray(b.messages) || b.messages.length === 0) return "messages must be a non-empty list";
    if (b.messages.some((m) => typeof m !== "object" || m === null || typeof m.role !== "string")) return "every message needs a role";
    return b as ChatRequest;
}

/** The fake as an HTTP server (not listening yet); `log` gets one JSON line per request (never a body or a key). */
export function fakeLlmServer(apiKey: string | undefined, log: (line: string) => void = console.log): Server {
    let served = 0;
    return createServer((req, res) => {
        const send = (status: number, body: object) => {
            res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
            log(JSON.stringify({ method: req.method, path: req.url, status }));
        };
        const error = (status: number, message: string) => send(status, { error: { message } });
        if (req.method === "GET" && req.url === "/healthz") return send(200, { status: "ok" });
        if (req.method === "GET" && req.url === "/v1/models") return send(200, { object: "list", data: [{ id: "fake-model", object: "model", owned_by: "agent-platform" }] });
        if (req.method !== "POST" || req.url !== "/v1/chat/completions") return error(404, "not found");
        if (!authorized(req.headers, apiKey)) return error(401, "missing or wrong API key");
        const chunks: Buffer[] = [];
        let size = 0;
        req.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size <= MAX_BODY_BYTES) chunks.push(chunk);
        });
        req.on("end", () => {
            if (size > MAX_BODY_BYTES) return error(413, `the body is over ${MAX_BODY_BYTES} bytes`);
            let body: unknown;
            try {
                body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
            } catch {
                return error(400, "the body is not JSON");
            }
            const request = parseRequest(body);
            if (typeof request === "string") return error(400, request);
            served += 1;
            return send(200, reply(request, `chatcmpl-fake-${served}`));
        });
    });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
    const port = Number(process.env.PORT ?? "8080");
    const server = fakeLlmServer(process.env.FAKE_LLM_API_KEY);
    server.listen(port, "0.0.0.0", () => console.log(JSON.stringify({ listening: port, apiKeyRequired: Boolean(process.env.FAKE_LLM_API_KEY) })));
    process.on("SIGTERM", () => server.close(() => process.exit(0)));
}
