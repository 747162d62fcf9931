import { queueScalingSchema } from "../keda/args";
import { environmentName, input, int, matching, tags, z } from "../shared/schema";
import { PLATFORM_NAME } from "../shared/names";
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

/** TaskQueueArgs. */
export const taskQueueArgsSchema = taskQueueOptionsSchema.extend({
    environment: environmentName,
    kmsKeyArn: input<string>().optional(),
    alarmActions: z.array(input<string>()).default([]),
    tags: tags.optional(),
}).superRefine(checkVisibility);
