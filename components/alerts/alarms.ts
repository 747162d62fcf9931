/**
 * Pure derivations of the AWS side of alerting: the CloudWatch alarms of the catalog (rules.ts) on what
 * AWS measures, the alert topic's name and policies, its KMS key policy, and AWS Chatbot's role.
 */
import { denyInsecureTransport, policyDocument, PolicyStatement, serviceTrustPolicy } from "../podIdentity/spec";
import { accountAdministersKey, accountRootArn, KMS_DATA_KEY_ACTIONS } from "../secrets/spec";
import { durationSeconds } from "../shared/schema";
import { ALERTS, AlertThreshold } from "./rules";

/** Period of every alarm: SQS and ElastiCache publish their metrics every minute. */
export const ALARM_PERIOD_SECONDS = 60;

/** Name of a stack's alert topic. */
export function alertTopicName(environment: string): string {
    return `agent-platform-${environment}-alerts`;
}

/** What every alarm of the platform shares: a one-minute period, and `for` as that many periods in a row. */
function alarmOf(id: keyof typeof ALERTS, t: AlertThreshold) {
    const spec = ALERTS[id];
    const periods = Math.max(1, Math.round(durationSeconds(t.for) / ALARM_PERIOD_SECONDS));
    return {
        period: ALARM_PERIOD_SECONDS,
        evaluationPeriods: periods,
        datapointsToAlarm: periods,
        threshold: t.threshold,
        comparisonOperator: spec.comparison === "gt" ? "GreaterThanThreshold" : "LessThanThreshold",
        // A metric with no data is an idle queue or a node being replaced, not a breach.
        treatMissingData: "notBreaching",
    };
}

/** One alarm: its name, what it says when it fires, and the CloudWatch settings. */
export interface AlarmSpec {
    name: string;
    description: string;
    namespace: string;
    metricName: string;
    dimensions: Record<string, string>;
    statistic: string;
    period: number;
    evaluationPeriods: number;
    datapointsToAlarm: number;
    threshold: number;
    comparisonOperator: string;
    treatMissingData: string;
}

/** The alert's one-line description and where to read what to do. */
function describe(id: keyof typeof ALERTS, subject: string, t: AlertThreshold): string {
    const spec = ALERTS[id];
    return `${spec.title} of ${subject} above ${t.threshold} (${spec.threshold}) for ${t.for}. First checks: docs/components/alerts.md#${spec.runbook}`;
}

/** The oldest message of a queue has waited longer than the threshold: workers are missing, stuck or too few. */
export function queueOldestMessageAlarm(queueName: string, t: AlertThreshold): AlarmSpec {
    return {
        name: `${queueName}-oldest-message`,
        description: describe("queueOldestMessage", queueName, t),
        namespace: "AWS/SQS", metricName: "ApproximateAgeOfOldestMessage", dimensions: { QueueName: queueName }, statistic: "Maximum",
        ...alarmOf("queueOldestMessage", t),
    };
}

/**
 * The context store's alarms of one node, in the order cacheNodeAlarms returns them: the alert, the
 * resource and alarm name suffix, and the ElastiCache metric with its statistic.
 */
export const CACHE_ALARMS = [
    { id: "cacheMemory", suffix: "memory", metricName: "DatabaseMemoryUsagePercentage", statistic: "Maximum" },
    { id: "cacheEvictions", suffix: "evictions", metricName: "Evictions", statistic: "Sum" },
    { id: "cacheCpu", suffix: "engine-cpu", metricName: "EngineCPUUtilization", statistic: "Average" },
] as const;

/** The context store's alarms on one ElastiCache node (a member cluster of the replication group), one per CACHE_ALARMS entry. */
export function cacheNodeAlarms(cacheClusterId: string, rules: { cacheMemory: AlertThreshold; cacheEvictions: AlertThreshold; cacheCpu: AlertThreshold }): AlarmSpec[] {
    return CACHE_ALARMS.map(({ id, suffix, metricName, statistic }): AlarmSpec => ({
        name: `${cacheClusterId}-${suffix}`,
        description: describe(id, cacheClusterId, rules[id]),
        namespace: "AWS/ElastiCache", metricName, dimensions: { CacheClusterId: cacheClusterId }, statistic,
        ...alarmOf(id, rules[id]),
    }));
}

/** Who may publish to the alert topic and how: CloudWatch alarms of this account, over TLS only. */
export function alertTopicPolicy(topicArn: string, a: { accountId: string; partition: string; region: string }) {
    return policyDocument([
        {
            Sid: "CloudWatchAlarmsPublish",
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: "sns:Publish",
            Resource: topicArn,
            Condition: { ArnLike: { "aws:SourceArn": `arn:${a.partition}:cloudwatch:${a.region}:${a.accountId}:alarm:*` }, StringEquals: { "aws:SourceAccount": a.accountId } },
        },
        denyInsecureTransport("sns:Publish", topicArn),
    ]);
}

/**
 * Key policy of the alert topic's key. SNS encrypts with it on behalf of each publisher: CloudWatch
 * (the AWS-managed `aws/sns` key would refuse CloudWatch, so alarms would silently not notify) and
 * principals of the account allowed by IAM (Grafana's role), only through SNS. The account
 * administers the key.
 */
export function alertTopicKeyPolicy(a: { accountId: string; partition: string; region: string }) {
    const account = accountRootArn(a);
    const statements: PolicyStatement[] = [
        accountAdministersKey(account),
        {
            Sid: "CloudWatchAlarmsEncrypt", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: [...KMS_DATA_KEY_ACTIONS], Resource: "*", Condition: { StringEquals: { "aws:SourceAccount": a.accountId } },
        },
        {
            Sid: "AccountPublishesThroughSns", Effect: "Allow", Principal: { AWS: account },
            Action: [...KMS_DATA_KEY_ACTIONS], Resource: "*",
            Condition: { StringEquals: { "kms:ViaService": `sns.${a.region}.amazonaws.com`, "kms:CallerAccount": a.accountId } },
        },
    ];
    return policyDocument(statements);
}

/** Trust policy of AWS Chatbot's channel role (no permissions of its own: the channel only relays notifications). */
export function chatbotTrustPolicy() {
    return serviceTrustPolicy("chatbot.amazonaws.com", "sts:AssumeRole");
}

/** Guardrail of the Slack channel: what any command typed in the channel may do at most (read CloudWatch). */
export function chatbotGuardrails(partition: string): string[] {
    return [`arn:${partition}:iam::aws:policy/CloudWatchReadOnlyAccess`];
}
