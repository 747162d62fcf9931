/** The LLM client against the fake OpenAI-compatible server: retries, Retry-After, timeouts, deadline. */
import { strict as assert } from "node:assert";
import { LlmClient } from "../../src/llm/client";
import { LlmError } from "../../src/llm/types";
import { FakeLlm } from "../../testkit/fake-llm";
import { freePort } from "../../testkit/net";

describe("LLM client", function () {
  this.timeout(20_000);
  let llm: FakeLlm;
  let waits: number[];

  const client = (over: Partial<ConstructorParameters<typeof LlmClient>[0]> = {}): LlmClient =>
    new LlmClient({
      baseUrl: llm.baseUrl, model: "m", apiKey: "k", providerName: "openai", timeoutMs: 500, maxAttempts: 4,
      retryBaseMs: 100, retryMaxMs: 1000, random: () => 0.5,
      sleep: async (ms) => {
        waits.push(ms);
      },
      ...over,
    });
  const ask = (c: LlmClient, deadlineMs = Date.now() + 10_000) =>
    c.chat({ messages: [{ role: "user", content: "hi" }], deadlineMs });

  before(async () => {
    llm = await FakeLlm.start();
  });
  beforeEach(() => {
    llm.reset();
    waits = [];
  });
  after(async () => {
    await llm.stop();
  });

  it("returns the completion and sends model, messages and the bearer key", async () => {
    const r = await ask(client());
    assert.equal(r.completion.choices[0]?.message.content, "echo: hi (history=0)");
    assert.equal(r.attempts, 1);
    assert.equal(llm.requests[0]?.body.model, "m");
    assert.equal(llm.requests[0]?.headers.authorization, "Bearer k");
  });

  it("sends no Authorization header without a key (vLLM, Ollama)", async () => {
    await ask(client({ apiKey: undefined }));
    assert.equal(llm.requests[0]?.headers.authorization, undefined);
  });

  it("retries 500 and 503 with full-jitter backoff", async () => {
    llm.failNext(1, 500);
    llm.failNext(1, 503);
    const r = await ask(client());
    assert.equal(r.attempts, 3);
    assert.deepEqual(waits, [50, 100]);
  });

  it("honours Retry-After on 429", async () => {
    llm.failNext(1, 429, { "retry-after": "2" });
    const r = await ask(client());
    assert.equal(r.attempts, 2);
    assert.deepEqual(waits, [2000]);
  });

  it("does not retry a 400", async () => {
    llm.failNext(1, 400);
    await assert.rejects(ask(client()), (e: unknown) => e instanceof LlmError && e.status === 400 && e.attempts === 1);
    assert.equal(llm.requests.length, 1);
  });

  it("gives up after the capped number of attempts", async () => {
    llm.failNext(10, 502);
    await assert.rejects(ask(client({ maxAttempts: 3 })), (e: unknown) => e instanceof LlmError && e.status === 502 && e.attempts === 3);
    assert.equal(llm.requests.length, 3);
  });

  it("times out a hanging call and retries it", async () => {
    llm.hangNext(1);
    const r = await ask(client({ timeoutMs: 300 }));
    assert.equal(r.attempts, 2);
    assert.equal(llm.requests.length, 2);
  });

  it("retries connection resets", async () => {
    llm.resetNext(2);
    const r = await ask(client());
    assert.equal(r.attempts, 3);
  });

  it("retries connection refusals, then fails as a network error", async () => {
    const closed = `http://127.0.0.1:${await freePort()}/v1`;
    await assert.rejects(ask(client({ baseUrl: closed, maxAttempts: 2 })), (e: unknown) => e instanceof LlmError && e.kind === "network" && e.attempts === 2);
  });

  it("does not start a wait that would end after the overall deadline", async () => {
    llm.failNext(1, 429, { "retry-after": "30" });
    await assert.rejects(ask(client(), Date.now() + 2000), (e: unknown) => e instanceof LlmError && e.status === 429 && e.attempts === 1);
    assert.deepEqual(waits, []);
  });

  it("cuts a call at the overall deadline", async () => {
    llm.hangNext(1);
    await assert.rejects(ask(client({ timeoutMs: 5000 }), Date.now() + 300), (e: unknown) => e instanceof LlmError && e.kind === "deadline");
  });

  it("stops when the caller aborts", async () => {
    llm.hangNext(1);
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error("shutdown")), 100);
    await assert.rejects(
      client({ timeoutMs: 5000 }).chat({ messages: [{ role: "user", content: "x" }], deadlineMs: Date.now() + 10_000, signal: ac.signal }),
      (e: unknown) => e instanceof LlmError && e.kind === "aborted",
    );
  });
});
