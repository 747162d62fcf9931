/**
 * The LLM client (the openai SDK with our policy) against the fake OpenAI-compatible server:
 * retries, Retry-After, per-attempt timeouts, the overall deadline, aborts.
 */
import { strict as assert } from "node:assert";
import { LlmClient, type LlmClientOptions, LlmError } from "../../src/llm/client";
import { FakeLlm } from "../../testkit/fake-llm";
import { freePort } from "../../testkit/net";

describe("LLM client", function () {
  this.timeout(20_000);
  let llm: FakeLlm;

  const client = (over: Partial<LlmClientOptions> = {}): LlmClient =>
    new LlmClient({ baseUrl: llm.baseUrl, model: "m", apiKey: "k", providerName: "openai", timeoutMs: 2000, maxAttempts: 4, ...over });
  const ask = (c: LlmClient, deadlineMs = Date.now() + 10_000, signal?: AbortSignal) =>
    c.chat({ messages: [{ role: "user", content: "hi" }], deadlineMs, signal });
  const failsWith = (check: (e: LlmError) => boolean) => (e: unknown) => e instanceof LlmError && check(e);
  /** Immediate retries: `retry-after-ms: 0` (the SDK honours it). */
  const now = { "retry-after-ms": "0" };

  before(async () => {
    llm = await FakeLlm.start();
  });
  beforeEach(() => llm.reset());
  after(async () => {
    await llm.stop();
  });

  it("returns the completion and sends model, messages and the bearer key", async () => {
    const r = await ask(client());
    assert.equal(r.completion.choices[0]?.message.content, "echo: hi (history=0)");
    assert.equal(llm.requests.length, 1);
    assert.equal(llm.requests[0]?.body.model, "m");
    assert.equal(llm.requests[0]?.headers.authorization, "Bearer k");
  });

  it("sends no Authorization header without a key (vLLM, Ollama)", async () => {
    await ask(client({ apiKey: undefined }));
    assert.equal(llm.requests[0]?.headers.authorization, undefined);
  });

  it("retries 500 and 503 with backoff", async () => {
    llm.failNext(1, 500);
    llm.failNext(1, 503);
    await ask(client());
    assert.equal(llm.requests.length, 3);
  });

  it("waits as long as Retry-After asks on 429", async () => {
    llm.failNext(1, 429, { "retry-after": "1" });
    await ask(client());
    const [first, second] = llm.requests;
    assert.ok(first !== undefined && second !== undefined);
    assert.ok(second.at - first.at >= 1000, `retried after ${Math.round(second.at - first.at)} ms`);
  });

  it("does not retry a 400", async () => {
    llm.failNext(1, 400);
    await assert.rejects(ask(client()), failsWith((e) => e.kind === "http" && e.status === 400));
    assert.equal(llm.requests.length, 1);
  });

  it("gives up after LLM_MAX_ATTEMPTS attempts", async () => {
    llm.failNext(10, 502, now);
    await assert.rejects(ask(client({ maxAttempts: 3 })), failsWith((e) => e.status === 502));
    assert.equal(llm.requests.length, 3);
  });

  it("times out a hanging attempt and retries it", async () => {
    llm.hangNext(1);
    const r = await ask(client({ timeoutMs: 300 }));
    assert.match(r.completion.choices[0]?.message.content ?? "", /echo/);
    assert.equal(llm.requests.length, 2);
  });

  it("retries connection resets", async () => {
    llm.resetNext(2);
    await ask(client());
    assert.equal(llm.requests.length, 3);
  });

  it("fails as a network error when the endpoint refuses connections", async () => {
    const closed = `http://127.0.0.1:${await freePort()}/v1`;
    await assert.rejects(ask(client({ baseUrl: closed, maxAttempts: 2 })), failsWith((e) => e.kind === "network"));
  });

  it("cuts a call at the overall deadline, also while waiting out a Retry-After", async () => {
    llm.hangNext(1);
    await assert.rejects(ask(client({ timeoutMs: 5000 }), Date.now() + 300), failsWith((e) => e.kind === "deadline"));
    llm.failNext(1, 429, { "retry-after": "30" });
    await assert.rejects(ask(client(), Date.now() + 500), failsWith((e) => e.kind === "deadline"));
    assert.equal(llm.requests.length, 2, "a retry was sent after the deadline");
  });

  it("stops when the caller aborts", async () => {
    llm.hangNext(1);
    const ac = new AbortController();
    const pending = ask(client({ timeoutMs: 5000 }), Date.now() + 10_000, ac.signal);
    ac.abort(new Error("shutdown"));
    await assert.rejects(pending, failsWith((e) => e.kind === "aborted"));
  });
});
