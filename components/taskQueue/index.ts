import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument, PolicyStatement } from "../podIdentity";
import { ArgChecks, PLATFORM_NAME } from "../shared/validation";

/**
 * Limits and defaults of a TaskQueue, from the SQS quotas (checked against the SQS developer guide:
 * visibility timeout 0–43 200 s, retention 60 s–14 days, long polling wait 0–20 s).
 */
export const SQS_LIMITS = {
    maxVisibilityTimeoutSeconds: 43200,
    maxRetentionDays: 14,
    maxLongPollSeconds: 20,
} as const;

/** Defaults of TaskQueueArgs, in one place. */
export const TASK_QUEUE_DEFAULTS = {
    /** Seconds added to the longest job to get the visibility timeout when none is given. */
    visibilityMarginSeconds: 60,
    maxReceiveCount: 5,
    retentionDays: 4,
    /** The DLQ keeps messages as long as SQS allows, so nobody loses a poison message over a weekend. */
    deadLetterRetentionDays: 14,
    /** Long polling: fewer empty receives, lower cost and latency. */
    receiveWaitTimeSeconds: 20,
    /** How long a KMS data key is reused (fewer KMS calls); 5 minutes is the SQS default. */
    kmsDataKeyReusePeriodSeconds: 300,
} as const;


/** KEDA settings of the workers that consume a queue (used by AgentPlatform with `scaledObjectFor`, not by TaskQueue). */
export interface QueueScalingOptions {
    /** Messages above which a worker scales from zero. Default: 0 (any message). */
    activationMessages?: number;
    /** Seconds between two queue-depth checks. Default: 15. */
    pollingIntervalSeconds?: number;
    /** Seconds after the last message before a worker scales to zero. Default: 300. */
    cooldownSeconds?: number;
}

/** TaskQueue settings that do not depend on the environment (what AgentPlatform takes per queue). */
export interface TaskQueueOptions {
    /** Logical queue name (`jobs`); the SQS name is `<environment>-<name>` and the DLQ's `<environment>-<name>-dlq`. Required. */
    name: string;
    /** Longest a job may run, seconds (1–43 199). The visibility timeout must exceed it. Required. */
    maxJobDurationSeconds: number;
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

/**
 * Visibility timeout of a queue: `explicit` when given, else the longest job plus a minute (capped at
 * the SQS maximum). Throws when the result does not exceed the longest job: a message would then
 * reappear, and run twice, while its first run is still going.
 */
export function visibilityTimeoutFor(maxJobDurationSeconds: number, explicit?: number): number {
    const timeout = explicit ?? Math.min(maxJobDurationSeconds + TASK_QUEUE_DEFAULTS.visibilityMarginSeconds, SQS_LIMITS.maxVisibilityTimeoutSeconds);
    if (!(timeout > maxJobDurationSeconds)) {
        throw new Error(`visibility timeout ${timeout}s must exceed maxJobDurationSeconds (${maxJobDurationSeconds}s)`);
    }
    return timeout;
}

/** Validates TaskQueueArgs; throws `InputPropertiesError` naming each bad argument. */
export function validateTaskQueueArgs(args: TaskQueueArgs): void {
    const checks = new ArgChecks("TaskQueue")
        .require(typeof args.name === "string" && PLATFORM_NAME.test(args.name), "name", args.name, `a name matching ${PLATFORM_NAME}`)
        .require(typeof args.environment === "string" && /^[a-z][a-z0-9-]{0,20}$/.test(args.environment), "environment", args.environment, "a lower-case name of 1–21 characters")
        .integer("maxJobDurationSeconds", args.maxJobDurationSeconds, 1, SQS_LIMITS.maxVisibilityTimeoutSeconds - 1)
        .require(args.maxJobDurationSeconds !== undefined, "maxJobDurationSeconds", args.maxJobDurationSeconds, "an integer from 1 to 43199")
        .integer("visibilityTimeoutSeconds", args.visibilityTimeoutSeconds, 1, SQS_LIMITS.maxVisibilityTimeoutSeconds)
        .integer("maxReceiveCount", args.maxReceiveCount, 3, 10)
        .integer("retentionDays", args.retentionDays, 1, SQS_LIMITS.maxRetentionDays - 1);
    if (args.visibilityTimeoutSeconds !== undefined && Number.isInteger(args.maxJobDurationSeconds) && args.visibilityTimeoutSeconds <= args.maxJobDurationSeconds) {
        checks.fail("visibilityTimeoutSeconds", args.visibilityTimeoutSeconds, `more than maxJobDurationSeconds (${args.maxJobDurationSeconds})`);
    }
    checks.throwIfInvalid();
}

/** Physical SQS names of a queue and its DLQ. */
export function queueNames(environment: string, name: string): { queue: string; deadLetter: string } {
    return { queue: `${environment}-${name}`, deadLetter: `${environment}-${name}-dlq` };
}

/** The source queue's redrive policy: poison messages move to the DLQ after `maxReceiveCount` deliveries. */
export function redrivePolicy(deadLetterQueueArn: string, maxReceiveCount: number) {
    return { deadLetterTargetArn: deadLetterQueueArn, maxReceiveCount };
}

/** The DLQ's redrive-allow policy: only this source queue may use it as a dead-letter queue. */
export function redriveAllowPolicy(sourceQueueArn: string) {
    return { redrivePermission: "byQueue", sourceQueueArns: [sourceQueueArn] };
}

/**
 * Queue policy that denies every SQS request not made over TLS (`aws:SecureTransport` false). A Deny
 * on `sqs:*` is the documented pattern for this guard; it grants nothing.
 */
export function denyInsecureTransportPolicy(queueArn: string) {
    return policyDocument([{
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: "sqs:*",
        Resource: queueArn,
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    }]);
}

/**
 * IAM statements of a producer (the api role): send to this queue, nothing else. With SSE-KMS, also
 * generate/decrypt data keys with the queue's key (SQS needs both to encrypt a message).
 */
export function producerStatements(queueArn: string, kmsKeyArn?: string): PolicyStatement[] {
    const statements: PolicyStatement[] = [{ Sid: "SendJobs", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: queueArn }];
    if (kmsKeyArn) statements.push({ Sid: "EncryptJobs", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: kmsKeyArn });
    return statements;
}

/**
 * IAM statements of a consumer (the worker role): receive, delete, extend visibility and read the
 * attributes of this queue, nothing else. With SSE-KMS, also decrypt with the queue's key.
 */
export function consumerStatements(queueArn: string, kmsKeyArn?: string): PolicyStatement[] {
    const statements: PolicyStatement[] = [{
        Sid: "ConsumeJobs",
        Effect: "Allow",
        Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"],
        Resource: queueArn,
    }];
    if (kmsKeyArn) statements.push({ Sid: "DecryptJobs", Effect: "Allow", Action: ["kms:Decrypt"], Resource: kmsKeyArn });
    return statements;
}

/** The DLQ-depth alarm: any message in the DLQ is a job that failed `maxReceiveCount` times. */
export function deadLetterAlarmSettings(deadLetterQueueName: string) {
    return {
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: deadLetterQueueName },
        statistic: "Maximum",
        period: 300,
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
    };
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
        validateTaskQueueArgs(args); // before super: invalid arguments register nothing
        super("agent-platform:index:TaskQueue", name, {}, opts);
        const parent = { parent: this };
        const names = queueNames(args.environment, args.name);
        const visibility = visibilityTimeoutFor(args.maxJobDurationSeconds, args.visibilityTimeoutSeconds);
        const maxReceiveCount = args.maxReceiveCount ?? TASK_QUEUE_DEFAULTS.maxReceiveCount;
        const retentionDays = args.retentionDays ?? TASK_QUEUE_DEFAULTS.retentionDays;
        const encryption = args.kmsKeyArn !== undefined
            ? { kmsMasterKeyId: args.kmsKeyArn, kmsDataKeyReusePeriodSeconds: TASK_QUEUE_DEFAULTS.kmsDataKeyReusePeriodSeconds }
            : { sqsManagedSseEnabled: true };
        const tags = (queue: string) => ({ ...args.tags, "agent-platform:queue": args.name, Name: queue });

        const dlq = new aws.sqs.Queue(`${name}-dlq`, {
            name: names.deadLetter,
            messageRetentionSeconds: TASK_QUEUE_DEFAULTS.deadLetterRetentionDays * 86400,
            receiveWaitTimeSeconds: TASK_QUEUE_DEFAULTS.receiveWaitTimeSeconds,
            visibilityTimeoutSeconds: visibility,
            ...encryption,
            tags: tags(names.deadLetter),
        }, parent);
        const queue = new aws.sqs.Queue(name, {
            name: names.queue,
            messageRetentionSeconds: retentionDays * 86400,
            receiveWaitTimeSeconds: TASK_QUEUE_DEFAULTS.receiveWaitTimeSeconds,
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
            alarmActions: args.alarmActions ?? [],
            okActions: args.alarmActions ?? [],
            tags: args.tags,
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
