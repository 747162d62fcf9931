import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { QueueBackend } from "../shared/constants";
import { parseArgs } from "../shared/schema";
import { taskQueueArgsSchema } from "./args";
import { createElasticMq, elasticMqEndpoint, elasticMqQueue } from "./elasticMq";
import { deadLetterAlarmSettings, denyInsecureTransportPolicy, queueNames, redriveAllowPolicy, redrivePolicy, TASK_QUEUE_SETTINGS, visibilityTimeoutFor } from "./spec";

/** KEDA settings of the workers that consume a queue (used by AgentPlatform with `scaledObjectFor`, not by TaskQueue). */
export interface QueueScalingOptions {
    /** Messages above which a worker scales from zero (0–100 000). Default: 0 (any message). */
    activationMessages?: number;
    /** Seconds between two queue-depth checks (5–3600). Default: 15. */
    pollingIntervalSeconds?: number;
    /** Seconds after the last message before a worker scales to zero (0–86 400). Default: 300. */
    cooldownSeconds?: number;
}

/** TaskQueue settings that do not depend on the environment (what AgentPlatform takes per queue). */
export interface TaskQueueOptions {
    /** Logical queue name (`jobs`); the SQS name is `<environment>-<name>` and the DLQ's `<environment>-<name>-dlq`. Required. */
    name: string;
    /** Longest a job may run, seconds (1–43 199). The visibility timeout must exceed it. Default: 300. */
    maxJobDurationSeconds?: number;
    /** Visibility timeout, seconds; must exceed `maxJobDurationSeconds`. Default: `maxJobDurationSeconds + 60` (capped at 43 200). */
    visibilityTimeoutSeconds?: number;
    /** Deliveries before a message moves to the dead-letter queue (3–10). Default: 5. */
    maxReceiveCount?: number;
    /** Days a message stays in the queue (1–13; the DLQ keeps 14, which must be longer); ElasticMQ keeps messages until they are deleted. Default: 4. */
    retentionDays?: number;
    /** KEDA settings of the queue's workers (ignored by TaskQueue itself). Default: the QueueScalingOptions defaults. */
    scaling?: QueueScalingOptions;
}

export interface TaskQueueArgs extends TaskQueueOptions {
    /** Environment name (dev, staging, prod, ...): prefixes the SQS names. Required. */
    environment: string;
    /**
     * What serves the queue (QueueBackend): "sqs" (Amazon SQS), or "elasticmq" (an SQS-compatible
     * ElasticMQ server in the cluster, for stacks without AWS; its Kubernetes objects use the provider of
     * the component's options). Default: "sqs".
     */
    backend?: string;
    /** Namespace of the ElasticMQ server and of its clients (backend "elasticmq"). Default: "agents". */
    namespace?: string;
    /** Namespaces besides `namespace` whose pods may call the ElasticMQ server (backend "elasticmq"). Default: ["keda"]. */
    clientNamespaces?: string[];
    /** KMS key for SSE-KMS. Default: none (SQS-managed SSE). With a key, producers and consumers also need KMS permissions (pass it to `producerStatements`/`consumerStatements`). */
    kmsKeyArn?: pulumi.Input<string>;
    /** Actions (SNS topic ARNs) of the DLQ-depth alarm. Default: none (the alarm only changes state). */
    alarmActions?: pulumi.Input<string>[];
    /** Tags added to every resource. Default: none. */
    tags?: Record<string, string>;
}

/** Validates TaskQueueArgs and applies their defaults; throws `InputPropertiesError` naming each bad argument. */
export function parseTaskQueueArgs(args: TaskQueueArgs) {
    return parseArgs("TaskQueue", taskQueueArgsSchema, args);
}

/**
 * An SQS queue for asynchronous jobs and its dead-letter queue: SSE (SQS-managed or KMS), long
 * polling, a visibility timeout longer than the longest job, a redrive policy and a redrive-allow
 * policy, TLS-only queue policies, and a CloudWatch alarm on DLQ depth. Producer and consumer IAM
 * statements come from `producerStatements` / `consumerStatements`. With backend "elasticmq", the
 * same two queues and redrive on an ElasticMQ server in the cluster (no AWS resource at all).
 */
export class TaskQueue extends pulumi.ComponentResource {
    /** SQS name of the queue. */
    public readonly queueName: pulumi.Output<string>;
    /** URL of the queue (what producers and consumers address, and KEDA watches). */
    public readonly queueUrl: pulumi.Output<string>;
    /** ARN of the queue (what IAM statements name). */
    public readonly queueArn: pulumi.Output<string>;
    /** SQS name of the dead-letter queue. */
    public readonly deadLetterQueueName: pulumi.Output<string>;
    /** URL of the dead-letter queue. */
    public readonly deadLetterQueueUrl: pulumi.Output<string>;
    /** ARN of the dead-letter queue. */
    public readonly deadLetterQueueArn: pulumi.Output<string>;
    /** Visibility timeout of the queue, seconds. */
    public readonly visibilityTimeoutSeconds: pulumi.Output<number>;
    /** Name of the CloudWatch alarm on DLQ depth (undefined output with backend "elasticmq"). */
    public readonly deadLetterAlarmName: pulumi.Output<string | undefined>;
    /** SQS endpoint clients must use instead of AWS's (`AWS_ENDPOINT_URL_SQS`; KEDA's `awsEndpoint`); undefined output for SQS. */
    public readonly endpoint: pulumi.Output<string | undefined>;
    /** Secret (in `namespace`) with the static key clients of the ElasticMQ server send; undefined output for SQS. */
    public readonly credentialsSecretName: pulumi.Output<string | undefined>;

    constructor(name: string, args: TaskQueueArgs, opts?: pulumi.ComponentResourceOptions) {
        const a = parseTaskQueueArgs(args); // before super: invalid arguments register nothing
        super("agent-platform:index:TaskQueue", name, {}, opts);
        const names = queueNames(a.environment, a.name);
        const visibility = visibilityTimeoutFor(a.maxJobDurationSeconds, a.visibilityTimeoutSeconds);
        this.visibilityTimeoutSeconds = pulumi.output(visibility);
        if (a.backend === QueueBackend.ElasticMq) {
            const { credentialsSecretName, server } = createElasticMq(name, {
                name: a.name, namespace: a.namespace, queue: names.queue, deadLetter: names.deadLetter,
                visibilityTimeoutSeconds: visibility, maxReceiveCount: a.maxReceiveCount, clientNamespaces: a.clientNamespaces,
            }, this);
            const [queue, dlq] = [names.queue, names.deadLetter].map((q) => elasticMqQueue(a.name, a.namespace, q));
            // The URLs carry a dependency on the server, so clients start after it.
            const served = (value: string) => server.urn.apply(() => value);
            this.queueName = pulumi.output(names.queue);
            this.deadLetterQueueName = pulumi.output(names.deadLetter);
            this.queueUrl = served(queue.url);
            this.queueArn = pulumi.output(queue.arn);
            this.deadLetterQueueUrl = served(dlq.url);
            this.deadLetterQueueArn = pulumi.output(dlq.arn);
            this.deadLetterAlarmName = pulumi.output(undefined);
            this.endpoint = served(elasticMqEndpoint(a.name, a.namespace));
            this.credentialsSecretName = pulumi.output(credentialsSecretName);
        } else {
            const sqs = this.createSqs(name, a, names, visibility);
            this.queueName = sqs.queue.name;
            this.deadLetterQueueName = sqs.dlq.name;
            this.queueUrl = sqs.queue.url;
            this.queueArn = sqs.queue.arn;
            this.deadLetterQueueUrl = sqs.dlq.url;
            this.deadLetterQueueArn = sqs.dlq.arn;
            this.deadLetterAlarmName = sqs.alarm.name;
            this.endpoint = pulumi.output(undefined);
            this.credentialsSecretName = pulumi.output(undefined);
        }
        this.registerOutputs({
            queueName: this.queueName, queueUrl: this.queueUrl, queueArn: this.queueArn,
            deadLetterQueueName: this.deadLetterQueueName, deadLetterQueueUrl: this.deadLetterQueueUrl, deadLetterQueueArn: this.deadLetterQueueArn,
            visibilityTimeoutSeconds: this.visibilityTimeoutSeconds, deadLetterAlarmName: this.deadLetterAlarmName,
            endpoint: this.endpoint, credentialsSecretName: this.credentialsSecretName,
        });
    }

    /** The SQS queue, its DLQ, their policies and the DLQ alarm. */
    private createSqs(name: string, a: ReturnType<typeof parseTaskQueueArgs>, names: { queue: string; deadLetter: string }, visibility: number) {
        const parent = { parent: this };
        const { maxReceiveCount, retentionDays } = a;
        const encryption = a.kmsKeyArn !== undefined
            ? { kmsMasterKeyId: a.kmsKeyArn, kmsDataKeyReusePeriodSeconds: TASK_QUEUE_SETTINGS.kmsDataKeyReusePeriodSeconds }
            : { sqsManagedSseEnabled: true };
        const tags = (queue: string) => ({ ...a.tags, "agent-platform:queue": a.name, Name: queue });

        const dlq = new aws.sqs.Queue(`${name}-dlq`, {
            name: names.deadLetter,
            messageRetentionSeconds: TASK_QUEUE_SETTINGS.deadLetterRetentionDays * 86400,
            receiveWaitTimeSeconds: TASK_QUEUE_SETTINGS.receiveWaitTimeSeconds,
            visibilityTimeoutSeconds: visibility,
            ...encryption,
            tags: tags(names.deadLetter),
        }, parent);
        const queue = new aws.sqs.Queue(name, {
            name: names.queue,
            messageRetentionSeconds: retentionDays * 86400,
            receiveWaitTimeSeconds: TASK_QUEUE_SETTINGS.receiveWaitTimeSeconds,
            visibilityTimeoutSeconds: visibility,
            redrivePolicy: pulumi.jsonStringify(dlq.arn.apply((arn) => redrivePolicy(arn, maxReceiveCount))),
            ...encryption,
            tags: tags(names.queue),
        }, parent);
        // A separate resource: the DLQ cannot name the source queue's ARN at creation (the source needs the DLQ's).
        new aws.sqs.RedriveAllowPolicy(`${name}-dlq`, {
            queueUrl: dlq.url,
            redriveAllowPolicy: pulumi.jsonStringify(queue.arn.apply(redriveAllowPolicy)),
        }, parent);
        new aws.sqs.QueuePolicy(name, { queueUrl: queue.url, policy: pulumi.jsonStringify(queue.arn.apply(denyInsecureTransportPolicy)) }, parent);
        new aws.sqs.QueuePolicy(`${name}-dlq`, { queueUrl: dlq.url, policy: pulumi.jsonStringify(dlq.arn.apply(denyInsecureTransportPolicy)) }, parent);

        const alarmName = `${names.deadLetter}-not-empty`;
        const alarm = new aws.cloudwatch.MetricAlarm(`${name}-dlq-depth`, {
            name: alarmName,
            alarmDescription: `Jobs of ${names.queue} failed ${maxReceiveCount} times and landed in ${names.deadLetter}: inspect, fix, then redrive them.`,
            ...deadLetterAlarmSettings(names.deadLetter),
            dimensions: { QueueName: dlq.name },
            alarmActions: a.alarmActions,
            okActions: a.alarmActions,
            tags: a.tags,
        }, parent);
        return { queue, dlq, alarm };
    }
}
