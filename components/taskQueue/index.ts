import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { parseArgs } from "../shared/schema";
import { taskQueueArgsSchema } from "./args";
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
    /** Days a message stays in the queue (1–13; the DLQ keeps 14, which must be longer). Default: 4. */
    retentionDays?: number;
    /** KEDA settings of the queue's workers (ignored by TaskQueue itself). Default: the QueueScalingOptions defaults. */
    scaling?: QueueScalingOptions;
}

export interface TaskQueueArgs extends TaskQueueOptions {
    /** Environment name (dev, staging, prod, ...): prefixes the SQS names. Required. */
    environment: string;
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
 * statements come from `producerStatements` / `consumerStatements`.
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
    /** Name of the CloudWatch alarm on DLQ depth. */
    public readonly deadLetterAlarmName: pulumi.Output<string>;

    constructor(name: string, args: TaskQueueArgs, opts?: pulumi.ComponentResourceOptions) {
        const a = parseTaskQueueArgs(args); // before super: invalid arguments register nothing
        super("agent-platform:index:TaskQueue", name, {}, opts);
        const parent = { parent: this };
        const names = queueNames(a.environment, a.name);
        const visibility = visibilityTimeoutFor(a.maxJobDurationSeconds, a.visibilityTimeoutSeconds);
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

        this.queueName = queue.name;
        this.queueUrl = queue.url;
        this.queueArn = queue.arn;
        this.deadLetterQueueName = dlq.name;
        this.deadLetterQueueUrl = dlq.url;
        this.deadLetterQueueArn = dlq.arn;
        this.visibilityTimeoutSeconds = pulumi.output(visibility);
        this.deadLetterAlarmName = alarm.name;
        this.registerOutputs({
            queueName: this.queueName, queueUrl: this.queueUrl, queueArn: this.queueArn,
            deadLetterQueueName: this.deadLetterQueueName, deadLetterQueueUrl: this.deadLetterQueueUrl, deadLetterQueueArn: this.deadLetterQueueArn,
            visibilityTimeoutSeconds: this.visibilityTimeoutSeconds, deadLetterAlarmName: this.deadLetterAlarmName,
        });
    }
}
