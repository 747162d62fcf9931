/**
 * OpenTelemetry through `@opentelemetry/sdk-node`, configured by the standard `OTEL_*` variables
 * (`OTEL_SDK_DISABLED`, `OTEL_TRACES_SAMPLER`, `OTEL_EXPORTER_OTLP_*`, `OTEL_BSP_*`,
 * `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_SERVICE_NAME`, `OTEL_PROPAGATORS`, ...), plus the
 * auto-instrumentation of HTTP (Fastify's server), fetch/undici (LLM calls), ioredis and the AWS
 * SDK. Must run before those modules are loaded, which is why `main.ts` loads the roles lazily.
 *
 * Two defaults differ from the SDK's, so an agent without a collector stays quiet: traces are
 * exported only when an OTLP endpoint (or `OTEL_TRACES_EXPORTER`) is set, and metrics and logs only
 * when `OTEL_METRICS_EXPORTER` / `OTEL_LOGS_EXPORTER` ask for them.
 */
import { AwsInstrumentation } from "@opentelemetry/instrumentation-aws-sdk";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { IORedisInstrumentation } from "@opentelemetry/instrumentation-ioredis";
import { UndiciInstrumentation } from "@opentelemetry/instrumentation-undici";
import { defaultResource, resourceFromAttributes } from "@opentelemetry/resources";
import { NodeSDK } from "@opentelemetry/sdk-node";

/** Handle to flush and stop telemetry. */
export interface Telemetry {
  shutdown(): Promise<void>;
}

type Env = Record<string, string | undefined>;

/** Paths that probes hit often and that would only add noise to traces. */
const PROBE_PATHS = new Set(["/healthz", "/readyz"]);

/** Whether the environment sets `name` to something other than blanks. Pure. */
function isSet(env: Env, name: string): boolean {
  return (env[name] ?? "").trim() !== "";
}

/** Whether the environment asks for trace export (an exporter or an OTLP endpoint is set). Pure. */
export function tracesExported(env: Env): boolean {
  return ["OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"].some((name) => isSet(env, name));
}

/** Starts the SDK and registers the instrumentations. Call once, first thing in `main`. */
export function startTelemetry(opts: { role: string; serviceName: string; env: Env }): Telemetry {
  const sdk = new NodeSDK({
    // Merged under the environment's resource attributes (OTEL_RESOURCE_ATTRIBUTES wins).
    resource: defaultResource().merge(resourceFromAttributes({ "agent.role": opts.role })),
    serviceName: opts.serviceName,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => PROBE_PATHS.has((req.url ?? "").split("?")[0] ?? ""),
      }),
      new UndiciInstrumentation(),
      new IORedisInstrumentation(),
      new AwsInstrumentation({ suppressInternalInstrumentation: true }),
    ],
    ...(tracesExported(opts.env) ? {} : { spanProcessors: [] }),
    ...(isSet(opts.env, "OTEL_METRICS_EXPORTER") ? {} : { metricReaders: [] }),
    ...(isSet(opts.env, "OTEL_LOGS_EXPORTER") ? {} : { logRecordProcessors: [] }),
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
