/** Estimates and deltas as text tables (terminal) and Markdown (pull-request comments). Pure. */
import type { CostDelta } from "./delta";
import type { Estimate } from "./estimate";
import type { PriceTable } from "./prices";

/** `$1,234.56`; with `signed`, `+$1.00` / `-$1.00` (and `$0.00` for no change). */
export function usd(value: number, signed = false): string {
    const cents = Math.round(value * 100) / 100;
    const text = `$${Math.abs(cents).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
    if (cents === 0) return "$0.00";
    return cents < 0 ? `-${text}` : signed ? `+${text}` : text;
}

function quantity(value: number): string {
    return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

/** What every estimate states below its total: what is not priced, the assumptions, notes and provenance. */
export function footnotes(e: Estimate, table: PriceTable): string[] {
    return [
        ...e.notPriced.map((n) => `not priced: ${n.count > 1 ? `${n.count} × ` : ""}${n.what} — ${n.why}`),
        ...e.assumptions.map((a) => `assumed: ${a}`),
        ...e.notes.map((n) => `note: ${n}`),
        ...(e.carried.length > 0 ? [`carried: ${e.carried.length} prices are the us-east-1 values, not verified for ${e.region} (refresh: docs/cost.md): ${e.carried.join(", ")}`] : []),
        `prices: ${table.currency}, ${table.hoursPerMonth} hours per month, table compiled ${table.compiled}; sources: ${e.sources.map((s) => table.sources[s]?.url || s).join(", ")}`,
    ];
}

/** The estimate as a text table: one row per line under its group, group subtotals, the total. */
export function estimateTable(e: Estimate, table: PriceTable, title: string): string {
    const rows: string[][] = [];
    for (const g of e.groups) {
        rows.push([g.group, "", "", usd(g.monthlyUsd)]);
        for (const l of e.lines.filter((x) => x.group === g.group)) {
            rows.push([`  ${l.item}`, `${quantity(l.quantity)} ${l.unit}`, `${l.unitUsd}`, usd(l.monthlyUsd)]);
        }
    }
    rows.push(["TOTAL per month", "", "", usd(e.totalUsd)]);
    const header = ["item", "quantity", "unit price", "monthly"];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd();
    return [title, line(header), ...rows.map(line), "", ...footnotes(e, table)].join("\n") + "\n";
}

/** The delta as a text table per group. */
export function deltaTable(d: CostDelta, title: string): string {
    const rows = [...d.groups.map((g) => [g.group, usd(g.baseUsd), usd(g.headUsd), usd(g.deltaUsd, true)]), ["TOTAL per month", usd(d.baseTotalUsd), usd(d.headTotalUsd), usd(d.deltaUsd, true)]];
    const header = ["group", "base", "head", "delta"];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
    const newly = d.newlyNotPriced.map((n) => `newly not priced: ${n.what} — ${n.why}`);
    return [title, line(header), ...rows.map(line), ...(newly.length > 0 ? ["", ...newly] : [])].join("\n") + "\n";
}

/** The delta as Markdown, with the head estimate's footnotes folded below. */
export function deltaMarkdown(d: CostDelta, head: Estimate, table: PriceTable): string {
    const rows = d.groups.filter((g) => g.baseUsd !== 0 || g.headUsd !== 0).map((g) => `| ${g.group} | ${usd(g.baseUsd)} | ${usd(g.headUsd)} | ${usd(g.deltaUsd, true)} |`);
    return [
        "| group | base | this PR | delta |",
        "| --- | ---: | ---: | ---: |",
        ...rows,
        `| **total per month** | **${usd(d.baseTotalUsd)}** | **${usd(d.headTotalUsd)}** | **${usd(d.deltaUsd, true)}** |`,
        "",
        ...d.newlyNotPriced.map((n) => `- newly not priced: ${n.what} — ${n.why}`),
        "<details><summary>What the estimate includes and assumes</summary>",
        "",
        ...footnotes(head, table).map((f) => `- ${f}`),
        "",
        "</details>",
    ].join("\n") + "\n";
}
