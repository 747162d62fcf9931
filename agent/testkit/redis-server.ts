/**
 * Starts a real `redis-server` on a free loopback port. Fails loudly (never skips) when the binary
 * is missing: the integration tests are only meaningful against a real Redis.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePort, waitFor } from "./net";

/** Throws a clear error when `redis-server` is not on PATH. */
export function requireRedisServer(): void {
  try {
    execFileSync("redis-server", ["--version"], { stdio: "pipe" });
  } catch {
    throw new Error(
      "redis-server is not on PATH: the agent integration tests need a real Redis. Install it (Debian: apt-get install -y redis-server) and re-run.",
    );
  }
}

/** PING over a raw socket; true on +PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host: "127.0.0.1", port });
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.once("error", () => done(false));
    sock.once("connect", () => sock.write("PING\r\n"));
    // Without AUTH a password-protected server answers -NOAUTH: it is up all the same.
    sock.once("data", (d) => done(/^(\+PONG|-NOAUTH)/.test(d.toString())));
  });
}

/** Options of {@link TestRedis.start}. */
export interface TestRedisOptions {
  persistent?: boolean;
  password?: string;
  cluster?: boolean;
}

/**
 * Where a test Redis keeps its files: in memory (/dev/shm) where the machine has it, so a persistent
 * server's fsync on every write never waits on a busy disk (it only has to survive a restart of the
 * process).
 */
const DATA_ROOT = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();

/** A running test Redis. */
export class TestRedis {
  private proc: ChildProcess | undefined;
  readonly dir = mkdtempSync(join(DATA_ROOT, "agent-redis-"));
  private constructor(readonly port: number, private readonly opts: TestRedisOptions) {}

  /**
   * Starts one; `persistent` enables AOF with fsync on every write (survives restarts);
   * `password` turns on `requirepass` (like an ElastiCache auth token); `cluster` runs it in cluster
   * mode as a one-node cluster owning every slot (so commands whose keys span slots fail with
   * CROSSSLOT, as on a real cluster).
   */
  static async start(opts: TestRedisOptions = {}): Promise<TestRedis> {
    requireRedisServer();
    const r = new TestRedis(await freePort(), opts);
    await r.startProcess();
    if (opts.cluster === true) await r.assignAllSlots();
    return r;
  }

  /** The server's log (warnings and errors). */
  private get logFile(): string {
    return join(this.dir, "redis.log");
  }

  /** `redis://127.0.0.1:<port>`. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  private async startProcess(): Promise<void> {
    const args = [
      "--port", String(this.port), "--bind", "127.0.0.1", "--dir", this.dir, "--save", "",
      "--appendonly", this.opts.persistent === true ? "yes" : "no", "--appendfsync", "always", "--daemonize", "no", "--loglevel", "warning",
      "--logfile", this.logFile,
      ...(this.opts.password !== undefined ? ["--requirepass", this.opts.password] : []),
      ...(this.opts.cluster === true ? ["--cluster-enabled", "yes", "--cluster-config-file", join(this.dir, "nodes.conf"), "--cluster-announce-ip", "127.0.0.1"] : []),
    ];
    const proc = spawn("redis-server", args, { stdio: "ignore" });
    this.proc = proc;
    // A server that dies under a test would otherwise only show as timeouts: say so, with its log.
    proc.once("exit", (code, signal) => {
      if (this.proc !== proc) return;
      const log = existsSync(this.logFile) ? readFileSync(this.logFile, "utf8").split("\n").slice(-20).join("\n") : "(no log)";
      process.stderr.write(`test redis-server on port ${this.port} exited unexpectedly (${signal ?? `code ${code}`}); its log ends:\n${log}\n`);
    });
    await waitFor(`redis-server on port ${this.port}`, async () => ((await ping(this.port)) ? true : undefined), 10_000);
  }

  private async assignAllSlots(): Promise<void> {
    const admin = new Redis(this.url);
    try {
      await admin.call("CLUSTER", "ADDSLOTSRANGE", "0", "16383");
      await waitFor("the one-node cluster to be ready", async () =>
        (/cluster_state:ok/.test(String(await admin.call("CLUSTER", "INFO"))) ? true : undefined), 10_000);
    } finally {
      admin.disconnect();
    }
  }

  /** Stops the server (SIGTERM; waits for exit). */
  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (p === undefined || p.exitCode !== null || p.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => p.kill("SIGKILL"), 5000);
      p.once("exit", () => {
        clearTimeout(t);
        resolve();
      });
      p.kill("SIGTERM");
    });
  }

  /** Starts it again on the same port and data directory. */
  async restart(): Promise<void> {
    await this.stop();
    await this.startProcess();
  }

  /** Stops and removes the data directory. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
