import * as assert from "node:assert/strict";
import { AGENTS_DASHBOARD_QUERIES, AGENTS_DASHBOARD_TELEMETRY, agentsDashboard, agentsDashboardJson } from "../../components/tracing/dashboards";
import { TEMPO_DATASOURCE_UID } from "../../components/tracing/values";
import { agentSource } from "../support/agentSource";

/** TraceQL metrics functions of Tempo 3.0 (grafana.com/docs/tempo/v3.0.x/traceql/metrics-queries/functions). */
const METRICS_FUNCTIONS = ["rate", "count_over_time", "sum_over_time", "min_over_time", "max_over_time", "avg_over_time", "quantile_over_time", "histogram_over_time"];
/** Second-stage functions that may follow a metrics function. */
const SECOND_STAGE = ["topk", "bottomk"];
/** Span intrinsics used with the `span:` scope in Tempo 3 (and their unscoped forms). */
const INTRINSICS = ["span:name", "span:status", "span:duration", "span:kind", "name", "status", "duration", "kind"];

interface ParsedQuery {
    selector: string;
    metrics?: { fn: string; args: string[]; by: string[] };
    secondStage?: string;
}

/** A small structural parser for the TraceQL shapes the dashboard uses: `{ filter } [| fn(args) [by (attrs)]] [| topk(n)]`. */
function parseTraceQL(query: string): ParsedQuery {
    const stages = query.split("|").map((s) => s.trim());
    // `|` also appears inside regex alternations of the selector; re-join pieces until braces balance.
    let i = 0;
    let selector = stages[0];
    while (count(selector, "{") !== count(selector, "}") && i + 1 < stages.length) selector += `|${stages[++i]}`;
    assert.match(selector, /^\{.*\}$/s, `selector of ${query}`);
    assert.equal(count(selector, "("), count(selector, ")"), `balanced parentheses in ${selector}`);
    assert.equal(count(selector, "\"") % 2, 0, `balanced quotes in ${selector}`);
    const rest = stages.slice(i + 1);
    const parsed: ParsedQuery = { selector };
    if (rest.length > 0) {
        const m = /^([a-z_]+)\(([^)]*)\)(?:\s+by\s+\(([^)]*)\))?$/.exec(rest[0]);
        assert.ok(m, `metrics stage "${rest[0]}" of ${query}`);
        parsed.metrics = { fn: m[1], args: m[2].split(",").map((a) => a.trim()).filter(Boolean), by: (m[3] ?? "").split(",").map((a) => a.trim()).filter(Boolean) };
    }
    if (rest.length > 1) {
        assert.match(rest[1], /^(topk|bottomk)\(\d+\)$/, `second stage of ${query}`);
        parsed.secondStage = rest[1].split("(")[0];
    }
    assert.ok(rest.length <= 2, `at most two stages after the selector in ${query}`);
    return parsed;
}

function count(s: string, ch: string): number {
    return s.split(ch).length - 1;
}

/** `span.<attr>` references in a query, without the scope. */
function spanAttributes(query: string): string[] {
    return [...query.matchAll(/\bspan\.([a-z_][a-z0-9_.]*[a-z0-9_])/g)].map((m) => m[1]);
}

describe("Agents dashboard", () => {
    const dashboard = agentsDashboard();
    const targets = dashboard.panels.flatMap((p) => p.targets.map((t) => ({ panel: p, target: t })));

    it("is a valid Grafana dashboard document: JSON, unique uid/panel ids, panels inside the 24-column grid", () => {
        const parsed = JSON.parse(agentsDashboardJson());
        assert.deepEqual(parsed, JSON.parse(JSON.stringify(dashboard)));
        assert.equal(parsed.uid, "agents");
        assert.equal(parsed.title, "Agents");
        assert.equal(typeof parsed.schemaVersion, "number");
        const ids = parsed.panels.map((p: { id: number }) => p.id);
        assert.equal(new Set(ids).size, ids.length);
        for (const p of parsed.panels) {
            assert.ok(["timeseries", "table"].includes(p.type), p.type);
            assert.ok(p.gridPos.x >= 0 && p.gridPos.x + p.gridPos.w <= 24 && p.gridPos.h > 0, p.title);
            const refIds = p.targets.map((t: { refId: string }) => t.refId);
            assert.equal(new Set(refIds).size, refIds.length, `unique refIds in ${p.title}`);
        }
        // No two panels overlap.
        const cells = new Set<string>();
        for (const p of parsed.panels) {
            for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
                for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
                    assert.ok(!cells.has(`${x},${y}`), `${p.title} overlaps at ${x},${y}`);
                    cells.add(`${x},${y}`);
                }
            }
        }
    });

    it("covers the seed's measures: latency per step, error rate per tool, tokens per session, queue time, LLM retry rate", () => {
        const titles = dashboard.panels.map((p) => p.title.toLowerCase());
        for (const measure of [/latency per agent step/, /errors per tool/, /tokens per session/, /queue time/, /retry rate/]) {
            assert.ok(titles.some((t) => measure.test(t)), String(measure));
        }
    });

    it("queries the provisioned Tempo data source with TraceQL", () => {
        for (const { panel, target } of targets) {
            assert.deepEqual(panel.datasource, { type: "tempo", uid: TEMPO_DATASOURCE_UID });
            assert.deepEqual(target.datasource, { type: "tempo", uid: TEMPO_DATASOURCE_UID });
            assert.equal(target.queryType, "traceql");
        }
    });

    it("uses TraceQL metrics syntax of the pinned Tempo (3.0) in time series and a plain search in the table", () => {
        for (const { panel, target } of targets) {
            const q = parseTraceQL(target.query);
            if (panel.type === "timeseries") {
                assert.ok(q.metrics, `${panel.title}: a metrics query`);
                assert.ok(METRICS_FUNCTIONS.includes(q.metrics.fn), `${q.metrics.fn} is a Tempo 3 metrics function`);
                if (q.metrics.fn === "quantile_over_time") {
                    assert.equal(q.metrics.args[0], "duration");
                    for (const quantile of q.metrics.args.slice(1)) assert.ok(Number(quantile) > 0 && Number(quantile) < 1, quantile);
                }
                if (["sum_over_time", "avg_over_time", "max_over_time", "min_over_time"].includes(q.metrics.fn)) {
                    assert.match(q.metrics.args[0], /^span\./, `${q.metrics.fn} aggregates a span attribute`);
                }
                for (const by of q.metrics.by) assert.match(by, /^span\./, "grouped by a scoped attribute");
                if (q.secondStage) assert.ok(SECOND_STAGE.includes(q.secondStage));
                assert.equal(target.metricsQueryType, "range");
            } else {
                assert.equal(q.metrics, undefined, `${panel.title}: a trace search`);
                assert.equal(target.tableType, "traces");
            }
            for (const intrinsic of target.query.match(/\bspan:[a-z]+/g) ?? []) assert.ok(INTRINSICS.includes(intrinsic), intrinsic);
        }
    });

    it("lists, per panel, every span attribute its queries read", () => {
        const byTitle = new Map(AGENTS_DASHBOARD_TELEMETRY.map((t) => [t.panel, t]));
        for (const panel of dashboard.panels) {
            const contract = byTitle.get(panel.title);
            assert.ok(contract, `"${panel.title}" is documented`);
            const used = new Set(panel.targets.flatMap((t) => spanAttributes(t.query)));
            for (const attr of used) assert.ok(contract.attributes.includes(attr), `${panel.title}: ${attr} is documented`);
        }
        assert.equal(byTitle.size, dashboard.panels.length);
    });

    describe("against the reference agent's code (agent/src)", () => {
        const source = agentSource();

        it("refers only to span attributes the agent sets", () => {
            const attributes = new Set(AGENTS_DASHBOARD_TELEMETRY.flatMap((t) => t.attributes));
            for (const attr of attributes) assert.ok(source.includes(`"${attr}"`), `the agent sets ${attr}`);
        });

        it("selects span names the agent emits", () => {
            for (const name of new Set(AGENTS_DASHBOARD_TELEMETRY.flatMap((t) => t.spans))) {
                const templated = /^(\S+) \{\w+\}$/.exec(name);
                const pattern = templated ? new RegExp(`\`${templated[1]} \\$\\{`) : new RegExp(`"${name}"`);
                assert.match(source, pattern, `the agent names spans "${name}"`);
            }
        });

        it("compares attributes with values the agent writes", () => {
            for (const query of Object.values(AGENTS_DASHBOARD_QUERIES)) {
                for (const m of query.matchAll(/span\.[a-z0-9_.]+ =~? "([^"]+)"/g)) {
                    for (const value of m[1].split("|")) assert.ok(source.includes(`"${value}"`), `the agent writes "${value}" (${query})`);
                }
            }
        });
    });
});
