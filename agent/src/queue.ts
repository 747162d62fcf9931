/**
 * The SQS job queue: message encoding (pure, validated), trace-context propagation through message
 * attributes, and the few SQS calls the API and the worker make.
 */
import {
  ChangeMessageVisibilityCommand, DeleteMessageCommand, GetQueueAttributesCommand, type Message,
  type MessageAttributeValue, ReceiveMessageCommand, SQSClient, SendMessageCommand,
} from "@aws-sdk/client-sqs";
import { type Context, context, propagation, SpanKind, trace } from "@opentelemetry/api";

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
  if (typeof o.jobId !== "string" || !/^[A-Za-z0-9-]{1,64}$/.test(o.jobId)) return undefined;
  if (typeof o.input !== "string") return undefined;
  if (o.sessionId !== undefined && typeof o.sessionId !== "string") return undefined;
  const enqueuedAt = typeof o.enqueuedAt === "number" ? o.enqueuedAt : Date.now();
  return { jobId: o.jobId, input: o.input, sessionId: o.sessionId as string | undefined, enqueuedAt };
}

/** Writes the active trace context into SQS message attributes (W3C `traceparent`/`tracestate`). */
export function injectTraceAttributes(ctx: Context): Record<string, MessageAttributeValue> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  const out: Record<string, MessageAttributeValue> = {};
  for (const [k, v] of Object.entries(carrier)) out[k] = { DataType: "String", StringValue: v };
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

/** Creates the SQS client; `endpoint` is for emulators and VPC endpoints. */
export function createSqsClient(region: string, endpoint: string | undefined): SQSClient {
  return new SQSClient({ region, ...(endpoint !== undefined ? { endpoint } : {}), maxAttempts: 3 });
}

const tracer = trace.getTracer("agent.queue");

/** The job queue. */
export class JobQueue {
  readonly name: string;
  constructor(private readonly sqs: SQSClient, readonly url: string) {
    this.name = queueNameFromUrl(url);
  }

  /** Sends a job, carrying the current trace context. Returns the SQS message id. */
  async send(m: JobMessage): Promise<string> {
    return tracer.startActiveSpan(`send ${this.name}`, {
      kind: SpanKind.PRODUCER,
      attributes: {
        "messaging.system": "aws_sqs", "messaging.operation.type": "send", "messaging.operation.name": "send",
        "messaging.destination.name": this.name, "agent.job.id": m.jobId,
      },
    }, async (span) => {
      try {
        const res = await this.sqs.send(new SendMessageCommand({
          QueueUrl: this.url, MessageBody: encodeJobMessage(m), MessageAttributes: injectTraceAttributes(context.active()),
        }));
        if (res.MessageId !== undefined) span.setAttribute("messaging.message.id", res.MessageId);
        return res.MessageId ?? "";
      } finally {
        span.end();
      }
    });
  }

  /** Long-polls for up to `max` messages. */
  async receive(max: number, waitSeconds: number, signal?: AbortSignal): Promise<Message[]> {
    const res = await this.sqs.send(new ReceiveMessageCommand({
      QueueUrl: this.url, MaxNumberOfMessages: Math.max(1, Math.min(10, max)), WaitTimeSeconds: waitSeconds,
      MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["ApproximateReceiveCount", "SentTimestamp"],
    }), signal !== undefined ? { abortSignal: signal } : {});
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
