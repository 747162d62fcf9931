/**
 * The SQS job queue: message encoding (pure, validated), trace-context propagation through message
 * attributes, and the few SQS calls the API, the relay and the worker make. Every call is bounded:
 * a connect timeout, a request timeout per attempt (a long poll gets its wait time on top) and a
 * capped number of attempts; callers may also pass an abort signal for an overall bound.
 */
import {
  ChangeMessageVisibilityCommand, DeleteMessageCommand, GetQueueAttributesCommand, type Message,
  type MessageAttributeValue, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient, SendMessageCommand,
} from "@aws-sdk/client-sqs";
import { type Context, context, propagation, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { isJobId } from "./store/keys";

/** The body of a job message. */
export interface JobMessage {
  jobId: string;
  input: string;
  sessionId?: string | undefined;
  /** Epoch ms when the API accepted the job. */
  enqueuedAt: number;
}

/** Encodes a job message body. */
export function encodeJobMessage(m: JobMessage): string {
  return JSON.stringify(m);
}

/** Decodes and validates a job message body; `undefined` for a malformed (poison) body. Pure. */
export function decodeJobMessage(body: string | undefined): JobMessage | undefined {
  if (body === undefined) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (v === null || typeof v !== "object") return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.jobId !== "string" || !isJobId(o.jobId)) return undefined;
  if (typeof o.input !== "string") return undefined;
  if (o.sessionId !== undefined && typeof o.sessionId !== "string") return undefined;
  const enqueuedAt = typeof o.enqueuedAt === "number" ? o.enqueuedAt : Date.now();
  return { jobId: o.jobId, input: o.input, sessionId: o.sessionId as string | undefined, enqueuedAt };
}

/** A message ready to send: its body and the producer's trace context (W3C `traceparent`/`tracestate`). */
export interface OutgoingMessage {
  body: string;
  traceContext: Record<string, string>;
}

/** The W3C trace context of `ctx`, as a carrier. */
export function outgoingJobContext(ctx: Context): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

/** The job message for `m`, carrying the trace context `ctx` (used when the relay sends it). */
export function outgoingJobMessage(m: JobMessage, ctx: Context): OutgoingMessage {
  return { body: encodeJobMessage(m), traceContext: outgoingJobContext(ctx) };
}

/** Encodes an outgoing message for the outbox. Pure. */
export function encodeOutgoing(m: OutgoingMessage): string {
  return JSON.stringify(m);
}

/** Decodes an outbox entry; `undefined` when corrupt. Pure. */
export function decodeOutgoing(text: string): OutgoingMessage | undefined {
  try {
    const v = JSON.parse(text) as Partial<OutgoingMessage>;
    if (typeof v.body !== "string" || v.traceContext === null || typeof v.traceContext !== "object") return undefined;
    return { body: v.body, traceContext: v.traceContext };
  } catch {
    return undefined;
  }
}

/** SQS message attributes carrying a trace context. Pure. */
export function traceAttributes(traceContext: Record<string, string>): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [k, v] of Object.entries(traceContext)) out[k] = { DataType: "String", StringValue: v };
  return out;
}

/** Reads the trace context a producer put into the message attributes. */
export function extractTraceContext(attrs: Record<string, MessageAttributeValue> | undefined): Context {
  const carrier: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs ?? {})) if (v.StringValue !== undefined) carrier[k] = v.StringValue;
  return propagation.extract(context.active(), carrier);
}

/** The queue name, from a queue URL (`.../<account>/<name>`). Pure. */
export function queueNameFromUrl(url: string): string {
  return new URL(url).pathname.split("/").filter(Boolean).pop() ?? url;
}

/** Queue attributes the worker validates its timings against. */
export interface QueueSettings {
  visibilityTimeoutSeconds: number;
  /** From the redrive policy; `undefined` when the queue has no DLQ. */
  maxReceiveCount: number | undefined;
}

/** Parses `GetQueueAttributes` output. Pure. */
export function parseQueueSettings(attrs: Record<string, string> | undefined): QueueSettings {
  const vt = Number(attrs?.VisibilityTimeout ?? "30");
  let maxReceiveCount: number | undefined;
  if (attrs?.RedrivePolicy !== undefined) {
    try {
      const n = Number((JSON.parse(attrs.RedrivePolicy) as { maxReceiveCount?: unknown }).maxReceiveCount);
      if (Number.isInteger(n) && n > 0) maxReceiveCount = n;
    } catch {
      maxReceiveCount = undefined;
    }
  }
  return { visibilityTimeoutSeconds: Number.isFinite(vt) ? vt : 30, maxReceiveCount };
}

/** Options of {@link createSqsClient}. */
export interface SqsOptions {
  region: string;
  /** For emulators and VPC endpoints. */
  endpoint?: string | undefined;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  maxAttempts: number;
}

/** Creates the SQS client with bounded connections, requests and retries. */
export function createSqsClient(o: SqsOptions): SQSClient {
  return new SQSClient({
    region: o.region,
    ...(o.endpoint !== undefined ? { endpoint: o.endpoint } : {}),
    maxAttempts: o.maxAttempts,
    requestHandler: { connectionTimeout: o.connectTimeoutMs, requestTimeout: o.requestTimeoutMs, throwOnRequestTimeout: true },
  });
}

const tracer = trace.getTracer("agent.queue");

/** The job queue. */
export class JobQueue {
  readonly name: string;
  constructor(private readonly sqs: SQSClient, readonly url: string, private readonly requestTimeoutMs: number) {
    this.name = queueNameFromUrl(url);
  }

  /**
   * Sends one message in a `send <queue>` producer span whose context it carries; `signal` bounds
   * the whole call. Returns the SQS message id.
   */
  async send(m: OutgoingMessage, jobId: string, signal?: AbortSignal): Promise<string> {
    return tracer.startActiveSpan(`send ${this.name}`, { kind: SpanKind.PRODUCER, attributes: this.sendAttributes(jobId) }, async (span) => {
      try {
        const carried = outgoingJobContext(context.active());
        const res = await this.sqs.send(
          new SendMessageCommand({ QueueUrl: this.url, MessageBody: m.body, MessageAttributes: traceAttributes(carried) }),
          signal !== undefined ? { abortSignal: signal } : {},
        );
        if (res.MessageId !== undefined) span.setAttribute("messaging.message.id", res.MessageId);
        return res.MessageId ?? "";
      } catch (err) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
        throw err;
      } finally {
        span.end();
      }
    });
  }

  /** Sends up to 10 messages in one call; returns the ids (`entries[].id`) SQS accepted. */
  async sendBatch(entries: Array<{ id: string; message: OutgoingMessage }>): Promise<string[]> {
    if (entries.length === 0) return [];
    const res = await this.sqs.send(new SendMessageBatchCommand({
      QueueUrl: this.url,
      Entries: entries.map((e, i) => ({ Id: String(i), MessageBody: e.message.body, MessageAttributes: traceAttributes(e.message.traceContext) })),
    }));
    return (res.Successful ?? []).map((ok) => entries[Number(ok.Id)]?.id).filter((id): id is string => id !== undefined);
  }

  private sendAttributes(jobId: string) {
    return {
      "messaging.system": "aws_sqs", "messaging.operation.type": "send", "messaging.operation.name": "send",
      "messaging.destination.name": this.name, "agent.job.id": jobId,
    };
  }

  /** Long-polls for up to `max` messages. */
  async receive(max: number, waitSeconds: number, signal?: AbortSignal): Promise<Message[]> {
    const res = await this.sqs.send(new ReceiveMessageCommand({
      QueueUrl: this.url, MaxNumberOfMessages: Math.max(1, Math.min(10, max)), WaitTimeSeconds: waitSeconds,
      MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["ApproximateReceiveCount", "SentTimestamp"],
    }), { requestTimeout: waitSeconds * 1000 + this.requestTimeoutMs, ...(signal !== undefined ? { abortSignal: signal } : {}) });
    return res.Messages ?? [];
  }

  /** Deletes a processed message. */
  async delete(receiptHandle: string): Promise<void> {
    await this.sqs.send(new DeleteMessageCommand({ QueueUrl: this.url, ReceiptHandle: receiptHandle }));
  }

  /** Sets the remaining invisibility of a received message (0 releases it now). */
  async changeVisibility(receiptHandle: string, seconds: number): Promise<void> {
    await this.sqs.send(new ChangeMessageVisibilityCommand({
      QueueUrl: this.url, ReceiptHandle: receiptHandle, VisibilityTimeout: Math.max(0, Math.min(43_200, Math.round(seconds))),
    }));
  }

  /** The queue's visibility timeout and redrive `maxReceiveCount`. */
  async settings(): Promise<QueueSettings> {
    const res = await this.sqs.send(new GetQueueAttributesCommand({
      QueueUrl: this.url, AttributeNames: ["VisibilityTimeout", "RedrivePolicy"],
    }));
    return parseQueueSettings(res.Attributes);
  }
}
