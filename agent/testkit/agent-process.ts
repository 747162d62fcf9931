/**
 * Runs the real agent entry point (`src/main.ts api|worker`, through the tsx loader) as a child
 * process, so tests (and the benchmark, from dist/) exercise configuration, telemetry start-up,
 * signals and exit codes for real.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, waitFor } from "./net";
import { REGION, TEST_CREDENTIALS } from "./sqs";

const AGENT_DIR = join(__dirname, "..");

/** The node flags of the image's `ENTRYPOINT` (agent/Dockerfile), so compiled runs match what ships. */
export function imageNodeFlags(): string[] {
  const entrypoint = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(readFileSync(join(AGENT_DIR, "Dockerfile"), "utf8"))?.[1];
  const argv = entrypoint !== undefined ? (JSON.parse(entrypoint) as string[]) : [];
  return argv.slice(1, argv.indexOf("dist/main.js"));
}

/** Infrastructure endpoints an agent process talks to. */
export interface AgentTargets {
  redisUrl: string;
  queueUrl: string;
  sqsEndpoint: string;
  llmBaseUrl: string;
  otlpEndpoint?: string;
}

/** The environment of an agent process: loopback targets and short test timings. */
export function agentEnv(t: AgentTargets, port: number, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/tmp",
    NODE_ENV: "test",
    PORT: String(port),
    HOST: "127.0.0.1",
    REDIS_URL: t.redisUrl,
    QUEUE_URL: t.queueUrl,
    AWS_REGION: REGION,
    AWS_ENDPOINT_URL_SQS: t.sqsEndpoint,
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    LLM_BASE_URL: t.llmBaseUrl,
    LLM_MODEL: "test-model",
    LLM_API_KEY: "sk-test-secret-do-not-log",
    LLM_TIMEOUT_SECONDS: "3",
    SQS_WAIT_TIME_SECONDS: "1",
    JOB_MAX_DURATION_SECONDS: "5",
    JOB_RETRY_DELAY_SECONDS: "0",
    SHUTDOWN_GRACE_SECONDS: "10",
    SESSION_TTL_SECONDS: "120",
    OUTBOX_RELAY_INTERVAL_MS: "200",
    LOG_LEVEL: "info",
    OTEL_BSP_SCHEDULE_DELAY: "100",
    // The test receiver reads OTLP/JSON (the SDK's default is protobuf).
    ...(t.otlpEndpoint !== undefined ? { OTEL_EXPORTER_OTLP_ENDPOINT: t.otlpEndpoint, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" } : {}),
    ...overrides,
  };
}

/** A running agent process. */
export class AgentProcess {
  output = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(readonly role: string, readonly port: number, private readonly proc: ChildProcess) {
    // Output is kept for assertions, bounded so long runs (the benchmark) cannot grow it without limit.
    const keep = (d: Buffer): void => {
      this.output += d.toString();
      if (this.output.length > 1_000_000) this.output = this.output.slice(-500_000);
    };
    proc.stdout?.on("data", keep);
    proc.stderr?.on("data", keep);
    this.exited = new Promise((resolve) => proc.once("exit", (code, signal) => resolve({ code, signal })));
  }

  /**
   * Spawns `role` without waiting: from source through tsx, or `compiled` from dist/ (as in the
   * image; run `npm run build` first).
   */
  static spawn(role: string, env: Record<string, string>, compiled = false): AgentProcess {
    const args = compiled ? [...imageNodeFlags(), "dist/main.js", role] : ["--import", "tsx", "src/main.ts", role];
    const proc = spawn(process.execPath, args, { cwd: AGENT_DIR, env, stdio: ["ignore", "pipe", "pipe"] });
    return new AgentProcess(role, Number(env.PORT), proc);
  }

  /** Spawns a TypeScript program of this package (through tsx) with `env`; its port is `env.PORT`. */
  static spawnScript(path: string, env: Record<string, string>): AgentProcess {
    const proc = spawn(process.execPath, ["--import", "tsx", path], { cwd: AGENT_DIR, env, stdio: ["ignore", "pipe", "pipe"] });
    return new AgentProcess(path, Number(env.PORT), proc);
  }

  /** Spawns `role` on a free port and waits until it serves `/healthz` (and, for workers, polls). */
  static async start(role: "api" | "worker", t: AgentTargets, overrides: Record<string, string> = {}, compiled = false): Promise<AgentProcess> {
    const env = agentEnv(t, await freePort(), overrides);
    const p = AgentProcess.spawn(role, env, compiled);
    // The "worker polling" line is logged at info; quieter runs (the benchmark) rely on /healthz only.
    const awaitPollingLog = role === "worker" && ["info", "debug", "trace"].includes(env.LOG_LEVEL ?? "info");
    let exited = false;
    void p.exited.then(() => (exited = true));
    await waitFor(`${role} to start`, async () => {
      if (exited) throw new Error(`${role} exited during start-up:\n${p.output}`);
      // The API is waited for until ready (Redis connected); a worker only until alive, since it
      // must also start while Redis is down.
      const r = await p.get(role === "api" ? "/readyz" : "/healthz");
      if (r.status !== 200) return undefined;
      return awaitPollingLog && !p.output.includes("worker polling") ? undefined : true;
    }, 20_000, 100).catch((err: unknown) => {
      p.kill("SIGKILL");
      throw new Error(`${String(err)}\n--- output ---\n${p.output}`);
    });
    return p;
  }

  /** The process id. */
  get pid(): number {
    return this.proc.pid ?? -1;
  }

  /** Sends a signal. */
  kill(signal: NodeJS.Signals): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(signal);
  }

  /** Stops the process (SIGTERM, then SIGKILL after 15 s) and waits for it. */
  async stop(): Promise<void> {
    this.kill("SIGTERM");
    const t = setTimeout(() => this.kill("SIGKILL"), 15_000);
    await this.exited;
    clearTimeout(t);
  }

  /** A GET to the process. */
  get(path: string): Promise<HttpResult> {
    return this.request("GET", path);
  }

  /**
   * An HTTP request to the process on 127.0.0.1: a JSON body (or a raw string), JSON parsed back.
   * Fails when no answer arrives within `timeoutMs`.
   */
  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, timeoutMs = 20_000): Promise<HttpResult> {
    const res = await fetch(`http://127.0.0.1:${this.port}${path}`, {
      method,
      headers: body !== undefined ? { "content-type": "application/json", ...headers } : headers,
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let parsed: Record<string, unknown>;
    try {
      parsed = text === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      parsed = { raw: text };
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }
}

/** An HTTP answer: status, parsed JSON body (`{ raw }` when not JSON) and headers. */
export interface HttpResult {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

/** The processes one test starts: stopped after it, their output printed when it failed. */
export class ProcessGroup {
  private readonly procs: AgentProcess[] = [];

  /** Adds `p` to the group and returns it. */
  track(p: AgentProcess): AgentProcess {
    this.procs.push(p);
    return p;
  }

  /** Prints every output (and `also`'s) when `failed`, then stops them all. */
  async stopAll(failed: boolean, also: AgentProcess[] = []): Promise<void> {
    if (failed) for (const p of [...also, ...this.procs]) console.error(`--- ${p.role} output ---\n${p.output}`);
    await Promise.all(this.procs.splice(0).map((p) => p.stop()));
  }
}
