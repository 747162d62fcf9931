/**
 * A fake OpenAI-compatible `/v1/chat/completions` server on loopback that can inject faults.
 *
 * Default behaviour, driven by the last user message:
 * - `calc: <expr>` → asks for the `calculator` tool, then answers `result: <tool output>`;
 * - contains `POISON` → always HTTP 500;
 * - contains `SLOW` → answers after `slowMs`;
 * - otherwise → `echo: <message> (history=<number of earlier user turns>)`.
 * Scripted faults (`failNext`, `hangNext`) apply first, in order, to any request.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

interface Fault {
  kind: "status" | "hang" | "reset";
  status?: number;
  headers?: Record<string, string>;
}

/** One request as received. */
export interface RecordedRequest {
  /** `performance.now()` when it arrived. */
  at: number;
  headers: IncomingHttpHeaders;
  body: { model: string; messages: Array<{ role: string; content: string | null; tool_call_id?: string }>; tools?: unknown[] };
}

/** The fake server. */
export class FakeLlm {
  readonly requests: RecordedRequest[] = [];
  private readonly faults: Fault[] = [];
  slowMs = 1500;
  private active = 0;
  maxActive = 0;
  /** Awaited before a request is answered, with its last user message (tests use it to act at that moment). */
  beforeReply: ((lastUserMessage: string) => Promise<void>) | undefined;
  private readonly hung = new Set<() => void>();

  private constructor(private readonly server: Server) {}

  /** Starts on a random 127.0.0.1 port. */
  static async start(): Promise<FakeLlm> {
    const server = createServer((req, res) => {
      void self.handle(req, res);
    });
    // The request handler above runs only after `self` is initialised (the server is not listening yet).
    const self = new FakeLlm(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    return self;
  }

  /** Base URL (`http://127.0.0.1:<port>/v1`). */
  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  /** The next `n` requests get HTTP `status` (with optional headers such as Retry-After). */
  failNext(n: number, status: number, headers: Record<string, string> = {}): void {
    for (let i = 0; i < n; i++) this.faults.push({ kind: "status", status, headers });
  }

  /** The next `n` requests never get an answer (client timeouts). */
  hangNext(n: number): void {
    for (let i = 0; i < n; i++) this.faults.push({ kind: "hang" });
  }

  /** The next `n` requests have their connection destroyed (network errors). */
  resetNext(n: number): void {
    for (let i = 0; i < n; i++) this.faults.push({ kind: "reset" });
  }

  /** Requests whose messages mention `text`. */
  requestsMentioning(text: string): RecordedRequest[] {
    return this.requests.filter((r) => r.body.messages.some((m) => typeof m.content === "string" && m.content.includes(text)));
  }

  /** Clears recorded requests and pending faults. */
  reset(): void {
    this.requests.length = 0;
    this.faults.length = 0;
    this.maxActive = 0;
    this.beforeReply = undefined;
  }

  private async handle(req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
      res.writeHead(404).end();
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString()) as RecordedRequest["body"];
    this.requests.push({ at: performance.now(), headers: req.headers, body });
    const fault = this.faults.shift();
    if (fault?.kind === "status") {
      res.writeHead(fault.status ?? 500, { "content-type": "application/json", ...fault.headers });
      res.end(JSON.stringify({ error: { message: "injected fault" } }));
      return;
    }
    if (fault?.kind === "hang") {
      await new Promise<void>((resolve) => {
        this.hung.add(resolve);
        req.socket.once("close", resolve);
      });
      return;
    }
    if (fault?.kind === "reset") {
      req.socket.destroy();
      return;
    }
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      const lastUser = [...body.messages].reverse().find((m) => m.role === "user");
      await this.beforeReply?.(lastUser?.content ?? "");
      const reply = await this.reply(body);
      if (reply === undefined) {
        res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "poison" } }));
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(reply));
    } finally {
      this.active--;
    }
  }

  private async reply(body: RecordedRequest["body"]): Promise<object | undefined> {
    const msgs = body.messages;
    const last = msgs[msgs.length - 1];
    const lastUser = [...msgs].reverse().find((m) => m.role === "user");
    const text = lastUser?.content ?? "";
    if (text.includes("POISON")) return undefined;
    if (text.includes("SLOW")) await new Promise((r) => setTimeout(r, this.slowMs));
    const usage = { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 };
    const base = { id: `chatcmpl-${this.requests.length}`, object: "chat.completion", created: 0, model: `${body.model}-served`, usage };
    if (last?.role === "tool") {
      return { ...base, choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: `result: ${last.content ?? ""}` } }] };
    }
    const calc = /calc:\s*(.+)$/.exec(text);
    if (calc?.[1] !== undefined && body.tools !== undefined) {
      return {
        ...base,
        choices: [{
          index: 0, finish_reason: "tool_calls",
          message: {
            role: "assistant", content: null,
            tool_calls: [{ id: "call_1", type: "function", function: { name: "calculator", arguments: JSON.stringify({ expression: calc[1] }) } }],
          },
        }],
      };
    }
    const earlierUsers = msgs.filter((m) => m.role === "user").length - 1;
    return { ...base, choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: `echo: ${text} (history=${earlierUsers})` } }] };
  }

  /** Stops the server, releasing hung requests. */
  async stop(): Promise<void> {
    for (const r of this.hung) r();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
