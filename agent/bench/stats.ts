/** Small statistics and /proc helpers for the benchmark. */
import { readFileSync } from "node:fs";

/** The q-quantile (0..1) of `values` (nearest rank). Pure. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[idx] ?? Number.NaN;
}

/** Mean of `values`. Pure. */
export function mean(values: number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Current (VmRSS) and peak (VmHWM) resident memory of a process, in MiB (Linux). */
export function rssMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

/** CPU time (user + system) a process has used so far, in milliseconds (Linux, `/proc/<pid>/stat`). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may contain spaces) start at field 3; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticksPerSecond = 100; // USER_HZ, 100 on every Linux architecture Node supports
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

/** Formats milliseconds with 2 decimals. */
export function ms(v: number): string {
  return `${v.toFixed(2)} ms`;
}

/** Latencies of a fixed-rate run, and how many operations failed or were skipped. */
export interface RateResult {
  latencies: number[];
  errors: number;
  skipped: number;
  elapsedMs: number;
}

/**
 * Runs `op` `count` times at a fixed rate (open loop: start times do not wait for completions),
 * with at most `maxInFlight` outstanding and a hard time limit. Returns per-operation latencies
 * and how many operations failed or were skipped.
 */
export async function fixedRate(
  count: number, ratePerSec: number, maxInFlight: number, timeLimitMs: number, op: (i: number) => Promise<void>,
): Promise<RateResult> {
  const latencies: number[] = [];
  let errors = 0;
  let skipped = 0;
  let inFlight = 0;
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / ratePerSec;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (performance.now() - start > timeLimitMs) {
      skipped += count - i;
      break;
    }
    if (inFlight >= maxInFlight) {
      skipped++;
      continue;
    }
    inFlight++;
    const t0 = performance.now();
    pending.push(op(i).then(
      () => {
        latencies.push(performance.now() - t0);
      },
      () => {
        errors++;
      },
    ).finally(() => {
      inFlight--;
    }));
  }
  await Promise.all(pending);
  return { latencies, errors, skipped, elapsedMs: performance.now() - start };
}
