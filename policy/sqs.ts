/** SQS: encryption at rest, and a dead-letter queue with a bounded receive count for every work queue. */
import { describe, ResourceArgs, Rule } from "./rule";
import { at, isSet, isUnknown, parseJson } from "./values";

/** Bounds of `maxReceiveCount`: fewer retries lose jobs to one transient error, more keep poison messages cycling. */
export const MAX_RECEIVE_COUNT = { min: 3, max: 10 } as const;

/** Names that mark a dead-letter queue (`jobs-dlq`, `jobs_dlq.fifo`, `jobs-deadletter`). */
export const DLQ_NAME = /[-_.](dlq|dead-?letter(-queue)?)(\.fifo)?$/i;

/** True when a queue is a dead-letter queue: by its name (or Pulumi name), or because it carries a redrive allow policy. */
export function isDeadLetterQueue(args: ResourceArgs): boolean {
    const names = [args.props.name, args.name].filter((n): n is string => typeof n === "string");
    return names.some((n) => DLQ_NAME.test(n)) || isSet(args.props.redriveAllowPolicy);
}

/** Checks that a queue is encrypted at rest (SSE-SQS or a KMS key). */
export function checkQueueEncryption(args: ResourceArgs): string[] {
    const { sqsManagedSseEnabled: sse, kmsMasterKeyId: kms } = args.props;
    if (sse === true || isUnknown(sse) || isSet(kms)) return [];
    return [`${describe(args)}: not encrypted at rest; set sqsManagedSseEnabled: true or kmsMasterKeyId`];
}

/** Checks a redrive policy document: a dead-letter target and maxReceiveCount within bounds. */
export function checkRedrivePolicy(what: string, policy: unknown): string[] {
    const parsed = parseJson(policy);
    if (!parsed.ok) return parsed.unknown ? [] : [`${what}: redrivePolicy is not valid JSON (${parsed.error})`];
    const count = at(parsed.value, "maxReceiveCount");
    const target = at(parsed.value, "deadLetterTargetArn");
    const problems: string[] = [];
    if (!isSet(target)) problems.push(`${what}: redrivePolicy has no deadLetterTargetArn`);
    if (!isUnknown(count)) {
        const n = typeof count === "string" ? Number(count) : count;
        if (typeof n !== "number" || !Number.isInteger(n) || n < MAX_RECEIVE_COUNT.min || n > MAX_RECEIVE_COUNT.max) {
            problems.push(`${what}: redrivePolicy maxReceiveCount must be an integer from ${MAX_RECEIVE_COUNT.min} to ${MAX_RECEIVE_COUNT.max} (got ${JSON.stringify(count ?? null)})`);
        }
    }
    return problems;
}

/** Checks that a work queue (not a dead-letter queue) has a redrive policy to a DLQ with a bounded receive count. */
export function checkQueueRedrive(args: ResourceArgs): string[] {
    if (args.type === "aws:sqs/redrivePolicy:RedrivePolicy") return checkRedrivePolicy(describe(args), args.props.redrivePolicy);
    if (isDeadLetterQueue(args)) return [];
    if (!isSet(args.props.redrivePolicy)) {
        return [`${describe(args)}: has no redrivePolicy; every queue except a dead-letter queue (named *-dlq) needs one so poison messages leave the queue`];
    }
    return checkRedrivePolicy(describe(args), args.props.redrivePolicy);
}

/** Rule: queues are encrypted at rest. */
export const sqsEncryption: Rule = {
    name: "sqs-encryption",
    description: "SQS queues must be encrypted at rest (sqsManagedSseEnabled or kmsMasterKeyId): job payloads carry user prompts and tool inputs.",
    enforcementLevel: "mandatory",
    resourceTypes: ["aws:sqs/queue:Queue"],
    check: checkQueueEncryption,
};

/** Rule: every work queue redrives to a DLQ after 3–10 receives. */
export const sqsRedrive: Rule = {
    name: "sqs-redrive",
    description: `Every SQS queue other than a dead-letter queue must have a redrivePolicy with maxReceiveCount from ${MAX_RECEIVE_COUNT.min} to ${MAX_RECEIVE_COUNT.max}: `
        + "a message that keeps failing (a poison job) must move to the DLQ, where it is alarmed on, instead of blocking workers forever.",
    enforcementLevel: "mandatory",
    resourceTypes: ["aws:sqs/queue:Queue", "aws:sqs/redrivePolicy:RedrivePolicy"],
    check: checkQueueRedrive,
};
