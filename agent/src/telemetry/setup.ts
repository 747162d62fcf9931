/**
 * OpenTelemetry tracing: a tracer provider exporting OTLP/HTTP (JSON) to
 * `OTEL_EXPORTER_OTLP_ENDPOINT` (usually the OpenTelemetry Collector), W3C propagation, and
 * auto-instrumentation of HTTP (Fastify's server), fetch/undici (LLM calls), ioredis and the AWS
 * SDK. Must run before those modules are loaded, which is why `main.ts` loads the roles lazily.
 */
import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { registerInstrumentations } from "@opentelemetry/instrumentation";
import { AwsInstrumentation } from "@opentelemetry/instrumentation-aws-sdk";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { IORedisInstrumentation } from "@opentelemetry/instrumentation-ioredis";
import { UndiciInstrumentation } from "@opentelemetry/instrumentation-undici";
import { defaultResource, resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, type SpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";

/** Options of {@link startTelemetry}. */
export interface TelemetryOptions {
  serviceName: string;
  role: string;
  resourceAttributes: Record<string, string>;
  /** OTLP/HTTP base endpoint; tracing still propagates context when unset, but exports nothing. */
  otlpEndpoint?: string | undefined;
  /** Batch delay; `OTEL_BSP_SCHEDULE_DELAY` (ms), default 5000. */
  scheduleDelayMs?: number;
}

/** Handle to flush and stop telemetry. */
export interface Telemetry {
  shutdown(): Promise<void>;
}

/** Paths that probes hit often and that would only add noise to traces. */
const PROBE_PATHS = new Set(["/healthz", "/readyz"]);

/** The OTLP traces URL for a base endpoint (`http://collector:4318` → `.../v1/traces`). Pure. */
export function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, "")}/v1/traces`;
}

/** Starts tracing and registers the auto-instrumentations. Call once, first thing in `main`. */
export function startTelemetry(opts: TelemetryOptions): Telemetry {
  const resource = defaultResource().merge(
    resourceFromAttributes({ ...opts.resourceAttributes, "service.name": opts.serviceName, "agent.role": opts.role }),
  );
  const spanProcessors: SpanProcessor[] = [];
  if (opts.otlpEndpoint !== undefined) {
    spanProcessors.push(new BatchSpanProcessor({
      exporter: new OTLPTraceExporter({ url: tracesUrl(opts.otlpEndpoint) }),
      scheduledDelayMillis: opts.scheduleDelayMs ?? 5000,
    }));
  }
  const provider = new TracerProvider({ resource, spanProcessors });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new CompositePropagator({
    propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
  }));
  trace.setGlobalTracerProvider(provider);
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => PROBE_PATHS.has((req.url ?? "").split("?")[0] ?? ""),
      }),
      new UndiciInstrumentation(),
      new IORedisInstrumentation(),
      new AwsInstrumentation({ suppressInternalInstrumentation: true }),
    ],
  });
  return {
    async shutdown() {
      try {
        await provider.forceFlush();
        await provider.shutdown();
      } finally {
        unregister();
      }
    },
  };
}
