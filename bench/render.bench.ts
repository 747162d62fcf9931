/**
 * `npm run bench`: wall time and peak memory of rendering each stack in a fresh process, against the
 * floor of a process that only imports the same SDKs. Every process runs the same way (`node`, the V8
 * flags of NODE_FLAGS, tsx). The machine may be busy: each round runs the floor and then every stack
 * back to back, so a ratio compares processes that ran under the same load; the table shows medians
 * over RUNS rounds and the range of the per-round ratios, for wall time, CPU time (steadier when other
 * work competes for the cores) and peak RSS. Beside each render runs `resourcesOnly.ts`, which registers
 * the same resources straight through the SDK (its "SDK only" ratios: what the resources cost before any
 * of this repository's code runs). Bounded: RUNS × (2 × stacks + 1) processes, each with a timeout.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { STACKS } from "../stacks/offline";
import { Measurement, median, NODE_FLAGS } from "./measure";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TIMEOUT_MS = 120_000;

function measure(script: string, args: string[] = []): Measurement {
    const out = execFileSync(process.execPath, [...NODE_FLAGS, "--import", "tsx", path.join(__dirname, script), ...args], {
        cwd: path.join(__dirname, ".."), encoding: "utf8", timeout: TIMEOUT_MS,
    });
    return JSON.parse(out.trim().split("\n").pop() as string) as Measurement;
}

/** `min–max` of a list, to `digits` decimals. */
const range = (values: number[], digits: number) => `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;

function main(): void {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agent-platform-bench-"));
    try {
        // The first round's renders write the resources their "SDK only" runs register again.
        const file = (stack: string) => path.join(dir, `${stack}.json`);
        const rounds = Array.from({ length: RUNS }, (_, round) => ({
            floor: measure("floor.ts"),
            stacks: STACKS.map((stack) => ({
                render: measure("renderOnce.ts", round === 0 ? [stack, file(stack)] : [stack]),
                sdkOnly: measure("resourcesOnly.ts", [file(stack), stack]),
            })),
        }));
        print(rounds);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

type Round = { floor: Measurement; stacks: { render: Measurement; sdkOnly: Measurement }[] };

function print(rounds: Round[]): void {
    const floors = rounds.map((r) => r.floor);
    const fmt = (n: number, d = 0) => n.toFixed(d);
    console.log(`render benchmark: ${RUNS} rounds (floor, then each stack and its resources only), Node ${process.version}, flags ${NODE_FLAGS.join(" ") || "none"}`);
    const summary = (values: number[], unit: string) => `${fmt(median(values))} ${unit} (${range(values, 0)})`;
    console.log(`floor: wall ${summary(floors.map((f) => f.wallMs), "ms")}, CPU ${summary(floors.map((f) => f.cpuMs), "ms")}, peak ${summary(floors.map((f) => f.peakRssMiB), "MiB")}`);
    console.log(["stack".padEnd(8), "resources", "wall ms", "× floor (range)".padEnd(17), "CPU ms", "× floor (range)".padEnd(17), "peak MiB", "× floor (range)".padEnd(17), "SDK only: wall × floor", "CPU × floor"].join("  "));
    STACKS.forEach((stack, i) => {
        const runs = rounds.map((r) => r.stacks[i].render);
        const ratios = (key: "wallMs" | "cpuMs" | "peakRssMiB", of: "render" | "sdkOnly" = "render", width = 17) => {
            const values = rounds.map((r) => r.stacks[i][of][key] / r.floor[key]);
            return `${fmt(median(values), 2)} (${range(values, 2)})`.padEnd(width);
        };
        console.log([
            stack.padEnd(8), String(runs[0].resources).padStart(9), fmt(median(runs.map((r) => r.wallMs))).padStart(7), ratios("wallMs"),
            fmt(median(runs.map((r) => r.cpuMs))).padStart(6), ratios("cpuMs"), fmt(median(runs.map((r) => r.peakRssMiB))).padStart(8), ratios("peakRssMiB"),
            ratios("wallMs", "sdkOnly", 22), ratios("cpuMs", "sdkOnly", 0),
        ].join("  "));
    });
}

try {
    main();
} catch (error) {
    console.error((error as Error).message);
    process.exit(1);
}
