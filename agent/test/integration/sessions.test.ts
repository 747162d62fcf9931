/**
 * Session history is written exactly once and in order: concurrent messages to one session (chat
 * or jobs) are serialised, each exchange is appended once, and a worker killed between the LLM
 * answer and the job's completion leaves no trace in the history.
 */
import { strict as assert } from "node:assert";
import { Redis } from "ioredis";
import { AgentProcess, ProcessGroup } from "../../testkit/agent-process";
import type { RecordedRequest } from "../../testkit/fake-llm";
import { type Infra, startInfra } from "../../testkit/infra";
import { waitForStatus } from "../../testkit/jobs";
import { waitFor } from "../../testkit/net";
import type { TestQueue } from "../../testkit/sqs";

/** Earlier exchanges a fake-LLM reply says it saw: `echo: <message> (history=<n>)`. */
function historySeen(reply: unknown): number {
  const m = /\(history=(\d+)\)$/.exec(String(reply));
  assert.ok(m, `not an echo reply: ${String(reply)}`);
  return Number(m[1]);
}

/** The user/assistant turns the model was sent before the last user message. */
function turnsSent(req: RecordedRequest | undefined): Array<{ role: string; content: string | null }> {
  assert.ok(req, "no LLM request");
  return req.body.messages.filter((m) => m.role === "user" || m.role === "assistant").slice(0, -1);
}

describe("session history (integration)", function () {
  this.timeout(120_000);
  let infra: Infra;
  let queue: TestQueue;
  let api: AgentProcess;
  let admin: Redis;
  const group = new ProcessGroup();
  const track = (p: AgentProcess): AgentProcess => group.track(p);

  before(async () => {
    infra = await startInfra();
    queue = await infra.sqs.createQueue({ visibilityTimeout: 6, maxReceiveCount: 5 });
    api = await AgentProcess.start("api", infra.targets(queue));
    admin = new Redis(infra.redis.url);
  });
  afterEach(async function () {
    await group.stopAll(this.currentTest?.state === "failed", [api]);
    infra.llm.reset();
  });
  after(async () => {
    admin?.disconnect();
    await api?.stop();
    await infra?.stop();
  });

  /** Sends one more chat message and returns the turns the model saw (the whole stored history). */
  async function storedHistory(sessionId: string): Promise<Array<{ role: string; content: string | null }>> {
    const res = await api.request("POST", `/v1/sessions/${sessionId}/messages`, { message: "what came before?" });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return turnsSent(infra.llm.requestsMentioning("what came before?").at(-1));
  }

  /** Checks that `messages` each appear exactly once as a user turn followed by its own reply. */
  function assertEachExchangeOnce(turns: Array<{ role: string; content: string | null }>, messages: string[]): void {
    assert.equal(turns.length, messages.length * 2, `expected ${messages.length} exchanges, got ${JSON.stringify(turns)}`);
    for (let i = 0; i < turns.length; i += 2) {
      assert.equal(turns[i]?.role, "user");
      assert.equal(turns[i + 1]?.role, "assistant");
      assert.equal(turns[i + 1]?.content, `echo: ${turns[i]?.content} (history=${i / 2})`, "an exchange out of order or not its own reply");
    }
    assert.deepEqual(turns.filter((t) => t.role === "user").map((t) => t.content).sort(), [...messages].sort());
  }

  it("serialises 10 concurrent chat messages to one session: each exchange once, each seeing all earlier ones", async () => {
    infra.llm.slowMs = 100;
    const messages = Array.from({ length: 10 }, (_, i) => `SLOW chat ${i}`);
    const replies = await Promise.all(messages.map((message) => api.request("POST", "/v1/sessions/ten-chats/messages", { message })));
    for (const r of replies) assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(replies.map((r) => historySeen(r.body.reply)).sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assertEachExchangeOnce(await storedHistory("ten-chats"), messages);
  });

  it("serialises 10 concurrent jobs of one session across worker slots: each exchange once", async () => {
    infra.llm.slowMs = 100;
    track(await AgentProcess.start("worker", infra.targets(queue), { WORKER_CONCURRENCY: "4" }));
    const inputs = Array.from({ length: 10 }, (_, i) => `SLOW job ${i}`);
    const accepted = await Promise.all(inputs.map((input) => api.request("POST", "/v1/jobs", { input, sessionId: "ten-jobs" })));
    for (const a of accepted) assert.equal(a.status, 202, JSON.stringify(a.body));
    const done = await Promise.all(accepted.map((a) => waitForStatus(api, String(a.body.jobId), "succeeded", 60_000)));
    assert.deepEqual(done.map((d) => historySeen((d.result as { output: string }).output)).sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assertEachExchangeOnce(await storedHistory("ten-jobs"), inputs);
  });

  it("appends a job's exchange once when its worker is killed between the LLM answer and the completion", async () => {
    // The first worker authenticates as its own Redis user; when the model answers, that user
    // loses the right to run scripts, so the completion cannot happen; then the worker is killed.
    await admin.call("ACL", "SETUSER", "doomed-worker", "reset", "on", ">doomed-pw", "~*", "&*", "+@all");
    await admin.call("ACL", "LOG", "RESET");
    const doomedUrl = infra.redis.url.replace("redis://", "redis://doomed-worker:doomed-pw@");
    const doomed = track(await AgentProcess.start("worker", { ...infra.targets(queue), redisUrl: doomedUrl }));
    infra.llm.beforeReply = async (text) => {
      if (text.includes("KILL-ME")) await admin.call("ACL", "SETUSER", "doomed-worker", "-@scripting");
    };
    const res = await api.request("POST", "/v1/jobs", { input: "KILL-ME before completing", sessionId: "killed-job" });
    assert.equal(res.status, 202);
    await waitFor("the completion to be refused", async () => {
      const log = (await admin.call("ACL", "LOG")) as unknown[][];
      return log.some((entry) => entry.includes("doomed-worker")) ? true : undefined;
    });
    doomed.kill("SIGKILL");
    await doomed.exited;
    infra.llm.beforeReply = undefined;

    track(await AgentProcess.start("worker", infra.targets(queue)));
    await waitForStatus(api, String(res.body.jobId), "succeeded", 30_000);
    const turns = await storedHistory("killed-job");
    assert.deepEqual(turns.map((t) => t.content), ["KILL-ME before completing", "echo: KILL-ME before completing (history=0)"]);
  });
});
