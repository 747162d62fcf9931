/**
 * Pure derivations of a TaskQueue: names, the visibility timeout, redrive and queue policies, the IAM
 * statements of producers and consumers, the DLQ alarm.
 */
import { denyInsecureTransport, policyDocument, PolicyStatement } from "../podIdentity/spec";
import { KMS_DATA_KEY_ACTIONS } from "../secrets/spec";

/**
 * Limits of a TaskQueue, from the SQS quotas (checked against the SQS developer guide:
 * visibility timeout 0–43 200 s, retention 60 s–14 days, long polling wait 0–20 s).
 */
export const SQS_LIMITS = {
    maxVisibilityTimeoutSeconds: 43200,
    maxRetentionDays: 14,
    maxLongPollSeconds: 20,
} as const;

/** Fixed settings of every TaskQueue (its arguments' defaults are in args.ts). */
export const TASK_QUEUE_SETTINGS = {
    /** Seconds added to the longest job to get the visibility timeout when none is given. */
    visibilityMarginSeconds: 60,
    /** The DLQ keeps messages as long as SQS allows, so nobody loses a poison message over a weekend. */
    deadLetterRetentionDays: 14,
    /** Long polling: fewer empty receives, lower cost and latency. */
    receiveWaitTimeSeconds: 20,
    /** How long a KMS data key is reused (fewer KMS calls); 5 minutes is the SQS default. */
    kmsDataKeyReusePeriodSeconds: 300,
} as const;

/**
 * Visibility timeout of a queue: `explicit` when given, else the longest job plus a minute (capped at
 * the SQS maximum). Throws when the result does not exceed the longest job: a message would then
 * reappear, and run twice, while its first run is still going.
 */
export function visibilityTimeoutFor(maxJobDurationSeconds: number, explicit?: number): number {
    const timeout = explicit ?? Math.min(maxJobDurationSeconds + TASK_QUEUE_SETTINGS.visibilityMarginSeconds, SQS_LIMITS.maxVisibilityTimeoutSeconds);
    if (!(timeout > maxJobDurationSeconds)) {
        throw new Error(`visibility timeout ${timeout}s must exceed maxJobDurationSeconds (${maxJobDurationSeconds}s)`);
    }
    return timeout;
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

/** Queue policy that denies every SQS request not made over TLS. */
export function denyInsecureTransportPolicy(queueArn: string) {
    return policyDocument([denyInsecureTransport("sqs:*", queueArn)]);
}

/**
 * IAM statements of a producer (the api role): send to this queue, nothing else. With SSE-KMS, also
 * generate/decrypt data keys with the queue's key (SQS needs both to encrypt a message).
 */
export function producerStatements(queueArn: string, kmsKeyArn?: string): PolicyStatement[] {
    const statements: PolicyStatement[] = [{ Sid: "SendJobs", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: queueArn }];
    if (kmsKeyArn) statements.push({ Sid: "EncryptJobs", Effect: "Allow", Action: [...KMS_DATA_KEY_ACTIONS], Resource: kmsKeyArn });
    return statements;
}

/**
 * IAM statements of a consumer (the worker role): receive, delete, extend visibility and read the
 * attributes of this queue, and send to it — every agent pod runs the outbox relay, which sends accepted
 * jobs whose first send did not happen (the reference agent's transactional outbox), so an accepted
 * job is sent while any pod runs. Nothing on another queue. With SSE-KMS, also the queue's key.
 */
export function consumerStatements(queueArn: string, kmsKeyArn?: string): PolicyStatement[] {
    const statements: PolicyStatement[] = [{
        Sid: "ConsumeJobs",
        Effect: "Allow",
        Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"],
        Resource: queueArn,
    }, { Sid: "RelayJobs", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: queueArn }];
    if (kmsKeyArn) statements.push({ Sid: "DecryptAndRelayJobs", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: kmsKeyArn });
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

