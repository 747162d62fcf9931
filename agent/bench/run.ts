/**
 * `npm run bench`: performance of the agent on loopback only.
 *
 * 1. Idle RSS of the compiled `api` and `worker` processes (run with the image's node flags).
 * 2. Enqueue latency (POST /v1/jobs → 202) at a fixed request rate, p50/p99, next to its floor
 *    measured in the same run at the same rate: `floor-server.ts`, a bare HTTP server process doing
 *    only what any enqueue must do (one Redis write, one SQS SendMessage). For reference also the
 *    two raw calls made from this process (no HTTP), the floor the issue quoted, and the CPU time
 *    the API and the floor server each use per request.
 * 3. Worker overhead per job excluding the LLM (claim → result stored, minus time in LLM calls,
 *    against an instant fake LLM), and drain throughput.
 * 4. Peak RSS of both processes.
 * Every loop is bounded in count and time. Tune with BENCH_RATE, BENCH_REQUESTS, BENCH_CONCURRENCY.
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { Agent, request as httpRequest } from "node:http";
import { join } from "node:path";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { Redis } from "ioredis";
import { AgentProcess, imageNodeFlags } from "../testkit/agent-process";
import { FakeLlm } from "../testkit/fake-llm";
import { delay, freePort, waitFor } from "../testkit/net";
import { TestRedis } from "../testkit/redis-server";
import { REGION, TEST_CREDENTIALS, TestSqs } from "../testkit/sqs";
import { cpuMs, fixedRate, mean, ms, quantile, type RateResult, rssMiB } from "./stats";

const RATE = Number(process.env.BENCH_RATE ?? 200);
const REQUESTS = Math.min(20_000, Number(process.env.BENCH_REQUESTS ?? 2000));
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const TIME_LIMIT_MS = Math.ceil((REQUESTS / RATE) * 1000 * 3) + 10_000;
const MAX_IN_FLIGHT = 256;
const AGENT_DIR = join(__dirname, "..");

function line(label: string, value: string): void {
  process.stdout.write(`${label.padEnd(58)} ${value}\n`);
}

/** p50 / p99 / mean of a sample (a run's latencies, the jobs' overheads). */
function percentiles(values: number[]): string {
  return `${ms(quantile(values, 0.5))} / ${ms(quantile(values, 0.99))} / ${ms(mean(values))}`;
}

/** `a`'s p50 and p99 as multiples of `b`'s. */
function ratios(a: RateResult, b: RateResult): string {
  const x = (q: number) => (quantile(a.latencies, q) / quantile(b.latencies, q)).toFixed(2);
  return `${x(0.5)}× / ${x(0.99)}×`;
}

/**
 * The benchmark's HTTP client: `node:http` with keep-alive connections, which costs the benchmark
 * process (that also hosts the SQS emulator) ~0.4 ms less per request here than `fetch`, so latencies
 * measure the servers rather than the client.
 */
const client = new Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT });

/** POSTs one job to `port`; resolves with the response status. */
function postJob(port: number, input: string): Promise<number> {
  const body = JSON.stringify({ input });
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: "127.0.0.1", port, path: "/v1/jobs", method: "POST", agent: client, timeout: 10_000,
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
    }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.end(body);
  });
}

/** POSTs `count` jobs to `port` at the benchmark rate (open loop). */
function postJobs(port: number, count: number, label: string): Promise<RateResult> {
  return fixedRate(count, RATE, MAX_IN_FLIGHT, TIME_LIMIT_MS, async (i) => {
    const status = await postJob(port, `${label} job ${i}`);
    if (status !== 202) throw new Error(`status ${status}`);
  });
}

async function main(): Promise<void> {
  process.stdout.write(`building dist/ ...\n`);
  execFileSync(process.execPath, [join(AGENT_DIR, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"], { cwd: AGENT_DIR, stdio: "inherit" });
  const redisServer = await TestRedis.start();
  const sqs = await TestSqs.start();
  const llm = await FakeLlm.start();
  const redis = new Redis(redisServer.url);
  const procs: AgentProcess[] = [];
  try {
    const [jobsQueue, floorQueue, rawQueue, idleQueue] = await Promise.all(["bench", "floor", "raw", "idle"].map((prefix) =>
      sqs.createQueue({ visibilityTimeout: 60, maxReceiveCount: 5, prefix })));
    if (jobsQueue === undefined || floorQueue === undefined || rawQueue === undefined || idleQueue === undefined) throw new Error("queues");
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

    const floorPort = await freePort();
    const floor = AgentProcess.spawnScript("bench/floor-server.ts", {
      PATH: process.env.PATH ?? "", REDIS_URL: redisServer.url, QUEUE_URL: floorQueue.url, AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      AWS_REGION: REGION, AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      PORT: String(floorPort),
    });
    procs.push(floor);
    await waitFor("the floor server", () => (floor.output.includes("listening") ? true : undefined), 20_000, 50);

    // Warm up every path (connections, JIT) outside the measurement.
    for (let i = 0; i < 50; i++) {
      await postJob(api.port, `warm-up ${i}`);
      await postJob(floorPort, `warm-up ${i}`);
      await redis.set(`bench:warm:${i}`, "x", "EX", 60);
      await sqs.client.send(new SendMessageCommand({ QueueUrl: rawQueue.url, MessageBody: "warm" }));
    }

    const apiCpuBefore = cpuMs(api.pid);
    const enqueue = await postJobs(api.port, REQUESTS, "bench");
    const apiCpu = (cpuMs(api.pid) - apiCpuBefore) / REQUESTS;
    const apiAfterLoad = rssMiB(api.pid);
    const floorCpuBefore = cpuMs(floor.pid);
    const floorRun = await postJobs(floorPort, REQUESTS, "floor");
    const floorCpu = (cpuMs(floor.pid) - floorCpuBefore) / REQUESTS;
    const raw = await fixedRate(REQUESTS, RATE, MAX_IN_FLIGHT, TIME_LIMIT_MS, async (i) => {
      const id = randomUUID();
      await redis.set(`bench:raw:${id}`, JSON.stringify({ status: "queued", input: `raw ${i}` }), "EX", 600);
      await sqs.client.send(new SendMessageCommand({ QueueUrl: rawQueue.url, MessageBody: JSON.stringify({ jobId: id, input: `raw ${i}` }) }));
    });

    // Worker phase: drain everything the API enqueued with an instant LLM.
    const drainStart = performance.now();
    const worker = await AgentProcess.start("worker", targets(jobsQueue), { ...quiet, WORKER_CONCURRENCY: String(CONCURRENCY) }, true);
    procs.push(worker);
    await waitFor("the queue to drain", async () => {
      const c = await sqs.counts(jobsQueue.url);
      return c.visible === 0 && c.inFlight === 0 ? true : undefined;
    }, Math.max(60_000, (REQUESTS + 50) * 50), 200);
    const drainMs = performance.now() - drainStart;
    const workerPeak = rssMiB(worker.pid);
    const jobs = await finishedJobs(redis);

    process.stdout.write(`\nagent benchmark (loopback; ${RATE} req/s × ${REQUESTS} requests; worker concurrency ${CONCURRENCY}; node ${process.version} ${imageNodeFlags().join(" ")})\n\n`);
    line("enqueue via API  p50 / p99 / mean", percentiles(enqueue.latencies));
    line("  ok / errors / skipped, elapsed", `${enqueue.latencies.length} / ${enqueue.errors} / ${enqueue.skipped}, ${(enqueue.elapsedMs / 1000).toFixed(1)} s`);
    line("floor: bare HTTP server, Redis SET + SQS send  p50 / p99 / mean", percentiles(floorRun.latencies));
    line("  ok / errors / skipped", `${floorRun.latencies.length} / ${floorRun.errors} / ${floorRun.skipped}`);
    line("raw Redis SET + SQS send from the bench  p50 / p99 / mean", percentiles(raw.latencies));
    line("API / floor  p50 / p99", ratios(enqueue, floorRun));
    line("API / raw (no HTTP)  p50 / p99", ratios(enqueue, raw));
    line("CPU per request: API / floor server", `${ms(apiCpu)} / ${ms(floorCpu)}`);
    line("worker overhead per job excl. LLM  p50 / p99 / mean", percentiles(jobs.overheads));
    line("  jobs succeeded / drain time / throughput", `${jobs.succeeded} / ${(drainMs / 1000).toFixed(1)} s / ${(jobs.succeeded / (drainMs / 1000)).toFixed(0)} jobs/s`);
    line("api RSS idle / after load / peak", `${apiIdle.rss.toFixed(1)} / ${apiAfterLoad.rss.toFixed(1)} / ${apiAfterLoad.peak.toFixed(1)} MiB`);
    line("worker RSS idle / peak (drain)", `${workerIdle.rss.toFixed(1)} / ${workerPeak.peak.toFixed(1)} MiB`);
    line("LLM requests served by the fake", String(llm.requests.length));
  } finally {
    client.destroy();
    await Promise.allSettled(procs.map((p) => p.stop()));
    redis.disconnect();
    await Promise.allSettled([redisServer.destroy(), sqs.stop(), llm.stop()]);
  }
}

/** Worker overhead (worker time minus LLM time) of every succeeded job record. */
async function finishedJobs(redis: Redis): Promise<{ succeeded: number; overheads: number[] }> {
  const overheads: number[] = [];
  let cursor = "0";
  for (let rounds = 0; rounds < 10_000; rounds++) {
    const [next, keys] = await redis.scan(cursor, "MATCH", "agent:*job:*", "COUNT", 500);
    for (const k of keys) {
      if (k.endsWith(":lease")) continue;
      const [status, workerMs, llmMs] = await redis.hmget(k, "status", "workerMs", "llmMs");
      if (status === "succeeded") overheads.push(Number(workerMs) - Number(llmMs));
    }
    cursor = next;
    if (cursor === "0") break;
  }
  return { succeeded: overheads.length, overheads };
}

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
