/**
 * `npm run bench`: performance of the agent on loopback only.
 *
 * 1. Idle RSS of the compiled `api` and `worker` processes.
 * 2. Enqueue latency (POST /v1/jobs → 202) at a fixed request rate, p50/p99, next to the raw cost
 *    of what the handler does underneath — a Redis job-record write (SET) plus an SQS SendMessage —
 *    measured from this process at the same rate in the same run.
 * 3. Worker overhead per job excluding the LLM (claim → result stored, minus time in LLM calls,
 *    against an instant fake LLM), and drain throughput.
 * 4. Peak RSS of both processes.
 * Every loop is bounded in count and time. Tune with BENCH_RATE, BENCH_REQUESTS, BENCH_CONCURRENCY.
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { Redis } from "ioredis";
import { AgentProcess } from "../testkit/agent-process";
import { FakeLlm } from "../testkit/fake-llm";
import { delay, waitFor } from "../testkit/net";
import { TestRedis } from "../testkit/redis-server";
import { TestSqs } from "../testkit/sqs";
import { fixedRate, mean, ms, quantile, rssMiB } from "./stats";

const RATE = Number(process.env.BENCH_RATE ?? 200);
const REQUESTS = Math.min(20_000, Number(process.env.BENCH_REQUESTS ?? 2000));
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const TIME_LIMIT_MS = Math.ceil((REQUESTS / RATE) * 1000 * 3) + 10_000;
const MAX_IN_FLIGHT = 256;

function line(label: string, value: string): void {
  process.stdout.write(`${label.padEnd(54)} ${value}\n`);
}

async function main(): Promise<void> {
  process.stdout.write(`building dist/ ...\n`);
  execFileSync(process.execPath, [join(__dirname, "..", "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"], {
    cwd: join(__dirname, ".."), stdio: "inherit",
  });
  const redisServer = await TestRedis.start();
  const sqs = await TestSqs.start();
  const llm = await FakeLlm.start();
  const redis = new Redis(redisServer.url);
  const procs: AgentProcess[] = [];
  try {
    const jobsQueue = await sqs.createQueue({ visibilityTimeout: 60, maxReceiveCount: 5, prefix: "bench" });
    const rawQueue = await sqs.createQueue({ visibilityTimeout: 60, prefix: "raw" });
    const idleQueue = await sqs.createQueue({ visibilityTimeout: 60, prefix: "idle" });
    const targets = (q: { url: string }) => ({ redisUrl: redisServer.url, queueUrl: q.url, sqsEndpoint: sqs.endpoint, llmBaseUrl: llm.baseUrl });
    const quiet = { LOG_LEVEL: "warn", JOB_MAX_DURATION_SECONDS: "30", SQS_WAIT_TIME_SECONDS: "1" };

    const api = await AgentProcess.start("api", targets(jobsQueue), quiet, true);
    procs.push(api);
    const idleWorker = await AgentProcess.start("worker", targets(idleQueue), quiet, true);
    procs.push(idleWorker);
    await delay(1000);
    const apiIdle = rssMiB(api.pid);
    const workerIdle = rssMiB(idleWorker.pid);
    await idleWorker.stop();

    // Warm up both paths (connections, JIT) outside the measurement.
    for (let i = 0; i < 50; i++) await api.request("POST", "/v1/jobs", { input: `warm-up ${i}` });
    for (let i = 0; i < 50; i++) {
      await redis.set(`bench:warm:${i}`, "x", "EX", 60);
      await sqs.client.send(new SendMessageCommand({ QueueUrl: rawQueue.url, MessageBody: "warm" }));
    }

    const enqueue = await fixedRate(REQUESTS, RATE, MAX_IN_FLIGHT, TIME_LIMIT_MS, async (i) => {
      const res = await fetch(`http://127.0.0.1:${api.port}/v1/jobs`, {
        method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({ input: `bench job ${i}` }), signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      if (res.status !== 202) throw new Error(`status ${res.status}`);
    });
    const apiAfterLoad = rssMiB(api.pid);

    const raw = await fixedRate(REQUESTS, RATE, MAX_IN_FLIGHT, TIME_LIMIT_MS, async (i) => {
      const id = randomUUID();
      await redis.set(`bench:raw:${id}`, JSON.stringify({ status: "queued", input: `raw ${i}` }), "EX", 600);
      await sqs.client.send(new SendMessageCommand({ QueueUrl: rawQueue.url, MessageBody: JSON.stringify({ jobId: id, input: `raw ${i}` }) }));
    });

    // Worker phase: drain everything the API enqueued with an instant LLM.
    const total = REQUESTS + 50;
    const drainStart = performance.now();
    const worker = await AgentProcess.start("worker", targets(jobsQueue), { ...quiet, WORKER_CONCURRENCY: String(CONCURRENCY) }, true);
    procs.push(worker);
    await waitFor("the queue to drain", async () => {
      const c = await sqs.counts(jobsQueue.url);
      return c.visible === 0 && c.inFlight === 0 ? true : undefined;
    }, Math.max(60_000, total * 50), 200);
    const drainMs = performance.now() - drainStart;
    const workerPeak = rssMiB(worker.pid);

    const overheads: number[] = [];
    const queueTimes: number[] = [];
    let succeeded = 0;
    let cursor = "0";
    for (let rounds = 0; rounds < 10_000; rounds++) {
      const [next, keys] = await redis.scan(cursor, "MATCH", "agent:job:*", "COUNT", 500);
      for (const k of keys) {
        if (k.endsWith(":lease")) continue;
        const [status, workerMs, llmMs, queueMs] = await redis.hmget(k, "status", "workerMs", "llmMs", "queueMs");
        if (status !== "succeeded") continue;
        succeeded++;
        overheads.push(Number(workerMs) - Number(llmMs));
        queueTimes.push(Number(queueMs));
      }
      cursor = next;
      if (cursor === "0") break;
    }

    process.stdout.write(`\nagent benchmark (loopback; ${RATE} req/s × ${REQUESTS} requests; worker concurrency ${CONCURRENCY}; node ${process.version})\n\n`);
    line("enqueue via API  p50 / p99 / mean", `${ms(quantile(enqueue.latencies, 0.5))} / ${ms(quantile(enqueue.latencies, 0.99))} / ${ms(mean(enqueue.latencies))}`);
    line("  ok / errors / skipped, elapsed", `${enqueue.latencies.length} / ${enqueue.errors} / ${enqueue.skipped}, ${(enqueue.elapsedMs / 1000).toFixed(1)} s`);
    line("raw Redis SET + SQS SendMessage  p50 / p99 / mean", `${ms(quantile(raw.latencies, 0.5))} / ${ms(quantile(raw.latencies, 0.99))} / ${ms(mean(raw.latencies))}`);
    line("  ok / errors / skipped", `${raw.latencies.length} / ${raw.errors} / ${raw.skipped}`);
    line("API overhead over raw  p50 / p99", `${ms(quantile(enqueue.latencies, 0.5) - quantile(raw.latencies, 0.5))} / ${ms(quantile(enqueue.latencies, 0.99) - quantile(raw.latencies, 0.99))}`);
    line("worker overhead per job excl. LLM  p50 / p99 / mean", `${ms(quantile(overheads, 0.5))} / ${ms(quantile(overheads, 0.99))} / ${ms(mean(overheads))}`);
    line("  jobs succeeded / drain time / throughput", `${succeeded} / ${(drainMs / 1000).toFixed(1)} s / ${(succeeded / (drainMs / 1000)).toFixed(0)} jobs/s`);
    line("  queue time p50 (incl. waiting for the worker)", ms(quantile(queueTimes, 0.5)));
    line("api RSS idle / after load / peak", `${apiIdle.rss.toFixed(1)} / ${apiAfterLoad.rss.toFixed(1)} / ${apiAfterLoad.peak.toFixed(1)} MiB`);
    line("worker RSS idle / peak (drain)", `${workerIdle.rss.toFixed(1)} / ${workerPeak.peak.toFixed(1)} MiB`);
    line("LLM requests served by the fake", String(llm.requests.length));
  } finally {
    await Promise.allSettled(procs.map((p) => p.stop()));
    redis.disconnect();
    await Promise.allSettled([redisServer.destroy(), sqs.stop(), llm.stop()]);
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
