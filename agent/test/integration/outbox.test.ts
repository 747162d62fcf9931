/**
 * An accepted job is always sent: SQS hanging (a black hole on loopback) gets a bounded 503 and
 * nothing half-done, and a job whose API died between recording it and sending it is sent by the
 * outbox relay of whichever agent process runs next (api or worker).
 */
import { strict as assert } from "node:assert";
import { AgentProcess, type AgentTargets, ProcessGroup } from "../../testkit/agent-process";
import { type Infra, startInfra } from "../../testkit/infra";
import { waitForStatus } from "../../testkit/jobs";
import { waitFor } from "../../testkit/net";
import { loopbackQueueUrl, type TestQueue } from "../../testkit/sqs";
import { TcpProxy } from "../../testkit/tcp-proxy";

/** Client-side guard on the 503: the documented bound (10 s) plus slack for a loaded machine. */
const ENQUEUE_ANSWER_GUARD_MS = 15_000;

describe("enqueue with SQS down, and the outbox relay (integration)", function () {
  this.timeout(120_000);
  let infra: Infra;
  let proxy: TcpProxy;
  const group = new ProcessGroup();
  const track = (p: AgentProcess): AgentProcess => group.track(p);

  before(async () => {
    infra = await startInfra();
    proxy = await TcpProxy.start(infra.sqs.port);
  });
  afterEach(async function () {
    await group.stopAll(this.currentTest?.state === "failed");
    proxy.blackHole = false;
    infra.llm.reset();
  });
  after(async () => {
    await proxy?.stop();
    await infra?.stop();
  });

  /** Targets whose SQS endpoint and queue URL go through the proxy (the SDK sends to the queue URL's host). */
  const viaProxy = (queue: TestQueue): AgentTargets => ({
    ...infra.targets(queue), sqsEndpoint: proxy.endpoint, queueUrl: loopbackQueueUrl(queue.url, proxy.port),
  });

  /** Takes SQS away: connections are accepted and never answered. */
  const hangSqs = (): void => {
    proxy.blackHole = true;
    proxy.dropConnections();
  };
  /** Gives SQS back. */
  const restoreSqs = (): void => {
    proxy.blackHole = false;
    proxy.dropConnections();
  };

  it("answers 503 with Retry-After while SQS hangs; once SQS is back the same Idempotency-Key completes once", async () => {
    const queue = await infra.sqs.createQueue();
    const api = track(await AgentProcess.start("api", viaProxy(queue)));
    hangSqs();
    const key = { "idempotency-key": "while-sqs-hangs" };
    const refused = await api.request("POST", "/v1/jobs", { input: "sent while SQS hangs" }, key, ENQUEUE_ANSWER_GUARD_MS);
    assert.equal(refused.status, 503);
    assert.match(String(refused.body.error), /queue/i);
    assert.match(refused.headers.get("retry-after") ?? "", /^\d+$/);
    assert.ok(proxy.swallowedBytes > 0, "the API never tried to reach SQS");

    restoreSqs();
    track(await AgentProcess.start("worker", infra.targets(queue)));
    const accepted = await api.request("POST", "/v1/jobs", { input: "sent while SQS hangs" }, key);
    assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
    const done = await waitForStatus(api, String(accepted.body.jobId), "succeeded", 30_000);
    assert.match(String((done.result as { output: string }).output), /sent while SQS hangs/);
    assert.equal(infra.llm.requestsMentioning("sent while SQS hangs").length, 1, "the job ran more than once");
  });

  for (const relayRole of ["api", "worker"] as const) {
    it(`sends a job left in the outbox by an API killed mid-enqueue (relay in the ${relayRole}); a retry returns that job`, async () => {
      const queue = await infra.sqs.createQueue();
      const input = `accepted, then the API died (${relayRole} relays)`;
      const key = { "idempotency-key": `crash-${relayRole}` };
      const first = track(await AgentProcess.start("api", viaProxy(queue)));
      hangSqs();
      const swallowed = proxy.swallowedBytes;
      const lost = first.request("POST", "/v1/jobs", { input }, key).catch(() => undefined);
      await waitFor("the enqueue to reach SQS", () => (proxy.swallowedBytes > swallowed ? true : undefined));
      first.kill("SIGKILL");
      await first.exited;
      await lost;
      restoreSqs();

      // Only the relay of the next process can send the job now: nobody retries the request yet.
      track(await AgentProcess.start(relayRole, relayRole === "api" ? viaProxy(queue) : infra.targets(queue)));
      if (relayRole === "api") {
        await waitFor("the relay to send the job", async () => ((await infra.sqs.counts(queue.url)).visible === 1 ? true : undefined), 40_000);
        track(await AgentProcess.start("worker", infra.targets(queue)));
      }
      await waitFor("the job to run", () => (infra.llm.requestsMentioning(input).length > 0 ? true : undefined), 40_000);

      const api = track(await AgentProcess.start("api", viaProxy(queue)));
      const retried = await api.request("POST", "/v1/jobs", { input }, key);
      assert.equal(retried.status, 202);
      const body = (await infra.sqs.peek(queue.dlqUrl)).map((m) => m.Body ?? "");
      assert.deepEqual(body, [], "nothing in the DLQ");
      await waitForStatus(api, String(retried.body.jobId), "succeeded", 30_000);
      assert.equal(infra.llm.requestsMentioning(input).length, 1, "the job ran more than once");
    });
  }
});
