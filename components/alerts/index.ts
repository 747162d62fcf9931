import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ContactPoint } from "../shared/constants";
import { parseArgs } from "../shared/schema";
import { alertTopicKeyPolicy, alertTopicName, alertTopicPolicy, AlarmSpec, CACHE_ALARMS, cacheNodeAlarms, chatbotGuardrails, chatbotTrustPolicy, queueOldestMessageAlarm } from "./alarms";
import { alertsArgsSchema } from "./args";

/** Threshold and `for` of one alert. */
export interface AlertThreshold {
    /** The value the alert compares with (its unit and bounds are the alert's, see AlertRulesOptions). Default: the alert's own. */
    threshold?: number;
    /** How long the condition holds before the alert fires: a duration such as "5m" (CloudWatch alarms: whole minutes). Default: the alert's own. */
    for?: string;
}

/** Every alert's threshold and `for` (docs/components/alerts.md says what each means). */
export interface AlertRulesOptions {
    /** Share of a tool's calls that failed (0–1), per tool. Default: {"threshold":0.1,"for":"10m"}. */
    toolErrorRate?: AlertThreshold;
    /** Share of a model's LLM calls that needed a retry (0–1), per model. Default: {"threshold":0.2,"for":"10m"}. */
    llmRetryRate?: AlertThreshold;
    /** Share of a queue's jobs that failed for good (0–1), per queue. Default: {"threshold":0.1,"for":"10m"}. */
    jobFailureRate?: AlertThreshold;
    /** p95 seconds between a job's enqueue and its start, per queue. Default: {"threshold":120,"for":"10m"}. */
    queueTimeP95?: AlertThreshold;
    /** p95 seconds of an agent step (invoke_agent, chat, execute_tool), per step. Default: {"threshold":60,"for":"10m"}. */
    stepLatencyP95?: AlertThreshold;
    /** Messages waiting in a queue from which no worker finished a job. Default: {"threshold":0,"for":"10m"}. */
    queueNotConsumed?: AlertThreshold;
    /** Spans per second the collector refused or failed to deliver. Default: {"threshold":0,"for":"5m"}. */
    droppedSpans?: AlertThreshold;
    /** Fewest collector scrape targets that must be up. Default: {"threshold":1,"for":"5m"}. */
    collectorDown?: AlertThreshold;
    /** Seconds the oldest message of a queue has waited (CloudWatch). Default: {"threshold":900,"for":"5m"}. */
    queueOldestMessage?: AlertThreshold;
    /** Percent of a cache node's memory used by data (CloudWatch). Default: {"threshold":80,"for":"10m"}. */
    cacheMemory?: AlertThreshold;
    /** Keys a cache node evicted per minute (CloudWatch). Default: {"threshold":0,"for":"5m"}. */
    cacheEvictions?: AlertThreshold;
    /** Percent of a cache node's engine thread in use (CloudWatch). Default: {"threshold":80,"for":"10m"}. */
    cacheCpu?: AlertThreshold;
}

/** A Slack channel that AWS Chatbot relays the alert topic to. */
export interface SlackChannelArgs {
    /** Slack workspace (team) id, authorized once in the AWS Chatbot console, such as "T07EA123LEP". Required. */
    workspaceId: string;
    /** Slack channel id, such as "C07EZ1ABC23". Required. */
    channelId: string;
}

/** What the Alerts component and AgentPlatform share: the stack's one contact point, its receivers and every threshold. */
export interface AlertNotificationArgs {
    /** "sns" (an SNS topic CloudWatch alarms and Grafana publish to) or "grafana" (Grafana's Slack webhook, no AWS) — ContactPoint. Default: "sns". */
    contactPoint?: string;
    /** Email addresses subscribed to the topic (sns). Default: []. */
    email?: string[];
    /** Slack channel subscribed to the topic through AWS Chatbot (sns). Default: none. */
    slack?: SlackChannelArgs;
    /** Subscribe PagerDuty to the topic (sns); its integration URL is `pagerDutyUrl`. Default: false. */
    pagerDuty?: boolean;
    /** PagerDuty's integration URL for Amazon CloudWatch, a secret (required when `pagerDuty`). Default: none. */
    pagerDutyUrl?: pulumi.Input<string>;
    /** Threshold and `for` of every alert. Default: each alert's own (AlertRulesOptions). */
    rules?: AlertRulesOptions;
}

/** Alerting settings of a platform (what AgentPlatform takes). */
export interface AlertsOptions extends AlertNotificationArgs {
    /** Grafana posts to a Slack incoming webhook (grafana); its URL is the `alerting` secret's `SLACK_WEBHOOK_URL`. Default: false. */
    slackWebhook?: boolean;
    /** The Slack webhook URL, a secret stored in Secrets Manager; without it, set the secret out of band. Default: none. */
    slackWebhookUrl?: pulumi.Input<string>;
}

/** Arguments of Alerts: the notification settings, and what the alarms watch. */
export interface AlertsArgs extends AlertNotificationArgs {
    /** Environment name: the topic's and alarms' names. Required. */
    environment: string;
    /** SQS name of each job queue, by its logical name (an oldest-message alarm each). Default: none. */
    queues?: Record<string, pulumi.Input<string>>;
    /** ElastiCache cluster ids of the context store's nodes (memory, evictions and engine CPU alarms each). Default: none. */
    cacheClusterIds?: pulumi.Input<string>[];
    /** Tags of the AWS resources. Default: none. */
    tags?: Record<string, string>;
}

/** Validates AlertsArgs and applies their defaults; throws `InputPropertiesError` naming each bad argument (never the PagerDuty URL). */
export function parseAlertsArgs(args: AlertsArgs) {
    return parseArgs("Alerts", alertsArgsSchema, args);
}

/**
 * The AWS side of a stack's alerting: the CloudWatch alarms on what AWS measures (the age of each job
 * queue's oldest message; memory, evictions and engine CPU of each context store node) and, when the
 * contact point is "sns", the stack's alert topic — encrypted with its own key, whose policy lets
 * CloudWatch publish — with its email, Slack (AWS Chatbot) and PagerDuty subscriptions. The alarms
 * notify the topic, and on recovery too. The in-cluster side (span-metric rules, Grafana's contact
 * point) belongs to Tracing. The DLQ-depth alarm stays with its TaskQueue.
 */
export class Alerts extends pulumi.ComponentResource {
    /** ARN of the alert topic (undefined output when the contact point is not "sns"). */
    public readonly topicArn: pulumi.Output<string | undefined>;
    /** ARN of the topic's KMS key (undefined output without a topic). */
    public readonly topicKeyArn: pulumi.Output<string | undefined>;
    /** Names of the CloudWatch alarms. */
    public readonly alarmNames: pulumi.Output<string[]>;

    constructor(name: string, args: AlertsArgs, opts?: pulumi.ComponentResourceOptions) {
        const a = parseAlertsArgs(args); // before super: invalid arguments register nothing
        super("agent-platform:index:Alerts", name, {}, opts);
        const tags = { ...a.tags, "agent-platform:component": "alerts" };

        let topic: aws.sns.Topic | undefined;
        let key: aws.kms.Key | undefined;
        if (a.contactPoint === ContactPoint.Sns) {
            ({ topic, key } = this.createTopic(name, a, tags));
        }

        // Resource names come from the queue's logical name and the node's position, known before the
        // SQS and ElastiCache names are.
        const created = [
            ...Object.entries(a.queues).map(([queue, sqsName]) =>
                alarmFor(`${name}-${queue}-oldest-message`, pulumi.output(sqsName).apply((q) => queueOldestMessageAlarm(q, a.rules.queueOldestMessage)), topic, tags, this)),
            ...a.cacheClusterIds.flatMap((id, i) => {
                const specs = pulumi.output(id).apply((c) => cacheNodeAlarms(c, a.rules));
                return CACHE_ALARMS.map(({ suffix }, j) => alarmFor(`${name}-cache-${i + 1}-${suffix}`, specs.apply((s) => s[j]), topic, tags, this));
            }),
        ];

        this.topicArn = topic ? topic.arn : pulumi.output(undefined);
        this.topicKeyArn = key ? key.arn : pulumi.output(undefined);
        this.alarmNames = pulumi.all(created.map((c) => c.name));
        this.registerOutputs({ topicArn: this.topicArn, topicKeyArn: this.topicKeyArn, alarmNames: this.alarmNames });
    }

    /** The alert topic, its key and policy, and its subscriptions. */
    private createTopic(name: string, a: ReturnType<typeof parseAlertsArgs>, tags: Record<string, string>) {
        const parent = { parent: this };
        const identity = aws.getCallerIdentityOutput({}, parent);
        const partition = aws.getPartitionOutput({}, parent).partition;
        const region = aws.getRegionOutput({}, parent).region;
        const account = pulumi.all([identity.accountId, partition, region]).apply(([accountId, p, r]) => ({ accountId, partition: p, region: r }));
        const key = new aws.kms.Key(`${name}-topic`, {
            description: `Encrypts the ${a.environment} alert topic`,
            enableKeyRotation: true,
            deletionWindowInDays: 7,
            policy: pulumi.jsonStringify(account.apply(alertTopicKeyPolicy)),
            tags,
        }, parent);
        const topic = new aws.sns.Topic(name, { name: alertTopicName(a.environment), kmsMasterKeyId: key.arn, tags }, parent);
        new aws.sns.TopicPolicy(name, {
            arn: topic.arn,
            policy: pulumi.jsonStringify(pulumi.all([topic.arn, account]).apply(([arn, acc]) => alertTopicPolicy(arn, acc))),
        }, parent);
        a.email.forEach((address, i) => {
            new aws.sns.TopicSubscription(`${name}-email-${i}`, { topic: topic.arn, protocol: "email", endpoint: address }, parent);
        });
        if (a.pagerDuty) {
            new aws.sns.TopicSubscription(`${name}-pagerduty`, {
                topic: topic.arn,
                protocol: "https",
                // The integration URL holds PagerDuty's integration key: a secret, encrypted in state.
                endpoint: pulumi.secret(a.pagerDutyUrl as pulumi.Input<string>),
                endpointAutoConfirms: true,
            }, { parent: this, additionalSecretOutputs: ["endpoint"] });
        }
        if (a.slack) {
            const role = new aws.iam.Role(`${name}-chatbot`, {
                description: `AWS Chatbot channel of the ${a.environment} alert topic (relays notifications only)`,
                assumeRolePolicy: JSON.stringify(chatbotTrustPolicy()),
                tags,
            }, parent);
            new aws.chatbot.SlackChannelConfiguration(`${name}-slack`, {
                configurationName: alertTopicName(a.environment),
                slackTeamId: a.slack.workspaceId,
                slackChannelId: a.slack.channelId,
                iamRoleArn: role.arn,
                guardrailPolicyArns: partition.apply(chatbotGuardrails),
                snsTopicArns: [topic.arn],
                loggingLevel: "ERROR",
                tags,
            }, parent);
        }
        return { topic, key };
    }
}

/** A CloudWatch alarm from a spec known only once the queue or cache name is; it notifies the topic when there is one. */
function alarmFor(resourceName: string, spec: pulumi.Output<AlarmSpec>, topic: aws.sns.Topic | undefined, tags: Record<string, string>, parent: pulumi.Resource) {
    const actions = topic ? [topic.arn] : [];
    return new aws.cloudwatch.MetricAlarm(resourceName, {
        name: spec.name,
        alarmDescription: spec.description,
        namespace: spec.namespace, metricName: spec.metricName, dimensions: spec.dimensions, statistic: spec.statistic,
        period: spec.period, evaluationPeriods: spec.evaluationPeriods, datapointsToAlarm: spec.datapointsToAlarm,
        threshold: spec.threshold, comparisonOperator: spec.comparisonOperator, treatMissingData: spec.treatMissingData,
        alarmActions: actions,
        okActions: actions,
        tags,
    }, { parent });
}
