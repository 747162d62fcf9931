import { ContactPoint } from "../shared/constants";
import { DURATION, duration, durationSeconds, environmentName, input, matching, oneOf, tags, z } from "../shared/schema";
import { AlertEngine, AlertId, ALERTS, AlertThreshold } from "./rules";

/** Longest `for` of an alert: CloudWatch caps evaluation periods × period at one day. */
const MAX_FOR_SECONDS = 86400;

/** The `for` of an alert: CloudWatch counts whole one-minute periods; Grafana takes any duration. */
function forSchema(engine: AlertEngine) {
    const minutes = engine === AlertEngine.CloudWatch;
    const ok = (d: string) => {
        if (!DURATION.test(d)) return false; // the pattern check reports it
        const s = durationSeconds(d);
        return minutes ? s >= 60 && s <= MAX_FOR_SECONDS && s % 60 === 0 : s <= MAX_FOR_SECONDS;
    };
    return duration.refine(ok).meta({
        allowed: minutes ? 'whole minutes from "1m" to "24h", such as "5m" or "1h"' : 'a duration up to "24h", such as "0s", "5m" or "1h30m"',
    });
}

/** The threshold and `for` of one alert, with the catalog's bounds and defaults. */
function thresholdSchema(id: AlertId) {
    const spec = ALERTS[id];
    return z.strictObject({
        threshold: z.number().min(spec.min).max(spec.max).default(spec.defaultThreshold).describe(`${spec.title}: ${spec.threshold}`),
        for: forSchema(spec.engine).default(spec.defaultFor).describe(`${spec.title}: how long the condition holds before it fires`),
    }).prefault({});
}

/** AlertRulesOptions: every alert's threshold and `for`, each defaulting to the catalog's. */
export const alertRulesSchema = z.strictObject(
    Object.fromEntries((Object.keys(ALERTS) as AlertId[]).map((id) => [id, thresholdSchema(id)])) as Record<AlertId, ReturnType<typeof thresholdSchema>>,
);

/** AlertThreshold (any alert's shape; bounds and defaults are per alert, in alertRulesSchema). */
export const alertThresholdSchema = z.strictObject({ threshold: z.number().optional(), for: duration.optional() });

/** SlackChannelArgs: the Slack channel AWS Chatbot relays the topic to. */
export const slackChannelSchema = z.strictObject({
    workspaceId: matching(/^T[A-Z0-9]{4,20}$/, "a Slack workspace (team) id such as T07EA123LEP").describe("Slack workspace id, authorized once in the AWS Chatbot console"),
    channelId: matching(/^[CG][A-Z0-9]{4,20}$/, "a Slack channel id such as C07EZ1ABC23").describe("Slack channel id"),
});

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** What the Alerts component and AgentPlatform share: the contact point, its receivers, every threshold. */
const notificationFields = {
    contactPoint: oneOf(ContactPoint).default(ContactPoint.Sns)
        .describe("The stack's one contact point: `sns` (a topic CloudWatch alarms and Grafana publish to) or `grafana` (Grafana's Slack webhook; no AWS)"),
    email: z.array(matching(EMAIL, "an email address")).max(20).default([]).describe("Email subscriptions of the SNS topic (each confirms by email)"),
    slack: slackChannelSchema.optional().describe("Slack channel of the SNS topic, through AWS Chatbot"),
    pagerDuty: z.boolean().default(false)
        .describe("Subscribe PagerDuty to the SNS topic; its integration URL is the secret `secretValues.alerting.PAGERDUTY_URL`"),
    pagerDutyUrl: input<string>().meta({ secret: true }).optional(),
    rules: alertRulesSchema.prefault({}).describe("Threshold and `for` of every alert"),
};

/** AlertsOptions: what a stack or AgentPlatform sets (the stack's config section leaves the secret URLs to `secretValues`). */
export const alertsOptionsSchema = z.strictObject({
    ...notificationFields,
    slackWebhook: z.boolean().default(false)
        .describe("Grafana posts to Slack; the webhook URL is the secret `alerting` key `SLACK_WEBHOOK_URL` (Secrets Manager, synced by ESO)"),
    slackWebhookUrl: input<string>().meta({ secret: true }).optional(),
});

/** The receivers given must belong to the one contact point. */
export function checkContactPoint(a: { contactPoint: string; email: string[]; slack?: unknown; pagerDuty: boolean; slackWebhook?: boolean }, ctx: z.RefinementCtx): void {
    const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    if (a.contactPoint === ContactPoint.Grafana) {
        if (a.email.length > 0) issue("email", "none with contactPoint \"grafana\" (email goes through the SNS topic)");
        if (a.slack !== undefined) issue("slack", "nothing with contactPoint \"grafana\" (use slackWebhook)");
        if (a.pagerDuty) issue("pagerDuty", "false with contactPoint \"grafana\" (PagerDuty subscribes to the SNS topic)");
    } else if (a.slackWebhook) {
        issue("slackWebhook", "false with contactPoint \"sns\" (use slack: the topic's AWS Chatbot channel)");
    }
}

/** PagerDuty needs its integration URL. */
export function checkPagerDutyUrl(a: { contactPoint: string; pagerDuty: boolean; pagerDutyUrl?: unknown }, ctx: z.RefinementCtx): void {
    if (a.contactPoint === ContactPoint.Sns && a.pagerDuty && a.pagerDutyUrl === undefined) {
        ctx.addIssue({ code: "custom", path: ["pagerDutyUrl"], message: "the PagerDuty integration URL (a secret) when pagerDuty is true" });
    }
}

/** AlertsArgs. */
export const alertsArgsSchema = z.strictObject({
    ...notificationFields,
    environment: environmentName,
    queues: z.record(z.string(), input<string>()).default({}),
    cacheClusterIds: z.array(input<string>()).default([]),
    tags: tags.optional(),
}).superRefine((a, ctx) => {
    checkContactPoint(a, ctx);
    checkPagerDutyUrl(a, ctx);
});

/** Every alert's threshold and `for`, defaults applied. */
export type ResolvedAlertRules = Record<AlertId, AlertThreshold>;
