/**
 * The heartbeat of a job stops (and its tick in flight finishes) before the job is released for a
 * retry: a late tick must never reset the message visibility the retry delay just set.
 */
import { strict as assert } from "node:assert";
import type { Message } from "@aws-sdk/client-sqs";
import { pino } from "pino";
import { processMessage, type ProcessDeps } from "../../src/worker/process";

describe("worker heartbeat", () => {
  it("stops before a failed job is released and its message delayed", async () => {
    const calls: string[] = [];
    let heartbeatStarted: () => void = () => undefined;
    const firstHeartbeat = new Promise<void>((r) => (heartbeatStarted = r));
    const later = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const claimed = { kind: "claimed", attempts: 1 };
    // Fakes with the latency of real calls: a heartbeat round trip outlasts nothing, a release takes longer.
    const jobs = {
      claim: async () => claimed,
      heartbeat: async () => {
        calls.push("heartbeat");
        heartbeatStarted();
        await later(20);
        return true;
      },
      release: async () => {
        calls.push("release");
        await later(60);
        return true;
      },
      fail: async () => true,
      complete: async () => true,
    };
    const llm = {
      model: "m",
      chat: async () => {
        await firstHeartbeat;
        throw new Error("transient model failure");
      },
    };
    const deps = {
      workerId: "w", jobs, sessions: { history: async () => [], append: async () => undefined },
      queue: {
        name: "q",
        changeVisibility: async (_receipt: string, seconds: number) => void calls.push(`visibility ${seconds}`),
        delete: async () => void calls.push("delete"),
      },
      llm, tools: { specs: () => [], execute: () => ({ ok: true, output: "" }) },
      logger: pino({ level: "silent" }), providerName: "openai", maxToolRounds: 1, jobMaxDurationMs: 10_000,
      retryDelaySeconds: 7, maxReceiveCount: 5, timings: { leaseMs: 30_000, heartbeatMs: 5, visibilityTimeoutSeconds: 30 },
      shutdownSignal: new AbortController().signal,
    } as unknown as ProcessDeps;
    const message: Message = {
      MessageId: "m1", ReceiptHandle: "r1", Body: JSON.stringify({ jobId: "00000000-0000-4000-8000-000000000000", input: "x", enqueuedAt: Date.now() }),
      Attributes: { ApproximateReceiveCount: "1" },
    };

    assert.equal(await processMessage(deps, message), "retry");
    const released = calls.indexOf("release");
    assert.ok(released > 0, `no release: ${calls.join(", ")}`);
    const after = calls.slice(released + 1);
    assert.deepEqual(after, ["visibility 7"], `heartbeat activity after the release: ${calls.join(", ")}`);
  });
});
