/**
 * What `scripts/e2e-local` does to the machine: run commands (pulumi, kubectl, docker) and open
 * port-forwards on loopback. Behind an interface so the run can be tested with fakes.
 */
import { ChildProcess, spawn } from "node:child_process";
import { forwardedPort } from "./cli";

/** How a command ended: its exit code and the tail of its output. */
export interface CommandResult {
    code: number;
    stdout: string;
    stderr: string;
}

export interface RunOptions {
    env?: NodeJS.ProcessEnv;
    /** Written to the command's standard input (e.g. a config secret, kept off the command line). */
    input?: string;
    /** Killed after this long, ms. */
    timeoutMs?: number;
    /** Do not echo the output (it is still returned). */
    quiet?: boolean;
}

/** An open port-forward: the loopback URL it serves, and how to close it. */
export interface Forward {
    url: string;
    stop(): void;
}

export interface System {
    run(command: string, args: string[], options?: RunOptions): Promise<CommandResult>;
    /** `kubectl port-forward` of `target` (e.g. `svc/chat-api`) to a free loopback port. */
    portForward(context: string, namespace: string, target: string, remotePort: number): Promise<Forward>;
}

/** Output kept per stream for messages (the echo shows all of it). */
const TAIL_CHARS = 8_000;
const tail = (text: string) => (text.length > TAIL_CHARS ? `…${text.slice(-TAIL_CHARS)}` : text);

/** Ends a child process this script started, by its pid: SIGTERM, then SIGKILL if it lingers. */
function end(child: ChildProcess): void {
    if (child.exitCode !== null || child.pid === undefined) return;
    child.kill("SIGTERM");
    setTimeout(() => { if (child.exitCode === null) child.kill("SIGKILL"); }, 5_000).unref();
}

/** The real machine. Every child it starts is ended when `stopAll` is called (and at exit). */
export function realSystem(): System & { stopAll(): void } {
    const children = new Set<ChildProcess>();
    const track = (child: ChildProcess) => { children.add(child); child.on("exit", () => children.delete(child)); return child; };
    return {
        run(command, args, options = {}) {
            return new Promise((resolve) => {
                const child = track(spawn(command, args, { env: options.env ?? process.env, stdio: ["pipe", "pipe", "pipe"] }));
                let stdout = "";
                let stderr = "";
                child.stdout?.on("data", (d: Buffer) => { stdout = tail(stdout + d); if (!options.quiet) process.stdout.write(d); });
                child.stderr?.on("data", (d: Buffer) => { stderr = tail(stderr + d); if (!options.quiet) process.stderr.write(d); });
                child.stdin?.end(options.input ?? "");
                const timer = options.timeoutMs ? setTimeout(() => { stderr += `\n(killed after ${options.timeoutMs} ms)`; end(child); }, options.timeoutMs) : undefined;
                child.on("error", (error) => { if (timer) clearTimeout(timer); resolve({ code: 127, stdout, stderr: `${stderr}${error.message}` }); });
                child.on("close", (code) => { if (timer) clearTimeout(timer); resolve({ code: code ?? 1, stdout, stderr }); });
            });
        },
        portForward(context, namespace, target, remotePort) {
            return new Promise((resolve, reject) => {
                const child = track(spawn("kubectl", ["--context", context, "-n", namespace, "port-forward", target, `0:${remotePort}`, "--address", "127.0.0.1"], { stdio: ["ignore", "pipe", "pipe"] }));
                let output = "";
                const timer = setTimeout(() => { end(child); reject(new Error(`kubectl port-forward ${target} did not start within 30 s: ${tail(output)}`)); }, 30_000);
                const onData = (d: Buffer) => {
                    output += d;
                    const port = forwardedPort(output);
                    if (port !== undefined) {
                        clearTimeout(timer);
                        resolve({ url: `http://127.0.0.1:${port}`, stop: () => end(child) });
                    }
                };
                child.stdout?.on("data", onData);
                child.stderr?.on("data", (d: Buffer) => { output += d; });
                child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`kubectl port-forward ${target} exited (${code}): ${tail(output)}`)); });
            });
        },
        stopAll() {
            for (const child of children) end(child);
        },
    };
}
