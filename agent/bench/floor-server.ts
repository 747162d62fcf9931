/**
 * The benchmark's floor for `POST /v1/jobs`: a bare `node:http` server that does, per request, only
 * what any enqueue must do — read the body, one Redis write, one SQS `SendMessage`, answer 202 —
 * with no framework, validation, tracing, outbox or job logic. Run as its own process, like the API,
 * and driven by the same client at the same rate. Configured by REDIS_URL, QUEUE_URL,
 * AWS_ENDPOINT_URL_SQS, AWS_REGION and PORT; prints "listening" once ready.
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { Redis } from "ioredis";

const env = (name: string): string => process.env[name] ?? "";
const redis = new Redis(env("REDIS_URL"));
const sqs = new SQSClient({ region: env("AWS_REGION"), endpoint: env("AWS_ENDPOINT_URL_SQS") });

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const jobId = randomUUID();
    const body = Buffer.concat(chunks).toString();
    redis.set(`floor:${jobId}`, body, "EX", 600)
      .then(() => sqs.send(new SendMessageCommand({ QueueUrl: env("QUEUE_URL"), MessageBody: body })))
      .then(
        () => res.writeHead(202, { "content-type": "application/json" }).end(JSON.stringify({ jobId, status: "queued" })),
        () => res.writeHead(503).end(),
      );
  });
});
server.listen(Number(env("PORT")), "127.0.0.1", () => process.stdout.write("listening\n"));
process.on("SIGTERM", () => {
  server.close();
  redis.disconnect();
  sqs.destroy();
});
