/**
 * Tempo's answers, read: the TraceQL search that finds a job's trace by the `agent.job.id` attribute the
 * API's `send` span and the worker's `process` span carry, the trace itself (OTLP JSON, as
 * `/api/v2/traces/<id>` and `/api/traces/<id>` return it), and the check that it links the API, the
 * worker and the LLM. Pure: JSON in, spans and problems out.
 */

/** One span, flattened from OTLP JSON. */
export interface Span {
    traceId: string;
    spanId: string;
    parentSpanId: string;
    name: string;
    /** OTLP span kind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer (0 unspecified). */
    kind: number;
    /** `service.name` of its resource. */
    service: string;
    attributes: Record<string, unknown>;
}

/** OTLP span kinds by name (JSON may carry the number or the enum's name). */
const KINDS: Record<string, number> = {
    SPAN_KIND_UNSPECIFIED: 0, SPAN_KIND_INTERNAL: 1, SPAN_KIND_SERVER: 2, SPAN_KIND_CLIENT: 3, SPAN_KIND_PRODUCER: 4, SPAN_KIND_CONSUMER: 5,
};
export const SERVER = 2;

/** The TraceQL query of a job's spans. */
export function jobTraceQuery(jobId: string): string {
    return `{ span.agent.job.id = ${JSON.stringify(jobId)} }`;
}

/** The search URL (path and query) of a job's trace in the last `windowSeconds` before `nowSeconds`. */
export function searchPath(jobId: string, nowSeconds: number, windowSeconds: number): string {
    const q = new URLSearchParams({ q: jobTraceQuery(jobId), start: String(nowSeconds - windowSeconds), end: String(nowSeconds + 60), limit: "5" });
    return `/api/search?${q.toString()}`;
}

/** Trace ids of a search response (`{ traces: [{ traceID }] }`), most recent first as Tempo lists them. */
export function traceIdsOf(search: unknown): string[] {
    const traces = (search as { traces?: { traceID?: unknown }[] } | null)?.traces;
    if (!Array.isArray(traces)) throw new Error("not a Tempo search response (no `traces` list)");
    return traces.map((t) => t.traceID).filter((id): id is string => typeof id === "string" && id.length > 0);
}

/** A span or trace id as lower-case hex, whether the JSON holds hex or base64 (Tempo's v1 JSON does). */
export function hexId(id: unknown): string {
    if (typeof id !== "string" || id === "") return "";
    if (/^[0-9a-fA-F]{16}$|^[0-9a-fA-F]{32}$/.test(id)) return id.toLowerCase();
    return Buffer.from(id, "base64").toString("hex");
}

/** The value of an OTLP `AnyValue`. */
function anyValue(v: unknown): unknown {
    if (!v || typeof v !== "object") return undefined;
    const o = v as Record<string, unknown>;
    if ("stringValue" in o) return o.stringValue;
    if ("intValue" in o) return Number(o.intValue);
    if ("doubleValue" in o) return Number(o.doubleValue);
    if ("boolValue" in o) return o.boolValue;
    if ("arrayValue" in o) return ((o.arrayValue as { values?: unknown[] }).values ?? []).map(anyValue);
    return undefined;
}

function attributes(list: unknown): Record<string, unknown> {
    return Object.fromEntries((Array.isArray(list) ? list : []).map((kv: { key: string; value: unknown }) => [kv.key, anyValue(kv.value)]));
}

/**
 * The spans of a trace response: `{ trace: { resourceSpans } }` (v2), `{ batches }` (v1) or bare
 * `{ resourceSpans }`; scope spans under `scopeSpans` or the older `instrumentationLibrarySpans`.
 */
export function spansOf(response: unknown): Span[] {
    const r = (response ?? {}) as Record<string, unknown>;
    const body = (r.trace ?? r) as Record<string, unknown>;
    const resources = (body.resourceSpans ?? body.batches) as unknown[] | undefined;
    if (!Array.isArray(resources)) throw new Error("not a Tempo trace response (no resourceSpans or batches)");
    return resources.flatMap((rs) => {
        const res = rs as { resource?: { attributes?: unknown }; scopeSpans?: unknown[]; instrumentationLibrarySpans?: unknown[] };
        const service = String(attributes(res.resource?.attributes)["service.name"] ?? "");
        return (res.scopeSpans ?? res.instrumentationLibrarySpans ?? []).flatMap((ss) => ((ss as { spans?: unknown[] }).spans ?? []).map((s) => {
            const span = s as Record<string, unknown>;
            const kind = typeof span.kind === "number" ? span.kind : KINDS[String(span.kind)] ?? 0;
            return {
                traceId: hexId(span.traceId), spanId: hexId(span.spanId), parentSpanId: hexId(span.parentSpanId),
                name: String(span.name ?? ""), kind, service, attributes: attributes(span.attributes),
            };
        }));
    });
}

/** What a job's trace must show. */
export interface TraceExpectations {
    /** `service.name` of the api agent (its workload name). */
    apiService: string;
    /** `service.name` of the worker. */
    workerService: string;
    /** The model, as in `chat <model>`. */
    model: string;
    /** A tool the job makes the model call, as in `execute_tool <tool>`. */
    tool: string;
}

/** The ancestors of a span within `spans`, nearest first (bounded: a broken parent loop ends it). */
export function ancestors(span: Span, spans: Span[]): Span[] {
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const out: Span[] = [];
    for (let cur = byId.get(span.parentSpanId); cur !== undefined && out.length < spans.length; cur = byId.get(cur.parentSpanId)) out.push(cur);
    return out;
}

/**
 * Problems of a job's trace; none when one trace leads from the API's HTTP request, through the queue,
 * to the worker's `chat <model>` and `execute_tool <tool>` spans.
 */
export function traceProblems(spans: Span[], e: TraceExpectations): string[] {
    if (spans.length === 0) return ["the trace has no spans"];
    const problems: string[] = [];
    const traceIds = new Set(spans.map((s) => s.traceId));
    if (traceIds.size !== 1) problems.push(`the spans belong to ${traceIds.size} traces`);
    const apiServer = spans.find((s) => s.service === e.apiService && s.kind === SERVER);
    if (!apiServer) problems.push(`no server span of ${e.apiService} (the API request)`);
    if (!spans.some((s) => s.service === e.workerService)) problems.push(`no span of ${e.workerService} (the worker)`);
    const chat = spans.find((s) => s.name === `chat ${e.model}` && s.service === e.workerService);
    if (!chat) problems.push(`no "chat ${e.model}" span of ${e.workerService} (the LLM call)`);
    if (!spans.some((s) => s.name === "invoke_agent" && s.service === e.workerService)) problems.push(`no "invoke_agent" span of ${e.workerService}`);
    if (!spans.some((s) => s.name === `execute_tool ${e.tool}` && s.service === e.workerService)) problems.push(`no "execute_tool ${e.tool}" span of ${e.workerService} (the tool call)`);
    if (chat && apiServer && !ancestors(chat, spans).some((s) => s.spanId === apiServer.spanId)) {
        problems.push(`the LLM call does not descend from the API request: the trace context was lost between ${e.apiService} and ${e.workerService}`);
    }
    return problems;
}

/** The trace as an indented tree, one line per span (for the run's log). */
export function traceTree(spans: Span[]): string[] {
    const ids = new Set(spans.map((s) => s.spanId));
    const children = (parent: string) => spans.filter((s) => s.parentSpanId === parent || (parent === "" && !ids.has(s.parentSpanId)));
    const lines: string[] = [];
    const walk = (parent: string, depth: number) => {
        for (const s of children(parent)) {
            if (lines.length >= 200) return;
            lines.push(`${"  ".repeat(depth)}${s.name} [${s.service}]`);
            if (depth < 30) walk(s.spanId, depth + 1);
        }
    };
    walk("", 0);
    return lines;
}
