/**
 * `npm run bench`: wall time and peak memory of rendering each stack in-process, against the floor of
 * a process that only imports the same SDKs, as ratios measured in the same run. Each figure is the
 * median of RUNS fresh processes (bounded: RUNS × (stacks + 1) processes, each with a timeout).
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { Measurement, median } from "./measure";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TIMEOUT_MS = 120_000;
const STACKS = ["dev", "staging", "prod"];

function measure(script: string, args: string[] = []): Measurement {
    const out = execFileSync(process.execPath, ["--import", "tsx", path.join(__dirname, script), ...args], {
        cwd: path.join(__dirname, ".."), encoding: "utf8", timeout: TIMEOUT_MS,
    });
    return JSON.parse(out.trim().split("\n").pop() as string) as Measurement;
}

function medianOf(script: string, args: string[] = []): Measurement {
    const runs = Array.from({ length: RUNS }, () => measure(script, args));
    return { label: runs[0].label, wallMs: median(runs.map((r) => r.wallMs)), peakRssMiB: median(runs.map((r) => r.peakRssMiB)), resources: runs[0].resources };
}

function main(): void {
    const floor = medianOf("floor.ts");
    const rows = STACKS.map((stack) => medianOf("renderOnce.ts", [stack]));
    const fmt = (n: number, d = 0) => n.toFixed(d);
    console.log(`render benchmark: median of ${RUNS} fresh processes each, Node ${process.version}`);
    console.log(["stack".padEnd(8), "resources", "wall ms", "floor ms", "× floor", "peak MiB", "floor MiB", "× floor"].join("  "));
    for (const r of rows) {
        console.log([
            r.label.padEnd(8), String(r.resources).padStart(9), fmt(r.wallMs).padStart(7), fmt(floor.wallMs).padStart(8), fmt(r.wallMs / floor.wallMs, 2).padStart(7),
            fmt(r.peakRssMiB).padStart(8), fmt(floor.peakRssMiB).padStart(9), fmt(r.peakRssMiB / floor.peakRssMiB, 2).padStart(7),
        ].join("  "));
    }
}

main();
