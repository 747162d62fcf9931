/**
 * Traces: one job's spans, exported over OTLP/HTTP by both processes, form one trace linking
 * API → SQS → worker → LLM → tool, with the GenAI semantic-convention attributes.
 */
import { strict as assert } from "node:assert";
import { AgentProcess } from "../../testkit/agent-process";
import { type Infra, startInfra } from "../../testkit/infra";
import { submitJob, waitForStatus } from "../../testkit/jobs";
import { waitFor } from "../../testkit/net";
import type { RecordedSpan } from "../../testkit/otlp";
import type { TestQueue } from "../../testkit/sqs";

const KIND = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };

describe("tracing (integration)", function () {
  this.timeout(60_000);
  let infra: Infra;
  let queue: TestQueue;
  let api: AgentProcess;
  let worker: AgentProcess;

  before(async () => {
    infra = await startInfra();
    queue = await infra.sqs.createQueue();
    const attrs = { OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=test,team=platform" };
    [api, worker] = await Promise.all([
      AgentProcess.start("api", infra.targets(queue, true), attrs),
      AgentProcess.start("worker", infra.targets(queue, true), attrs),
    ]);
  });
  after(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
    await infra?.stop();
  });

  /** The ancestors of `span` within its trace, nearest first. */
  function ancestors(span: RecordedSpan, spans: RecordedSpan[]): RecordedSpan[] {
    const byId = new Map(spans.filter((s) => s.traceId === span.traceId).map((s) => [s.spanId, s]));
    const out: RecordedSpan[] = [];
    for (let cur = byId.get(span.parentSpanId); cur !== undefined && out.length < 50; cur = byId.get(cur.parentSpanId)) out.push(cur);
    return out;
  }

  it("links API → worker → LLM → tool in one trace with GenAI attributes", async () => {
    const jobId = await submitJob(api, "calc: 6 * 7");
    await waitForStatus(api, jobId, "succeeded");
    const spans = infra.otlp.spans;
    // Spans arrive in batches from two processes: wait until the worker's side of the trace is complete.
    const { tool, trace, process } = await waitFor("the worker's spans of the job", () => {
      const t = spans.find((s) => s.name === "execute_tool calculator" && s.attributes["gen_ai.tool.call.id"] === "call_1");
      if (t === undefined) return undefined;
      const tr = spans.filter((s) => s.traceId === t.traceId);
      const p = tr.find((s) => s.name === `process ${queue.name}`);
      const done = p !== undefined && tr.some((s) => s.name === "invoke_agent") && tr.filter((s) => s.name === "chat test-model").length === 2;
      return done ? { tool: t, trace: tr, process: p } : undefined;
    });
    assert.equal(process.service, "agent-worker");
    assert.equal(process.kind, KIND.consumer);
    assert.equal(process.attributes["agent.job.id"], jobId);
    assert.equal(typeof process.attributes["agent.job.queue_time_ms"], "number");
    assert.equal(process.attributes["messaging.system"], "aws_sqs");

    const upstream = await waitFor("the API spans", () => {
      const a = ancestors(process, infra.otlp.spans);
      return a.some((s) => s.kind === KIND.server) ? a : undefined;
    });
    const send = upstream.find((s) => s.name === `send ${queue.name}`);
    assert.ok(send, "the worker's span does not descend from the API's send span");
    assert.equal(send.service, "agent-api");
    assert.equal(send.kind, KIND.producer);
    const http = upstream.find((s) => s.kind === KIND.server);
    assert.equal(http?.service, "agent-api");
    assert.equal(http?.attributes["http.request.method"] ?? http?.attributes["http.method"], "POST");

    const agent = trace.find((s) => s.name === "invoke_agent");
    assert.ok(agent, "no invoke_agent span");
    assert.equal(agent.parentSpanId, process.spanId);
    assert.equal(agent.attributes["gen_ai.operation.name"], "invoke_agent");
    assert.equal(agent.attributes["gen_ai.provider.name"], "openai");
    assert.equal(agent.attributes["gen_ai.request.model"], "test-model");
    assert.equal(agent.attributes["gen_ai.conversation.id"], jobId);
    assert.equal(agent.attributes["gen_ai.usage.input_tokens"], 22);

    const chats = trace.filter((s) => s.name === "chat test-model");
    assert.equal(chats.length, 2, "expected a tool-call round and a final answer");
    for (const c of chats) {
      assert.equal(c.parentSpanId, agent.spanId);
      assert.equal(c.kind, KIND.client);
      assert.equal(c.attributes["gen_ai.operation.name"], "chat");
      assert.equal(c.attributes["gen_ai.provider.name"], "openai");
      assert.equal(c.attributes["gen_ai.request.model"], "test-model");
      assert.equal(c.attributes["gen_ai.response.model"], "test-model-served");
      assert.equal(c.attributes["gen_ai.usage.input_tokens"], 11);
      assert.equal(c.attributes["gen_ai.usage.output_tokens"], 7);
      assert.equal(c.attributes["gen_ai.conversation.id"], jobId);
      assert.equal(c.attributes["server.address"], "127.0.0.1");
      assert.equal(c.attributes["agent.llm.attempts"], 1);
    }
    assert.deepEqual(chats.map((c) => c.attributes["gen_ai.response.finish_reasons"]).sort(), [["stop"], ["tool_calls"]]);

    assert.equal(tool.parentSpanId, agent.spanId);
    assert.equal(tool.attributes["gen_ai.operation.name"], "execute_tool");
    assert.equal(tool.attributes["gen_ai.tool.name"], "calculator");
    assert.equal(tool.service, "agent-worker");
  });

  it("records HTTP (fetch), Redis and AWS SDK spans through auto-instrumentation", async () => {
    const spans = infra.otlp.spans;
    const chat = spans.find((s) => s.name === "chat test-model");
    assert.ok(chat);
    const fetchSpan = await waitFor("an HTTP client span under chat", () => spans.find((s) => s.parentSpanId === chat.spanId && s.kind === KIND.client));
    assert.match(String(fetchSpan.attributes["url.full"]), /\/v1\/chat\/completions$/);
    assert.ok(spans.some((s) => s.attributes["db.system"] === "redis" || s.attributes["db.system.name"] === "redis"), "no Redis span");
    assert.ok(spans.some((s) => s.attributes["rpc.system"] === "aws-api" && s.attributes["rpc.service"] === "SQS"), "no AWS SDK span");
  });

  it("traces chat requests with the session as the conversation id and the resource attributes", async () => {
    const res = await api.request("POST", "/v1/sessions/trace-me/messages", { message: "hello" });
    assert.equal(res.status, 200);
    const agent = await waitFor("the chat's invoke_agent span", () =>
      infra.otlp.spans.find((s) => s.name === "invoke_agent" && s.attributes["gen_ai.conversation.id"] === "trace-me"));
    assert.equal(agent.service, "agent-api");
    assert.equal(agent.resource["deployment.environment"], "test");
    assert.equal(agent.resource["team"], "platform");
    assert.equal(agent.resource["agent.role"], "api");
    const parent = infra.otlp.spans.find((s) => s.spanId === agent.parentSpanId);
    assert.equal(parent?.kind, KIND.server);
  });

  it("counts the SDK's attempts of an LLM call on its chat span", async () => {
    infra.llm.failNext(1, 503, { "retry-after-ms": "0" });
    const res = await api.request("POST", "/v1/sessions/retried/messages", { message: "once more" });
    assert.equal(res.status, 200);
    const chat = await waitFor("the retried chat span", () =>
      infra.otlp.spans.find((s) => s.name === "chat test-model" && s.attributes["gen_ai.conversation.id"] === "retried"));
    assert.equal(chat.attributes["agent.llm.attempts"], 2);
  });
});
