/**
 * Configuration from the environment, validated once at start.
 *
 * `loadConfig` is a pure function of an env object: it either returns a complete {@link Config}
 * or throws a {@link ConfigError} listing one clear message per bad variable. Secrets (the LLM API
 * key, the Redis password) are kept in the config object but never rendered by `describeConfig`.
 */

/** The two roles one image can run as. */
export const Roles = { api: "api", worker: "worker" } as const;
/** A role name: `api` or `worker`. */
export type Role = (typeof Roles)[keyof typeof Roles];

/** Log levels accepted in `LOG_LEVEL`. */
export const LogLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** The validated configuration of one process. */
export interface Config {
  role: Role;
  port: number;
  host: string;
  logLevel: string;
  redisUrl: string;
  redisPassword: string | undefined;
  /** Cluster-mode Redis/Valkey (an ioredis Cluster client). */
  redisCluster: boolean;
  redisConnectTimeoutMs: number;
  redisCommandTimeoutMs: number;
  queueUrl: string;
  awsRegion: string;
  sqsEndpoint: string | undefined;
  sqsWaitTimeSeconds: number;
  sqsConnectTimeoutMs: number;
  /** Per SQS call (a long poll gets its wait time on top). */
  sqsRequestTimeoutMs: number;
  sqsMaxAttempts: number;
  /** Bound on the SQS send inside `POST /v1/jobs`; past it the job is withdrawn and the API answers 503. */
  enqueueTimeoutMs: number;
  /** Outbox entries older than this are sent by the relay (the API's own send had its chance). */
  outboxRelayAfterMs: number;
  outboxRelayIntervalMs: number;
  llmBaseUrl: string;
  llmModel: string;
  llmApiKey: string | undefined;
  llmProviderName: string;
  llmTimeoutMs: number;
  llmMaxAttempts: number;
  agentMaxToolRounds: number;
  sessionTtlSeconds: number;
  sessionMaxMessages: number;
  chatMaxDurationMs: number;
  workerConcurrency: number;
  jobMaxDurationMs: number;
  jobRetryDelaySeconds: number;
  jobTtlSeconds: number;
  idempotencyTtlSeconds: number;
  shutdownGraceMs: number;
  maxBodyBytes: number;
  /** `service.name` when `OTEL_SERVICE_NAME` is unset: `agent-<role>`. */
  serviceName: string;
}

/** Thrown by {@link loadConfig}; `problems` has one message per bad variable. */
export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

/** Collects values and problems while reading an env object. */
class EnvReader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  raw(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v.trim() === "" ? undefined : v.trim();
  }

  required(name: string, hint: string): string {
    const v = this.raw(name);
    if (v === undefined) this.problems.push(`${name} is required (${hint})`);
    return v ?? "";
  }

  int(name: string, def: number, min: number, max: number): number {
    const v = this.raw(name);
    if (v === undefined) return def;
    if (!/^-?\d+$/.test(v)) {
      this.problems.push(`${name} must be an integer between ${min} and ${max}, got "${v}"`);
      return def;
    }
    const n = Number(v);
    if (n < min || n > max) {
      this.problems.push(`${name} must be between ${min} and ${max}, got ${n}`);
      return def;
    }
    return n;
  }

  url(name: string, value: string | undefined, protocols: string[]): string | undefined {
    if (value === undefined || value === "") return undefined;
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      this.problems.push(`${name} must be a URL (${protocols.join(" or ")}), got an unparsable value`);
      return undefined;
    }
    if (!protocols.includes(parsed.protocol)) {
      this.problems.push(`${name} must use ${protocols.join(" or ")}, got "${parsed.protocol}"`);
      return undefined;
    }
    return value;
  }

  bool(name: string, def: boolean): boolean {
    const v = this.raw(name);
    if (v === undefined) return def;
    if (v !== "true" && v !== "false") {
      this.problems.push(`${name} must be true or false, got "${v}"`);
      return def;
    }
    return v === "true";
  }

  oneOf(name: string, def: string, allowed: readonly string[]): string {
    const v = this.raw(name);
    if (v === undefined) return def;
    if (!allowed.includes(v)) {
      this.problems.push(`${name} must be one of ${allowed.join(", ")}, got "${v}"`);
      return def;
    }
    return v;
  }
}

/**
 * Parses `OTEL_RESOURCE_ATTRIBUTES` (`key=value,key=value`, values may be percent-encoded).
 * Returns `undefined` when the string is malformed.
 */
export function parseResourceAttributes(value: string | undefined): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  if (value === undefined || value.trim() === "") return out;
  for (const part of value.split(",")) {
    const idx = part.indexOf("=");
    if (idx <= 0) return undefined;
    const key = part.slice(0, idx).trim();
    const raw = part.slice(idx + 1).trim();
    if (key === "") return undefined;
    try {
      out[key] = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
  }
  return out;
}

/** Parses the role argument (`api` / `worker`); returns `undefined` for anything else. */
export function parseRole(arg: string | undefined): Role | undefined {
  return arg === Roles.api || arg === Roles.worker ? arg : undefined;
}

/**
 * Validates the environment for `role` and returns the configuration.
 * @throws ConfigError with one message per invalid or missing variable.
 */
export function loadConfig(role: Role, env: Env): Config {
  const r = new EnvReader(env);
  const redisUrl = r.url("REDIS_URL", r.required("REDIS_URL", "redis://host:6379 or rediss://host:6379"), ["redis:", "rediss:"]);
  const queueUrl = r.url("QUEUE_URL", r.required("QUEUE_URL", "the SQS queue URL"), ["http:", "https:"]);
  const awsRegion = r.raw("AWS_REGION") ?? r.raw("AWS_DEFAULT_REGION");
  if (awsRegion === undefined) r.problems.push("AWS_REGION is required (e.g. eu-west-1)");
  else if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(awsRegion)) r.problems.push(`AWS_REGION must look like eu-west-1, got "${awsRegion}"`);
  const sqsEndpoint = r.url("AWS_ENDPOINT_URL_SQS", r.raw("AWS_ENDPOINT_URL_SQS") ?? r.raw("AWS_ENDPOINT_URL"), ["http:", "https:"]);
  const llmBaseUrl = r.url("LLM_BASE_URL", r.required("LLM_BASE_URL", "an OpenAI-compatible base URL ending in /v1"), ["http:", "https:"]);
  const llmModel = r.required("LLM_MODEL", "the model name sent to the LLM endpoint");
  // Read by the OpenTelemetry SDK itself; checked here so a typo fails at start with a clear message.
  r.url("OTEL_EXPORTER_OTLP_ENDPOINT", r.raw("OTEL_EXPORTER_OTLP_ENDPOINT"), ["http:", "https:"]);
  if (parseResourceAttributes(r.raw("OTEL_RESOURCE_ATTRIBUTES")) === undefined) {
    r.problems.push("OTEL_RESOURCE_ATTRIBUTES must be key=value pairs separated by commas");
  }

  const config: Config = {
    role,
    port: r.int("PORT", 8080, 1, 65535),
    host: r.raw("HOST") ?? "0.0.0.0",
    logLevel: r.oneOf("LOG_LEVEL", "info", LogLevels),
    redisUrl: redisUrl ?? "",
    redisPassword: r.raw("REDIS_PASSWORD"),
    redisCluster: r.bool("REDIS_CLUSTER", false),
    redisConnectTimeoutMs: r.int("REDIS_CONNECT_TIMEOUT_MS", 2000, 100, 60_000),
    redisCommandTimeoutMs: r.int("REDIS_COMMAND_TIMEOUT_MS", 2000, 100, 60_000),
    queueUrl: queueUrl ?? "",
    awsRegion: awsRegion ?? "",
    sqsEndpoint,
    sqsWaitTimeSeconds: r.int("SQS_WAIT_TIME_SECONDS", 20, 0, 20),
    sqsConnectTimeoutMs: r.int("SQS_CONNECT_TIMEOUT_MS", 2000, 100, 60_000),
    sqsRequestTimeoutMs: r.int("SQS_REQUEST_TIMEOUT_MS", 3000, 100, 60_000),
    sqsMaxAttempts: r.int("SQS_MAX_ATTEMPTS", 3, 1, 10),
    enqueueTimeoutMs: r.int("JOB_ENQUEUE_TIMEOUT_MS", 5000, 100, 60_000),
    outboxRelayAfterMs: r.int("OUTBOX_RELAY_AFTER_MS", 10_000, 200, 600_000),
    outboxRelayIntervalMs: r.int("OUTBOX_RELAY_INTERVAL_MS", 1000, 50, 60_000),
    llmBaseUrl: (llmBaseUrl ?? "").replace(/\/+$/, ""),
    llmModel,
    llmApiKey: r.raw("LLM_API_KEY"),
    llmProviderName: r.raw("LLM_PROVIDER_NAME") ?? "openai",
    llmTimeoutMs: r.int("LLM_TIMEOUT_SECONDS", 60, 1, 3600) * 1000,
    llmMaxAttempts: r.int("LLM_MAX_ATTEMPTS", 4, 1, 10),
    agentMaxToolRounds: r.int("AGENT_MAX_TOOL_ROUNDS", 5, 1, 20),
    sessionTtlSeconds: r.int("SESSION_TTL_SECONDS", 86_400, 1, 30 * 86400),
    sessionMaxMessages: r.int("SESSION_MAX_MESSAGES", 50, 2, 1000),
    chatMaxDurationMs: r.int("CHAT_MAX_DURATION_SECONDS", 60, 1, 3600) * 1000,
    workerConcurrency: r.int("WORKER_CONCURRENCY", 4, 1, 100),
    jobMaxDurationMs: r.int("JOB_MAX_DURATION_SECONDS", 240, 1, 43_200) * 1000,
    jobRetryDelaySeconds: r.int("JOB_RETRY_DELAY_SECONDS", 5, 0, 900),
    jobTtlSeconds: r.int("JOB_TTL_SECONDS", 7 * 86400, 60, 90 * 86400),
    idempotencyTtlSeconds: r.int("IDEMPOTENCY_TTL_SECONDS", 86400, 60, 30 * 86400),
    // Up to SQS's 12-hour visibility limit: a worker drains jobs as long as the queue allows.
    shutdownGraceMs: r.int("SHUTDOWN_GRACE_SECONDS", 25, 0, 43_200) * 1000,
    maxBodyBytes: r.int("MAX_BODY_BYTES", 65_536, 1024, 10 * 1024 * 1024),
    serviceName: r.raw("OTEL_SERVICE_NAME") ?? `agent-${role}`,
  };
  if (config.outboxRelayAfterMs <= config.enqueueTimeoutMs) {
    r.problems.push(`OUTBOX_RELAY_AFTER_MS (${config.outboxRelayAfterMs}) must exceed JOB_ENQUEUE_TIMEOUT_MS (${config.enqueueTimeoutMs}), so the relay does not race the API's own send`);
  }
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return config;
}

/** A loggable view of the configuration, with secrets replaced by a presence flag. */
export function describeConfig(c: Config): Record<string, unknown> {
  const redis = new URL(c.redisUrl);
  const hasUrlPassword = redis.password !== "";
  redis.password = "";
  redis.username = "";
  return {
    ...c,
    redisUrl: redis.toString(),
    redisPassword: c.redisPassword !== undefined || hasUrlPassword ? "[set]" : "[unset]",
    llmApiKey: c.llmApiKey !== undefined ? "[set]" : "[unset]",
  };
}
