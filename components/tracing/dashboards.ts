/**
 * The "Agents" Grafana dashboard, built from traces only: TraceQL metrics queries against the
 * provisioned Tempo data source (Tempo 3: TraceQL metrics are generally available and computed by the
 * live-store and the backend blocks; the 2.x `local-blocks` metrics-generator processor no longer
 * exists and is not needed). Every panel lists the span names and attributes it reads, which is the
 * contract with the reference agent (`agent/src/telemetry`, docs/architecture.md §13).
 */
import { TEMPO_DATASOURCE_UID } from "./values";

/** What one panel reads from the agent's spans. */
export interface PanelTelemetry {
    /** Panel title. */
    panel: string;
    /** Span names (or name patterns) the panel selects. */
    spans: string[];
    /** Span attributes the panel reads, without the `span.` scope. */
    attributes: string[];
}

/**
 * The span names and attributes each panel uses. Queue time and LLM retries use the attributes the
 * reference agent sets: `agent.job.queue_time_ms` on the job span (`process {queue}`) and
 * `agent.llm.attempts` on the chat span (attempts > 1 means the call was retried).
 */
export const AGENTS_DASHBOARD_TELEMETRY: PanelTelemetry[] = [
    { panel: "Latency per agent step (p95)", spans: ["invoke_agent", "chat {model}", "execute_tool {tool}"], attributes: ["gen_ai.operation.name"] },
    { panel: "Tool latency (p95)", spans: ["execute_tool {tool}"], attributes: ["gen_ai.operation.name", "gen_ai.tool.name"] },
    { panel: "Tool calls and errors per tool", spans: ["execute_tool {tool}"], attributes: ["gen_ai.operation.name", "gen_ai.tool.name"] },
    { panel: "Tokens per session (top 10)", spans: ["chat {model}"], attributes: ["gen_ai.operation.name", "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "gen_ai.conversation.id"] },
    { panel: "Queue time: job enqueue → start", spans: ["process {queue}"], attributes: ["messaging.operation.type", "messaging.destination.name", "agent.job.queue_time_ms"] },
    { panel: "LLM retry rate", spans: ["chat {model}"], attributes: ["gen_ai.operation.name", "gen_ai.request.model", "agent.llm.attempts"] },
    { panel: "Slow or failed agent runs", spans: ["invoke_agent"], attributes: [] },
];

/** One TraceQL query of a panel. */
interface Target {
    refId: string;
    query: string;
    legend?: string;
}

const DATASOURCE = { type: "tempo", uid: TEMPO_DATASOURCE_UID } as const;

/** A Tempo query target: TraceQL, as a range metrics query or a trace search. */
function tempoTarget(t: Target, metrics: boolean) {
    return {
        refId: t.refId,
        datasource: DATASOURCE,
        queryType: "traceql",
        query: t.query,
        limit: 20,
        tableType: metrics ? "spans" : "traces",
        metricsQueryType: "range",
        ...(t.legend ? { legendFormat: t.legend } : {}),
    };
}

interface PanelSpec {
    title: string;
    description: string;
    unit: string;
    targets: Target[];
    gridPos: { x: number; y: number; w: number; h: number };
}

function timeseries(id: number, p: PanelSpec) {
    return {
        id,
        type: "timeseries",
        title: p.title,
        description: p.description,
        datasource: DATASOURCE,
        gridPos: p.gridPos,
        fieldConfig: { defaults: { unit: p.unit, custom: { drawStyle: "line", lineWidth: 1, fillOpacity: 10, spanNulls: false } }, overrides: [] },
        options: { legend: { displayMode: "table", placement: "right", showLegend: true, calcs: ["mean", "max"] }, tooltip: { mode: "multi", sort: "desc" } },
        targets: p.targets.map((t) => tempoTarget(t, true)),
    };
}

/** TraceQL of each panel, by title; shared by the dashboard and the tests. */
export const AGENTS_DASHBOARD_QUERIES = {
    stepLatency: `{ span.gen_ai.operation.name =~ "invoke_agent|chat|execute_tool" } | quantile_over_time(duration, .95) by (span.gen_ai.operation.name)`,
    toolLatency: `{ span.gen_ai.operation.name = "execute_tool" } | quantile_over_time(duration, .95) by (span.gen_ai.tool.name)`,
    toolCalls: `{ span.gen_ai.operation.name = "execute_tool" } | rate() by (span.gen_ai.tool.name)`,
    toolErrors: `{ span.gen_ai.operation.name = "execute_tool" && span:status = error } | rate() by (span.gen_ai.tool.name)`,
    sessionInputTokens: `{ span.gen_ai.operation.name = "chat" } | sum_over_time(span.gen_ai.usage.input_tokens) by (span.gen_ai.conversation.id) | topk(10)`,
    sessionOutputTokens: `{ span.gen_ai.operation.name = "chat" } | sum_over_time(span.gen_ai.usage.output_tokens) by (span.gen_ai.conversation.id) | topk(10)`,
    queueTimeAvg: `{ span.messaging.operation.type = "process" && span.agent.job.queue_time_ms >= 0 } | avg_over_time(span.agent.job.queue_time_ms) by (span.messaging.destination.name)`,
    queueTimeMax: `{ span.messaging.operation.type = "process" && span.agent.job.queue_time_ms >= 0 } | max_over_time(span.agent.job.queue_time_ms) by (span.messaging.destination.name)`,
    llmCalls: `{ span.gen_ai.operation.name = "chat" } | rate() by (span.gen_ai.request.model)`,
    llmRetried: `{ span.gen_ai.operation.name = "chat" && span.agent.llm.attempts > 1 } | rate() by (span.gen_ai.request.model)`,
    slowOrFailedRuns: `{ span:name = "invoke_agent" && (span:status = error || span:duration > 10s) }`,
} as const;

/** The "Agents" dashboard (Grafana dashboard JSON model). */
export function agentsDashboard() {
    const q = AGENTS_DASHBOARD_QUERIES;
    const row1 = 0;
    const row2 = 9;
    const row3 = 18;
    const panels = [
        timeseries(1, {
            title: "Latency per agent step (p95)",
            description: "p95 duration of agent runs (invoke_agent), LLM calls (chat {model}) and tool calls (execute_tool {tool}), by gen_ai.operation.name.",
            unit: "s", gridPos: { x: 0, y: row1, w: 12, h: 9 },
            targets: [{ refId: "A", query: q.stepLatency }],
        }),
        timeseries(2, {
            title: "Tool latency (p95)",
            description: "p95 duration of execute_tool spans by gen_ai.tool.name.",
            unit: "s", gridPos: { x: 12, y: row1, w: 12, h: 9 },
            targets: [{ refId: "A", query: q.toolLatency }],
        }),
        timeseries(3, {
            title: "Tool calls and errors per tool",
            description: "Tool calls per second (A) and failed tool calls per second (B, span status error), by gen_ai.tool.name. Error rate = B / A.",
            unit: "ops", gridPos: { x: 0, y: row2, w: 12, h: 9 },
            targets: [{ refId: "A", query: q.toolCalls }, { refId: "B", query: q.toolErrors }],
        }),
        timeseries(4, {
            title: "Tokens per session (top 10)",
            description: "Input (A) and output (B) tokens of LLM calls summed per gen_ai.conversation.id, the ten largest sessions.",
            unit: "short", gridPos: { x: 12, y: row2, w: 12, h: 9 },
            targets: [{ refId: "A", query: q.sessionInputTokens }, { refId: "B", query: q.sessionOutputTokens }],
        }),
        timeseries(5, {
            title: "Queue time: job enqueue → start",
            description: "Average (A) and worst (B) time a job waited in SQS before a worker started it (agent.job.queue_time_ms on the process {queue} span), by queue.",
            unit: "ms", gridPos: { x: 0, y: row3, w: 12, h: 9 },
            targets: [{ refId: "A", query: q.queueTimeAvg }, { refId: "B", query: q.queueTimeMax }],
        }),
        timeseries(6, {
            title: "LLM retry rate",
            description: "LLM calls per second (A) and LLM calls that needed more than one attempt (B, agent.llm.attempts > 1), by gen_ai.request.model. Retry rate = B / A.",
            unit: "ops", gridPos: { x: 12, y: row3, w: 12, h: 9 },
            targets: [{ refId: "A", query: q.llmCalls }, { refId: "B", query: q.llmRetried }],
        }),
        {
            id: 7,
            type: "table",
            title: "Slow or failed agent runs",
            description: "Agent runs (invoke_agent) that failed or took longer than 10 s. Click a trace id to open the trace.",
            datasource: DATASOURCE,
            gridPos: { x: 0, y: 27, w: 24, h: 10 },
            fieldConfig: { defaults: {}, overrides: [] },
            options: { showHeader: true },
            targets: [tempoTarget({ refId: "A", query: q.slowOrFailedRuns }, false)],
        },
    ];
    return {
        uid: "agents",
        title: "Agents",
        description: "Per-step latency, tool errors, tokens per session, queue time and LLM retries, from the agents' traces in Tempo.",
        tags: ["agents", "tracing", "genai"],
        timezone: "browser",
        editable: false,
        graphTooltip: 1,
        schemaVersion: 41,
        version: 1,
        refresh: "1m",
        // TraceQL metrics queries are limited to 3 h by default (query_frontend.metrics.max_duration).
        time: { from: "now-1h", to: "now" },
        templating: { list: [] },
        annotations: { list: [] },
        links: [],
        panels,
    };
}

/** The dashboard as the JSON document Grafana provisions. */
export function agentsDashboardJson(): string {
    return JSON.stringify(agentsDashboard(), null, 2);
}
