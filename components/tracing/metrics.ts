/**
 * The metrics beside the traces, in one place (docs/architecture.md §16): which span attributes the
 * collector's connectors turn into metrics (`spanmetrics`: calls, errors and duration per agent step,
 * tool, model and queue; `signaltometrics`: token sums and the queue-time histogram), how those
 * connectors are configured, what Prometheus scrapes, and the Prometheus series all of it produces
 * (names and labels after the `prometheus` exporter's translation). The alert rules
 * (components/alerts/rules.ts) select only series listed here, and the tests hold every rule's query
 * to this catalog and the catalog to the reference agent's code.
 */

/** Span attributes the metrics read: the reference agent's telemetry contract (docs/architecture.md §13). */
export const SPAN_ATTRIBUTES = {
    /** Agent step: `invoke_agent`, `chat` or `execute_tool`. */
    operation: "gen_ai.operation.name",
    /** Tool of an `execute_tool` span. */
    tool: "gen_ai.tool.name",
    /** Model of a `chat` (and `invoke_agent`) span. */
    model: "gen_ai.request.model",
    /** Attempts an LLM call took (set on a `chat` span that succeeded; more than 1 means it was retried). */
    llmAttempts: "agent.llm.attempts",
    /** Input and output tokens of a `chat` span (`invoke_agent` carries the run's totals, not counted again). */
    inputTokens: "gen_ai.usage.input_tokens",
    outputTokens: "gen_ai.usage.output_tokens",
    /** `send` (the api enqueues a job) or `process` (a worker runs it). */
    messagingOperation: "messaging.operation.type",
    /** SQS name of the job's queue. */
    queue: "messaging.destination.name",
    /** Milliseconds a job waited in the queue before a worker started it (on the `process` span). */
    queueTimeMs: "agent.job.queue_time_ms",
} as const;

/** Values of `gen_ai.operation.name` the agent writes. */
export const GEN_AI_OPERATIONS = { invokeAgent: "invoke_agent", chat: "chat", executeTool: "execute_tool" } as const;
/** Values of `messaging.operation.type` the agent writes. */
export const MESSAGING_OPERATIONS = { send: "send", process: "process" } as const;

/** Dimensions the spanmetrics connector puts on every series, whatever it is configured with (its README). */
export const SPANMETRICS_DEFAULT_DIMENSIONS = ["service.name", "span.name", "span.kind", "status.code"] as const;
/** Values of the `status.code` dimension (the OTLP enum names, as the connector writes them). */
export const STATUS_CODES = { unset: "STATUS_CODE_UNSET", ok: "STATUS_CODE_OK", error: "STATUS_CODE_ERROR" } as const;
/** Values of the `span.kind` dimension. */
export const SPAN_KINDS = {
    internal: "SPAN_KIND_INTERNAL", server: "SPAN_KIND_SERVER", client: "SPAN_KIND_CLIENT", producer: "SPAN_KIND_PRODUCER", consumer: "SPAN_KIND_CONSUMER",
} as const;

/**
 * Span attributes added as spanmetrics dimensions. Each is bounded by code, not by users: operation
 * names, tool names, models, a small attempt count, two messaging operations, the stack's queues.
 * Never the conversation or job id.
 */
export const SPANMETRICS_DIMENSIONS = [
    SPAN_ATTRIBUTES.operation, SPAN_ATTRIBUTES.tool, SPAN_ATTRIBUTES.model, SPAN_ATTRIBUTES.llmAttempts,
    SPAN_ATTRIBUTES.messagingOperation, SPAN_ATTRIBUTES.queue,
] as const;

/** Settings of the spanmetrics connector, set explicitly rather than left to defaults that change between releases. */
export const SPANMETRICS = {
    /** Prefix of the metric names (the connector's default since v0.9x, pinned here). */
    namespace: "traces.span.metrics",
    /** Unit of the duration histogram: seconds, the semantic conventions' unit (the connector's default is moving from ms to s). */
    durationUnit: "s",
    /** Histogram buckets, from fast tool calls to long agent runs. */
    durationBuckets: ["5ms", "10ms", "25ms", "50ms", "100ms", "250ms", "500ms", "1s", "2500ms", "5s", "10s", "30s", "60s", "120s", "300s"],
    /** How often the connector emits. */
    flushInterval: "15s",
    /** Series of a pod that stopped sending spans disappear after this (the exporter keeps them as long). */
    expiration: "5m",
} as const;

/** The `signaltometrics` metrics: what spanmetrics cannot compute (sums and distributions of attribute values). */
export const SIGNAL_METRICS = {
    inputTokens: {
        name: "agent.llm.input_tokens", unit: "{token}", description: "Input tokens of LLM calls",
        attribute: SPAN_ATTRIBUTES.inputTokens, dimensions: [SPAN_ATTRIBUTES.model],
    },
    outputTokens: {
        name: "agent.llm.output_tokens", unit: "{token}", description: "Output tokens of LLM calls",
        attribute: SPAN_ATTRIBUTES.outputTokens, dimensions: [SPAN_ATTRIBUTES.model],
    },
    queueTime: {
        name: "agent.job.queue_time", unit: "s", description: "Time a job waited in its queue before a worker started it",
        attribute: SPAN_ATTRIBUTES.queueTimeMs, dimensions: [SPAN_ATTRIBUTES.queue],
        /** Buckets in seconds, up to the SQS retention horizon of a backlog. */
        buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
    },
} as const;

/** Names of the collector's pipeline pieces that carry metrics. */
export const METRICS_PIPELINE = {
    spanmetrics: "spanmetrics",
    signaltometrics: "signaltometrics",
    deltaToCumulative: "deltatocumulative",
    exporter: "prometheus",
    pipeline: "metrics/spans",
} as const;

/** Port of the collector's `prometheus` exporter (the span metrics); 8888 serves the collector's own telemetry. */
export const SPAN_METRICS_PORT = 8889;

/** Scrape jobs of the platform's Prometheus (the `job` label of what they collect). */
export const SCRAPE_JOBS = {
    /** The collector's pods: span metrics (8889) and the collector's own telemetry (8888). */
    collector: "otel-collector",
    /** The KEDA operator: the queue depth its scalers read. */
    keda: "keda-operator",
} as const;

/** The connectors' configuration (the collector's `connectors:` section), derived from the settings above. */
export function metricsConnectors() {
    const s = SIGNAL_METRICS;
    const chatWith = (attribute: string) => `attributes["${SPAN_ATTRIBUTES.operation}"] == "${GEN_AI_OPERATIONS.chat}" and attributes["${attribute}"] != nil`;
    const tokens = (m: typeof s.inputTokens | typeof s.outputTokens) => ({
        name: m.name, description: m.description, unit: m.unit,
        conditions: [chatWith(m.attribute)],
        attributes: m.dimensions.map((key) => ({ key })),
        sum: { value: `Int(attributes["${m.attribute}"])` },
    });
    return {
        [METRICS_PIPELINE.spanmetrics]: {
            namespace: SPANMETRICS.namespace,
            histogram: { unit: SPANMETRICS.durationUnit, explicit: { buckets: [...SPANMETRICS.durationBuckets] } },
            dimensions: SPANMETRICS_DIMENSIONS.map((name) => ({ name })),
            metrics_flush_interval: SPANMETRICS.flushInterval,
            metrics_expiration: SPANMETRICS.expiration,
        },
        [METRICS_PIPELINE.signaltometrics]: {
            spans: [
                tokens(s.inputTokens),
                tokens(s.outputTokens),
                {
                    name: s.queueTime.name, description: s.queueTime.description, unit: s.queueTime.unit,
                    conditions: [`attributes["${s.queueTime.attribute}"] != nil`],
                    attributes: s.queueTime.dimensions.map((key) => ({ key })),
                    histogram: { buckets: [...s.queueTime.buckets], value: `Double(attributes["${s.queueTime.attribute}"]) / 1000.0` },
                },
            ],
        },
    };
}

// --- Prometheus names (the `prometheus` exporter's UnderscoreEscapingWithSuffixes translation) ---

/** Units as the Prometheus translation spells them in suffixes (the subset this platform uses). */
const UNIT_SUFFIX: Record<string, string> = { s: "seconds", ms: "milliseconds", "1": "" };

/** A label name from an attribute key: every character outside [a-zA-Z0-9_] becomes `_` (a leading digit gets `key_`). */
export function promLabel(attribute: string): string {
    const name = attribute.replace(/[^a-zA-Z0-9_]/g, "_");
    return /^[0-9]/.test(name) ? `key_${name}` : name;
}

/** The kind of an OTel metric, as far as the translation's suffixes go. */
export type MetricKind = "counter" | "histogram" | "gauge";

/**
 * The Prometheus name of an OTel metric: runs of characters outside [a-zA-Z0-9] to one `_`, the unit as
 * a suffix (annotations in braces such as `{token}` dropped), `_total` for a counter.
 */
export function promMetricName(name: string, unit: string, kind: MetricKind): string {
    let out = name.split(/[^a-zA-Z0-9]+/).filter(Boolean).join("_");
    const suffix = unit.startsWith("{") ? "" : UNIT_SUFFIX[unit] ?? promLabel(unit);
    if (suffix && !out.endsWith(`_${suffix}`)) out += `_${suffix}`;
    return kind === "counter" && !out.endsWith("_total") ? `${out}_total` : out;
}

/** A Prometheus series the platform produces: its name and every label its samples may carry. */
export interface SeriesSpec {
    name: string;
    labels: readonly string[];
    /** What produces it. */
    source: string;
}

/** Labels Prometheus adds to everything it scrapes (the job, the target, and the pod from service discovery). */
export const TARGET_LABELS = ["job", "instance", "pod"] as const;
/**
 * Labels the collector's `prometheus` exporter adds to every series it serves: the instrumentation
 * scope, and the sender's `service.name`/`service.instance.id` as `job`/`instance`, which Prometheus
 * keeps as `exported_job`/`exported_instance` beside its own target labels.
 */
const EXPORTER_LABELS = ["otel_scope_name", "otel_scope_version", "exported_job", "exported_instance"] as const;

/** The series of one histogram: `_bucket` (with `le`), `_sum` and `_count`. */
function histogramSeries(base: string, labels: readonly string[], source: string): SeriesSpec[] {
    return [
        { name: `${base}_bucket`, labels: [...labels, "le"], source },
        { name: `${base}_sum`, labels, source },
        { name: `${base}_count`, labels, source },
    ];
}

/**
 * Prometheus names of the span and signal metrics (a histogram's without its `_bucket`, `_sum` and
 * `_count` suffixes): what the series list and SPAN_SERIES both derive from.
 */
const METRIC_NAMES = {
    calls: promMetricName(`${SPANMETRICS.namespace}.calls`, "", "counter"),
    duration: promMetricName(`${SPANMETRICS.namespace}.duration`, SPANMETRICS.durationUnit, "histogram"),
    inputTokens: promMetricName(SIGNAL_METRICS.inputTokens.name, SIGNAL_METRICS.inputTokens.unit, "counter"),
    outputTokens: promMetricName(SIGNAL_METRICS.outputTokens.name, SIGNAL_METRICS.outputTokens.unit, "counter"),
    queueTime: promMetricName(SIGNAL_METRICS.queueTime.name, SIGNAL_METRICS.queueTime.unit, "histogram"),
} as const;

/** Series of the spanmetrics connector. */
function spanmetricsSeries(): SeriesSpec[] {
    const labels = [...SPANMETRICS_DEFAULT_DIMENSIONS, ...SPANMETRICS_DIMENSIONS].map(promLabel);
    const all = [...TARGET_LABELS, ...EXPORTER_LABELS, ...labels];
    const source = "spanmetrics connector";
    return [
        { name: METRIC_NAMES.calls, labels: all, source },
        ...histogramSeries(METRIC_NAMES.duration, all, source),
    ];
}

/** Series of the signaltometrics connector. */
function signalSeries(): SeriesSpec[] {
    const source = "signaltometrics connector";
    const labels = (dims: readonly string[]) => [...TARGET_LABELS, ...EXPORTER_LABELS, ...dims.map(promLabel)];
    const { inputTokens, outputTokens, queueTime } = SIGNAL_METRICS;
    return [
        { name: METRIC_NAMES.inputTokens, labels: labels(inputTokens.dimensions), source },
        { name: METRIC_NAMES.outputTokens, labels: labels(outputTokens.dimensions), source },
        ...histogramSeries(METRIC_NAMES.queueTime, labels(queueTime.dimensions), source),
    ];
}

/**
 * The collector's own telemetry (port 8888) that says spans were lost: refused by a receiver (the
 * memory limiter sheds load), failed to enter an exporter's queue (queue full), failed for good to
 * reach Tempo (after the exporter's retries). Names and labels as the collector's Prometheus reader
 * exposes them (`otelcol_exporter_send_failed_spans_total{exporter="otlp_grpc/tempo"}`).
 */
export const COLLECTOR_SPAN_LOSS = {
    refused: "otelcol_receiver_refused_spans_total",
    enqueueFailed: "otelcol_exporter_enqueue_failed_spans_total",
    sendFailed: "otelcol_exporter_send_failed_spans_total",
} as const;

function collectorSeries(): SeriesSpec[] {
    const source = "collector telemetry";
    return [
        { name: COLLECTOR_SPAN_LOSS.refused, labels: [...TARGET_LABELS, "receiver", "transport"], source },
        { name: COLLECTOR_SPAN_LOSS.enqueueFailed, labels: [...TARGET_LABELS, "exporter"], source },
        { name: COLLECTOR_SPAN_LOSS.sendFailed, labels: [...TARGET_LABELS, "exporter"], source },
    ];
}

/**
 * KEDA operator metric: the value each scaler last read (for the SQS scaler, the queue's visible plus
 * in-flight messages). Labels from KEDA's prommetrics collector; `metric` is `s<trigger>-aws-sqs-<queue>`.
 */
export const KEDA_SCALER_VALUE = "keda_scaler_metrics_value";

/** The `metric` label KEDA gives the SQS scaler of a queue (GenerateMetricNameWithIndex + `aws-sqs-<queue name>`). */
export function kedaSqsMetricPattern(queueName: string): string {
    return `s[0-9]+-aws-sqs-${queueName}`;
}

/** Every series the platform's Prometheus holds, by name. */
export function producedSeries(): Map<string, SeriesSpec> {
    const all: SeriesSpec[] = [
        ...spanmetricsSeries(),
        ...signalSeries(),
        ...collectorSeries(),
        { name: KEDA_SCALER_VALUE, labels: [...TARGET_LABELS, "namespace", "metric", "scaledObject", "scaler", "triggerIndex", "type"], source: "KEDA operator" },
        { name: "up", labels: [...TARGET_LABELS], source: "Prometheus (one per scrape target)" },
    ];
    return new Map(all.map((s) => [s.name, s]));
}

/** The Prometheus names of the span metrics, for queries and dashboards. */
export const SPAN_SERIES = {
    calls: METRIC_NAMES.calls,
    durationBucket: `${METRIC_NAMES.duration}_bucket`,
    inputTokens: METRIC_NAMES.inputTokens,
    outputTokens: METRIC_NAMES.outputTokens,
    queueTimeBucket: `${METRIC_NAMES.queueTime}_bucket`,
} as const;

/** Label names of the span attributes, for queries. */
export const SPAN_LABELS = {
    operation: promLabel(SPAN_ATTRIBUTES.operation),
    tool: promLabel(SPAN_ATTRIBUTES.tool),
    model: promLabel(SPAN_ATTRIBUTES.model),
    llmAttempts: promLabel(SPAN_ATTRIBUTES.llmAttempts),
    messagingOperation: promLabel(SPAN_ATTRIBUTES.messagingOperation),
    queue: promLabel(SPAN_ATTRIBUTES.queue),
    statusCode: promLabel("status.code"),
    spanKind: promLabel("span.kind"),
} as const;
