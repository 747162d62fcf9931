import { performance } from "node:perf_hooks";

/** One measurement, printed by a child process as a JSON line. */
export interface Measurement {
    label: string;
    /** Wall time since the process started (includes module loading), ms. */
    wallMs: number;
    /** Peak resident set size, MiB. */
    peakRssMiB: number;
    resources?: number;
}

/** Prints the measurement of this process so far as one JSON line on stdout. */
export function report(label: string, resources?: number): void {
    const m: Measurement = { label, wallMs: performance.now(), peakRssMiB: process.resourceUsage().maxRSS / 1024, resources };
    process.stdout.write(JSON.stringify(m) + "\n");
}

/** Median of a non-empty list. */
export function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
