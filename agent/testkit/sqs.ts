/**
 * The `fauxqs` SQS emulator on 127.0.0.1, with queues addressed as
 * `http://127.0.0.1:<port>/<account>/<name>` (its own `sqs.<region>.localhost` host does not resolve).
 */
import {
  CreateQueueCommand, GetQueueAttributesCommand, type Message, ReceiveMessageCommand, SendMessageCommand, SQSClient,
} from "@aws-sdk/client-sqs";
// fauxqs is ESM-only (its exports have only an "import" condition): load it with import().
type Fauxqs = typeof import("fauxqs", { with: { "resolution-mode": "import" } });

export const REGION = "us-east-1";
export const TEST_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };

type FauxqsApp = ReturnType<Fauxqs["buildApp"]>;

/** A queue and its DLQ. */
export interface TestQueue {
  url: string;
  dlqUrl: string;
  name: string;
}

/** Rewrites an emulator queue URL onto 127.0.0.1. Pure. */
export function loopbackQueueUrl(url: string, port: number): string {
  const u = new URL(url);
  return `http://127.0.0.1:${port}${u.pathname}`;
}

let counter = 0;

/** A running emulator. */
export class TestSqs {
  readonly client: SQSClient;
  private constructor(private readonly app: FauxqsApp, readonly port: number) {
    this.client = new SQSClient({ region: REGION, endpoint: this.endpoint, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  }

  /** Starts fauxqs on a random port bound to 127.0.0.1 only (its `startFauxqs` binds 0.0.0.0). */
  static async start(): Promise<TestSqs> {
    const { buildApp } = (await import("fauxqs")) as Fauxqs;
    const app = buildApp({ logger: false, defaultRegion: REGION });
    const address = await app.listen({ port: 0, host: "127.0.0.1" });
    return new TestSqs(app, Number(new URL(address).port));
  }

  /** `http://127.0.0.1:<port>`. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Creates a uniquely named queue with a DLQ after `maxReceiveCount` receives. */
  async createQueue(opts: { visibilityTimeout?: number; maxReceiveCount?: number; prefix?: string } = {}): Promise<TestQueue> {
    const name = `${opts.prefix ?? "jobs"}-${process.pid}-${++counter}`;
    const dlq = await this.client.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
    const dlqUrl = loopbackQueueUrl(dlq.QueueUrl ?? "", this.port);
    const arn = await this.client.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ["QueueArn"] }));
    const q = await this.client.send(new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: String(opts.visibilityTimeout ?? 6),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn.Attributes?.QueueArn, maxReceiveCount: String(opts.maxReceiveCount ?? 3) }),
      },
    }));
    return { name, url: loopbackQueueUrl(q.QueueUrl ?? "", this.port), dlqUrl };
  }

  /** Approximate visible + in-flight counts. */
  async counts(url: string): Promise<{ visible: number; inFlight: number }> {
    const res = await this.client.send(new GetQueueAttributesCommand({
      QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }));
    return {
      visible: Number(res.Attributes?.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(res.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
    };
  }

  /** Receives (and leaves) up to 10 messages, with short visibility. */
  async peek(url: string, visibilityTimeout = 0): Promise<Message[]> {
    const res = await this.client.send(new ReceiveMessageCommand({
      QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: visibilityTimeout,
      MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["All"],
    }));
    return res.Messages ?? [];
  }

  /** Sends a raw body. */
  async send(url: string, body: string): Promise<void> {
    await this.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
  }

  /** Stops the emulator. */
  async stop(): Promise<void> {
    this.client.destroy();
    await this.app.close();
  }
}
