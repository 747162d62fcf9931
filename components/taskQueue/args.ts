import { queueScalingSchema } from "../keda/args";
import { KEDA_NAMESPACE } from "../keda/spec";
import { QueueBackend } from "../shared/constants";
import { AGENT_NAMESPACE } from "../shared/placement";
import { environmentName, input, int, matching, oneOf, tags, z } from "../shared/schema";
import { DNS_LABEL, PLATFORM_NAME } from "../shared/names";
import { SQS_LIMITS } from "./spec";

/** TaskQueueOptions: what a stack or AgentPlatform sets per queue. */
export const taskQueueOptionsSchema = z.strictObject({
    name: matching(PLATFORM_NAME).describe("Queue name"),
    maxJobDurationSeconds: int(1, SQS_LIMITS.maxVisibilityTimeoutSeconds - 1).default(300).describe("Longest a job may run, seconds; the visibility timeout must exceed it"),
    visibilityTimeoutSeconds: int(2, SQS_LIMITS.maxVisibilityTimeoutSeconds).optional().describe("Visibility timeout, seconds; default: maxJobDurationSeconds + 60"),
    maxReceiveCount: int(3, 10).default(5).describe("Deliveries before a message moves to the dead-letter queue"),
    retentionDays: int(1, SQS_LIMITS.maxRetentionDays - 1).default(4).describe("Days a message stays in the queue (the DLQ keeps 14)"),
    scaling: queueScalingSchema.prefault({}).describe("KEDA settings of the queue's workers"),
});

/** The visibility timeout must exceed the longest job, or a message reappears (and runs twice) while its first run goes on. */
export function checkVisibility(q: { maxJobDurationSeconds: number; visibilityTimeoutSeconds?: number }, ctx: z.RefinementCtx): void {
    if (q.visibilityTimeoutSeconds !== undefined && q.visibilityTimeoutSeconds <= q.maxJobDurationSeconds) {
        ctx.addIssue({ code: "custom", path: ["visibilityTimeoutSeconds"], message: `more than maxJobDurationSeconds (${q.maxJobDurationSeconds})` });
    }
}

const namespace = matching(DNS_LABEL, "a Kubernetes namespace name");

/** TaskQueueArgs. */
export const taskQueueArgsSchema = taskQueueOptionsSchema.extend({
    environment: environmentName,
    backend: oneOf(QueueBackend).default(QueueBackend.Sqs),
    namespace: namespace.default(AGENT_NAMESPACE),
    clientNamespaces: z.array(namespace).max(20).default([KEDA_NAMESPACE]),
    kmsKeyArn: input<string>().optional(),
    alarmActions: z.array(input<string>()).default([]),
    tags: tags.optional(),
}).superRefine(checkVisibility).superRefine((q, ctx) => {
    if (q.backend !== QueueBackend.ElasticMq) return;
    // What only SQS does: refuse it rather than ignore it silently.
    if (q.kmsKeyArn !== undefined) ctx.addIssue({ code: "custom", path: ["kmsKeyArn"], message: 'nothing with backend "elasticmq" (no KMS)' });
    if (q.alarmActions.length > 0) ctx.addIssue({ code: "custom", path: ["alarmActions"], message: 'none with backend "elasticmq" (no CloudWatch)' });
});
