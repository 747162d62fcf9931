/**
 * The platform's alerts as code, in one place: every alert (a Grafana-managed rule over the span
 * metrics, or a CloudWatch alarm over what AWS measures), its threshold's meaning, bounds and default,
 * its default `for` duration, and — for the Grafana rules — its PromQL, built only from the series
 * components/tracing/metrics.ts says the collector and Prometheus produce. What each alert means and
 * what to check first: docs/components/alerts.md (each alert's `runbook` anchor).
 */
import {
    COLLECTOR_SPAN_LOSS, GEN_AI_OPERATIONS, KEDA_SCALER_VALUE, kedaSqsMetricPattern, MESSAGING_OPERATIONS, SCRAPE_JOBS, SPAN_LABELS, SPAN_SERIES, STATUS_CODES,
} from "../tracing/metrics";

/** Where an alert is evaluated. */
export const AlertEngine = {
    /** A Grafana-managed rule over the span metrics (Prometheus or AMP): every stack, on AWS or not. */
    Grafana: "grafana",
    /** A CloudWatch alarm: AWS stacks only (components/alerts, the Alerts component). */
    CloudWatch: "cloudwatch",
} as const;
export type AlertEngine = (typeof AlertEngine)[keyof typeof AlertEngine];

/** One alert of the catalog. */
export interface AlertSpec {
    engine: AlertEngine;
    title: string;
    /** What the threshold measures, in words. */
    threshold: string;
    /** Bounds and default of the threshold. */
    min: number;
    max: number;
    defaultThreshold: number;
    /** Default of how long the condition must hold before the alert fires. */
    defaultFor: string;
    /** The alert fires when the value is above (`gt`) or below (`lt`) the threshold. */
    comparison: "gt" | "lt";
    severity: "critical" | "warning";
    /** Anchor of the alert's section in docs/components/alerts.md. */
    runbook: string;
}

/** The catalog. Keys are the alert ids (config keys of `alerts.rules`). */
export const ALERTS = {
    toolErrorRate: {
        engine: AlertEngine.Grafana, title: "Tool error rate", threshold: "share of a tool's calls that failed (0–1)",
        min: 0, max: 1, defaultThreshold: 0.1, defaultFor: "10m", comparison: "gt", severity: "warning", runbook: "tool-error-rate",
    },
    llmRetryRate: {
        engine: AlertEngine.Grafana, title: "LLM retry rate", threshold: "share of a model's LLM calls that needed a retry (0–1)",
        min: 0, max: 1, defaultThreshold: 0.2, defaultFor: "10m", comparison: "gt", severity: "warning", runbook: "llm-retry-rate",
    },
    jobFailureRate: {
        engine: AlertEngine.Grafana, title: "Job failure rate", threshold: "share of a queue's jobs that failed for good (0–1)",
        min: 0, max: 1, defaultThreshold: 0.1, defaultFor: "10m", comparison: "gt", severity: "critical", runbook: "job-failure-rate",
    },
    queueTimeP95: {
        engine: AlertEngine.Grafana, title: "Queue time p95", threshold: "seconds a job waits between enqueue and start (p95)",
        min: 1, max: 86400, defaultThreshold: 120, defaultFor: "10m", comparison: "gt", severity: "warning", runbook: "queue-time-p95",
    },
    stepLatencyP95: {
        engine: AlertEngine.Grafana, title: "Agent step latency p95", threshold: "seconds an agent step takes (p95 of invoke_agent, chat, execute_tool)",
        min: 1, max: 3600, defaultThreshold: 60, defaultFor: "10m", comparison: "gt", severity: "warning", runbook: "agent-step-latency-p95",
    },
    queueNotConsumed: {
        engine: AlertEngine.Grafana, title: "Queue not consumed", threshold: "messages waiting in a queue no worker finished a job from",
        min: 0, max: 100000, defaultThreshold: 0, defaultFor: "10m", comparison: "gt", severity: "critical", runbook: "queue-not-consumed",
    },
    droppedSpans: {
        engine: AlertEngine.Grafana, title: "Collector dropping spans", threshold: "spans per second the collector refused or failed to deliver",
        min: 0, max: 1000000, defaultThreshold: 0, defaultFor: "5m", comparison: "gt", severity: "critical", runbook: "collector-dropping-spans",
    },
    collectorDown: {
        engine: AlertEngine.Grafana, title: "Collector not reporting", threshold: "fewest collector scrape targets that must be up",
        min: 1, max: 100, defaultThreshold: 1, defaultFor: "5m", comparison: "lt", severity: "critical", runbook: "collector-not-reporting",
    },
    queueOldestMessage: {
        engine: AlertEngine.CloudWatch, title: "Oldest message in a queue", threshold: "age in seconds of a queue's oldest message (SQS ApproximateAgeOfOldestMessage)",
        min: 60, max: 1209600, defaultThreshold: 900, defaultFor: "5m", comparison: "gt", severity: "critical", runbook: "oldest-message-in-a-queue",
    },
    cacheMemory: {
        engine: AlertEngine.CloudWatch, title: "Context store memory", threshold: "percent of a node's memory used by data (ElastiCache DatabaseMemoryUsagePercentage)",
        min: 1, max: 100, defaultThreshold: 80, defaultFor: "10m", comparison: "gt", severity: "warning", runbook: "context-store-memory",
    },
    cacheEvictions: {
        engine: AlertEngine.CloudWatch, title: "Context store evictions", threshold: "keys a node evicted per minute (ElastiCache Evictions)",
        min: 0, max: 1000000000, defaultThreshold: 0, defaultFor: "5m", comparison: "gt", severity: "warning", runbook: "context-store-evictions",
    },
    cacheCpu: {
        engine: AlertEngine.CloudWatch, title: "Context store engine CPU", threshold: "percent of a node's engine thread in use (ElastiCache EngineCPUUtilization)",
        min: 1, max: 100, defaultThreshold: 80, defaultFor: "10m", comparison: "gt", severity: "warning", runbook: "context-store-engine-cpu",
    },
} as const satisfies Record<string, AlertSpec>;

export type AlertId = keyof typeof ALERTS;

/** Ids of the alerts of one engine. */
export function alertsOf(engine: AlertEngine): AlertId[] {
    return (Object.keys(ALERTS) as AlertId[]).filter((id) => ALERTS[id].engine === engine);
}

/** A threshold and how long it must be crossed, as configured. */
export interface AlertThreshold {
    threshold: number;
    for: string;
}

/** A queue the "queue not consumed" rule watches. */
export interface WatchedQueue {
    /** SQS name (what the agent's spans and KEDA's metric name carry). */
    name: string;
    /** Longest a job may run, seconds: a worker's next finished job can be this far away. */
    maxJobDurationSeconds: number;
}

/** Window of the rate and ratio rules. */
export const RATE_WINDOW = "10m";
/** Fewest calls in the window before a ratio rule judges a tool, model or queue (one failure in two calls is not a trend). */
export const MIN_CALLS = 5;
/** Slack after the longest job before "no job finished" means "not consumed": span flush, export batching and scrape delays. */
export const CONSUMPTION_MARGIN_SECONDS = 300;

/** A selector of the calls counter. */
function calls(matchers: string): string {
    return `${SPAN_SERIES.calls}{${matchers}}`;
}

/** `failed / all` per group, only where the window saw at least MIN_CALLS. */
function errorRatio(by: string, all: string, failed: string): string {
    const rate = (m: string) => `sum by (${by}) (rate(${calls(m)}[${RATE_WINDOW}]))`;
    return `${rate(failed)} / ${rate(all)} and sum by (${by}) (increase(${calls(all)}[${RATE_WINDOW}])) >= ${MIN_CALLS}`;
}

/** The 95th percentile of a histogram per group. */
function p95(bucket: string, by: string, matchers = ""): string {
    return `histogram_quantile(0.95, sum by (${by}, le) (rate(${bucket}{${matchers}}[${RATE_WINDOW}])))`;
}

/** The window in which a queue with a live consumer must show a finished job. */
export function consumptionWindow(q: WatchedQueue): string {
    return `${Math.ceil((q.maxJobDurationSeconds + CONSUMPTION_MARGIN_SECONDS) / 60)}m`;
}

/**
 * Messages waiting in a queue (KEDA's reading: visible plus in flight) while no worker finished a job
 * from it within the longest job's duration plus a margin; labelled with the queue.
 */
function notConsumed(q: WatchedQueue): string {
    const L = SPAN_LABELS;
    const depth = `max(${KEDA_SCALER_VALUE}{metric=~"${kedaSqsMetricPattern(q.name)}"})`;
    const finished = `sum(increase(${calls(`${L.messagingOperation}="${MESSAGING_OPERATIONS.process}", ${L.queue}="${q.name}"`)}[${consumptionWindow(q)}])) > 0`;
    return `label_replace(${depth} unless (${finished}), "${L.queue}", "${q.name}", "", "")`;
}

/**
 * The PromQL of every Grafana rule: an instant vector whose value the rule compares with its threshold,
 * one series per tool, model, queue or agent step. `queueNotConsumed` has no query without queues.
 */
export function alertQueries(queues: WatchedQueue[]): Partial<Record<AlertId, string>> {
    const L = SPAN_LABELS;
    const op = (name: string) => `${L.operation}="${name}"`;
    const error = `${L.statusCode}="${STATUS_CODES.error}"`;
    const steps = Object.values(GEN_AI_OPERATIONS).join("|");
    const process = `${L.messagingOperation}="${MESSAGING_OPERATIONS.process}"`;
    const lost = Object.values(COLLECTOR_SPAN_LOSS).map((series) => `(sum(rate(${series}[5m])) or vector(0))`).join(" + ");
    return {
        toolErrorRate: errorRatio(L.tool, op(GEN_AI_OPERATIONS.executeTool), `${op(GEN_AI_OPERATIONS.executeTool)}, ${error}`),
        // A chat span carries agent.llm.attempts only when the call succeeded; failed calls (no attempts) are not retries.
        llmRetryRate: errorRatio(L.model, op(GEN_AI_OPERATIONS.chat), `${op(GEN_AI_OPERATIONS.chat)}, ${L.llmAttempts}!~"|1"`),
        jobFailureRate: errorRatio(L.queue, process, `${process}, ${error}`),
        queueTimeP95: p95(SPAN_SERIES.queueTimeBucket, L.queue),
        stepLatencyP95: p95(SPAN_SERIES.durationBucket, L.operation, `${L.operation}=~"${steps}"`),
        ...(queues.length > 0 ? { queueNotConsumed: queues.map(notConsumed).join(" or ") } : {}),
        droppedSpans: lost,
        collectorDown: `count(up{job="${SCRAPE_JOBS.collector}"} == 1) or vector(0)`,
    };
}
