import * as assert from "node:assert/strict";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import {
    GEN_AI_OPERATIONS, kedaSqsMetricPattern, MESSAGING_OPERATIONS, METRICS_PIPELINE, metricsConnectors, producedSeries, promLabel, promMetricName, SIGNAL_METRICS,
    SPAN_ATTRIBUTES, SPAN_LABELS, SPAN_METRICS_PORT, SPAN_SERIES, SPANMETRICS, SPANMETRICS_DEFAULT_DIMENSIONS, SPANMETRICS_DIMENSIONS,
} from "../../components/tracing/metrics";
import { AGENTS_DASHBOARD_TELEMETRY } from "../../components/tracing/dashboards";
import { COLLECTOR_SCRAPE_PORTS, COLLECTOR_TEMPO_EXPORTER, collectorValues } from "../../components/tracing/values";
import { OTEL_COLLECTOR_IMAGE } from "../../components/shared/versions";
import { agentSource } from "../support/agentSource";

/* eslint-disable @typescript-eslint/no-explicit-any */

/** The collector's config as the chart receives it (rendered to YAML and parsed back). */
function collectorConfig(): any {
    const values = collectorValues({ namespace: "observability", replicas: 2, clusterName: "agents-test", environment: "test" });
    return (parseYaml(toYaml(values)) as { alternateConfig: any }).alternateConfig;
}

describe("span metrics: the one derivation", () => {
    const config = collectorConfig();
    const series = producedSeries();

    it("names series the way the collector's prometheus exporter does (the connector's README and the collector's telemetry)", () => {
        // spanmetrics README: `calls` → calls_total{span_name, service_name, span_kind, status_code}.
        assert.equal(promMetricName("calls", "", "counter"), "calls_total");
        assert.deepEqual(["service.name", "span.name", "span.kind", "status.code"].map(promLabel), ["service_name", "span_name", "span_kind", "status_code"]);
        // Units become suffixes (ms → milliseconds, s → seconds), annotations in braces do not.
        assert.equal(promMetricName("traces.span.metrics.duration", "ms", "histogram"), "traces_span_metrics_duration_milliseconds");
        assert.equal(promMetricName("traces.span.metrics.duration", "s", "histogram"), "traces_span_metrics_duration_seconds");
        assert.equal(promMetricName("agent.llm.input_tokens", "{token}", "counter"), "agent_llm_input_tokens_total");
        assert.equal(promMetricName("otelcol.exporter.send_failed_spans", "{span}", "counter"), "otelcol_exporter_send_failed_spans_total");
        assert.equal(promMetricName("already_total", "", "counter"), "already_total", "no second _total");
        assert.equal(promLabel("9lives"), "key_9lives");
    });

    it("configures spanmetrics from SPANMETRICS: namespace, unit, buckets and the dimensions, explicitly", () => {
        assert.deepEqual(config.connectors, parseYaml(toYaml(metricsConnectors())), "the collector gets metricsConnectors() unchanged");
        const sm = config.connectors[METRICS_PIPELINE.spanmetrics];
        assert.equal(sm.namespace, SPANMETRICS.namespace);
        assert.equal(sm.histogram.unit, "s", "seconds, not the connector's default that is changing");
        assert.deepEqual(sm.histogram.explicit.buckets, SPANMETRICS.durationBuckets);
        for (const b of sm.histogram.explicit.buckets) assert.match(b, /^\d+(ms|s)$/, `bucket ${b} is a Go duration`);
        assert.deepEqual(sm.dimensions.map((d: { name: string }) => d.name), [...SPANMETRICS_DIMENSIONS]);
        assert.ok(!SPANMETRICS_DIMENSIONS.some((d) => (SPANMETRICS_DEFAULT_DIMENSIONS as readonly string[]).includes(d)), "the connector refuses a duplicate of its default dimensions");
    });

    it("lists, for the spanmetrics series, exactly the labels the configured dimensions produce", () => {
        const sm = config.connectors[METRICS_PIPELINE.spanmetrics];
        const fromConfig = [...SPANMETRICS_DEFAULT_DIMENSIONS, ...sm.dimensions.map((d: { name: string }) => d.name)].map(promLabel);
        for (const name of [SPAN_SERIES.calls, SPAN_SERIES.durationBucket]) {
            const spec = series.get(name);
            assert.ok(spec, `${name} is produced`);
            for (const label of fromConfig) assert.ok(spec.labels.includes(label), `${name} carries ${label}`);
            const spanLabels = spec.labels.filter((l) => !["job", "instance", "pod", "le", "otel_scope_name", "otel_scope_version", "exported_job", "exported_instance"].includes(l));
            assert.deepEqual(spanLabels.sort(), [...fromConfig].sort(), `${name}: no label the configuration does not produce`);
        }
        assert.equal(SPAN_SERIES.calls, "traces_span_metrics_calls_total");
        assert.equal(SPAN_SERIES.durationBucket, "traces_span_metrics_duration_seconds_bucket");
        assert.ok(series.get("traces_span_metrics_duration_seconds_bucket")!.labels.includes("le"));
    });

    it("derives token sums and the queue-time histogram with signaltometrics, only from the spans that carry them", () => {
        const spans = config.connectors[METRICS_PIPELINE.signaltometrics].spans;
        assert.deepEqual(spans.map((s: { name: string }) => s.name), [SIGNAL_METRICS.inputTokens.name, SIGNAL_METRICS.outputTokens.name, SIGNAL_METRICS.queueTime.name]);
        const [input, output, queue] = spans;
        // invoke_agent carries the run's totals: only chat spans count, or every token would count twice.
        assert.match(input.conditions[0], /attributes\["gen_ai\.operation\.name"\] == "chat" and attributes\["gen_ai\.usage\.input_tokens"\] != nil/);
        assert.match(output.conditions[0], /"chat" and attributes\["gen_ai\.usage\.output_tokens"\] != nil/);
        assert.equal(input.sum.value, 'Int(attributes["gen_ai.usage.input_tokens"])');
        assert.equal(queue.histogram.value, 'Double(attributes["agent.job.queue_time_ms"]) / 1000.0', "milliseconds to the histogram's seconds");
        assert.equal(queue.unit, "s");
        assert.deepEqual(queue.attributes, [{ key: "messaging.destination.name" }]);
        assert.ok(queue.histogram.buckets.every((b: number, i: number, all: number[]) => i === 0 || b > all[i - 1]), "increasing buckets");
        assert.equal(SPAN_SERIES.queueTimeBucket, "agent_job_queue_time_seconds_bucket");
        assert.equal(SPAN_SERIES.inputTokens, "agent_llm_input_tokens_total");
        for (const name of [SPAN_SERIES.queueTimeBucket, SPAN_SERIES.inputTokens, SPAN_SERIES.outputTokens]) assert.ok(series.has(name), name);
        assert.ok(series.get(SPAN_SERIES.queueTimeBucket)!.labels.includes(SPAN_LABELS.queue));
        assert.ok(series.get(SPAN_SERIES.inputTokens)!.labels.includes(SPAN_LABELS.model));
    });

    it("wires the pipelines: spans to Tempo and both connectors; the connectors' metrics through deltatocumulative to the prometheus exporter", () => {
        const pipelines = config.service.pipelines;
        assert.deepEqual(pipelines.traces.exporters, [COLLECTOR_TEMPO_EXPORTER, METRICS_PIPELINE.spanmetrics, METRICS_PIPELINE.signaltometrics]);
        const metrics = pipelines[METRICS_PIPELINE.pipeline];
        assert.deepEqual(metrics.receivers, [METRICS_PIPELINE.spanmetrics, METRICS_PIPELINE.signaltometrics]);
        assert.deepEqual(metrics.processors, ["memory_limiter", METRICS_PIPELINE.deltaToCumulative, "batch"]);
        assert.deepEqual(metrics.exporters, [METRICS_PIPELINE.exporter]);
        for (const [name, p] of Object.entries<any>(pipelines)) {
            for (const r of p.receivers) assert.ok(config.receivers[r] ?? config.connectors[r], `${name}: receiver ${r} is defined`);
            for (const x of p.processors) assert.ok(config.processors[x], `${name}: processor ${x} is defined`);
            for (const e of p.exporters) assert.ok(config.exporters[e] ?? config.connectors[e], `${name}: exporter ${e} is defined`);
        }
        const exporter = config.exporters[METRICS_PIPELINE.exporter];
        assert.equal(exporter.endpoint, `\${env:MY_POD_IP}:${SPAN_METRICS_PORT}`);
        assert.equal(exporter.translation_strategy, "UnderscoreEscapingWithSuffixes");
    });

    it("runs the contrib collector (signaltometrics and the prometheus exporter are not in otelcol-k8s) and opens the span metrics port", () => {
        const values = collectorValues({ namespace: "observability", replicas: 1, clusterName: "c", environment: "dev" });
        assert.equal(values.image.repository, OTEL_COLLECTOR_IMAGE.repository);
        assert.equal(values.command.name, "otelcol-contrib");
        const ports = values.ports as Record<string, { enabled: boolean; containerPort?: number }>;
        assert.equal(ports[COLLECTOR_SCRAPE_PORTS.spanMetrics].containerPort, SPAN_METRICS_PORT);
        assert.equal(ports[COLLECTOR_SCRAPE_PORTS.telemetry].enabled, true);
        assert.ok(COLLECTOR_SCRAPE_PORTS.spanMetrics.length <= 15, "a container port name has at most 15 characters");
    });

    it("names KEDA's SQS scaler metric as KEDA does: s<trigger>-aws-sqs-<queue>", () => {
        const pattern = new RegExp(`^${kedaSqsMetricPattern("prod-jobs")}$`);
        assert.match("s0-aws-sqs-prod-jobs", pattern);
        assert.doesNotMatch("s0-aws-sqs-prod-jobs-dlq", pattern);
        assert.doesNotMatch("s0-aws-sqs-prod-local-jobs", pattern);
    });

    describe("against the reference agent's code (agent/src)", () => {
        const source = agentSource();

        it("reads only span attributes the agent sets", () => {
            for (const attribute of Object.values(SPAN_ATTRIBUTES)) assert.ok(source.includes(`"${attribute}"`), `the agent sets ${attribute}`);
        });

        it("selects only operation values the agent writes", () => {
            for (const value of [...Object.values(GEN_AI_OPERATIONS), ...Object.values(MESSAGING_OPERATIONS)]) assert.ok(source.includes(`"${value}"`), value);
        });

        it("covers every attribute the Agents dashboard groups by, except the per-session conversation id (unbounded: traces only)", () => {
            const dashboard = new Set(AGENTS_DASHBOARD_TELEMETRY.flatMap((p) => p.attributes));
            const metrics = new Set<string>([...SPANMETRICS_DIMENSIONS, ...Object.values(SIGNAL_METRICS).map((m) => m.attribute)]);
            assert.deepEqual([...dashboard].filter((a) => !metrics.has(a)), ["gen_ai.conversation.id"]);
        });
    });
});
