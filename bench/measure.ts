import { performance } from "node:perf_hooks";

/**
 * V8 flags of `npm run render` (package.json) and so of every process the benchmark runs, floor and
 * renders alike. A render keeps every resource's pending outputs alive across young-generation
 * collections, and V8 answers by growing the young generation to its maximum (three 32 MiB
 * semi-spaces), which it never gives back: most of a render's peak memory above the floor. A 16 MiB
 * semi-space bounds that for a few more collections. BENCH_NODE_FLAGS replaces them (e.g. "" to compare).
 */
export const RENDER_NODE_FLAGS = ["--max-semi-space-size=16"];
export const NODE_FLAGS: string[] = process.env.BENCH_NODE_FLAGS !== undefined ? process.env.BENCH_NODE_FLAGS.split(" ").filter(Boolean) : RENDER_NODE_FLAGS;

/** One measurement, printed by a child process as a JSON line. */
export interface Measurement {
    label: string;
    /** Wall time since the process started (includes module loading), ms. */
    wallMs: number;
    /** CPU time of the process so far (user + system, all threads), ms: steadier than wall time on a busy machine. */
    cpuMs: number;
    /** Peak resident set size, MiB. */
    peakRssMiB: number;
    resources?: number;
}

/** Prints the measurement of this process so far as one JSON line on stdout. */
export function report(label: string, resources?: number): void {
    const usage = process.resourceUsage();
    const m: Measurement = { label, wallMs: performance.now(), cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, peakRssMiB: usage.maxRSS / 1024, resources };
    process.stdout.write(JSON.stringify(m) + "\n");
}

/** Median of a non-empty list. */
export function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
