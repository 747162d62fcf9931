/**
 * An OTLP/HTTP receiver (JSON encoding) on loopback that records the spans it is sent,
 * flattened to plain objects for assertions.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A received span. */
export interface RecordedSpan {
  service: string;
  resource: Record<string, unknown>;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  links: Array<{ traceId: string; spanId: string }>;
}

interface AnyValue {
  stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean;
  arrayValue?: { values?: AnyValue[] };
}

function value(v: AnyValue | undefined): unknown {
  if (v === undefined) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(value);
  return undefined;
}

function attrs(list: Array<{ key: string; value?: AnyValue }> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of list ?? []) out[a.key] = value(a.value);
  return out;
}

/** The receiver. */
export class OtlpReceiver {
  readonly spans: RecordedSpan[] = [];
  private constructor(private readonly server: Server) {}

  /** Starts on a random 127.0.0.1 port. */
  static async start(): Promise<OtlpReceiver> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        if (req.url === "/v1/traces" && req.method === "POST") {
          try {
            self.record(JSON.parse(Buffer.concat(chunks).toString()));
          } catch {
            res.writeHead(400).end();
            return;
          }
        }
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    // The request handler above runs only after `self` is initialised (the server is not listening yet).
    const self = new OtlpReceiver(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    return self;
  }

  /** `http://127.0.0.1:<port>` (the exporter appends /v1/traces). */
  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private record(payload: {
    resourceSpans?: Array<{
      resource?: { attributes?: Array<{ key: string; value?: AnyValue }> };
      scopeSpans?: Array<{ spans?: Array<{
        traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number;
        attributes?: Array<{ key: string; value?: AnyValue }>; links?: Array<{ traceId: string; spanId: string }>;
      }> }>;
    }>;
  }): void {
    for (const rs of payload.resourceSpans ?? []) {
      const resource = attrs(rs.resource?.attributes);
      const service = String(resource["service.name"] ?? "");
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          this.spans.push({
            service, resource, traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId ?? "", name: s.name, kind: s.kind,
            attributes: attrs(s.attributes), links: (s.links ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId })),
          });
        }
      }
    }
  }

  /** Stops the receiver. */
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
