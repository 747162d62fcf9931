/**
 * Grafana's alerting provisioning files, built from the catalog (rules.ts): one rule group with every
 * Grafana rule, the stack's one contact point and the policy that routes every alert to it. The chart
 * passes these files through Helm's `tpl` and Grafana expands `$VAR` in provisioning files, so no rule
 * text may contain `{{` or `$` (a test holds them to that); the contact point names its secret webhook
 * only as `${VAR}`, an environment variable Grafana reads from a Kubernetes Secret.
 */
import { durationSeconds } from "../shared/schema";
import { ALERTS, alertQueries, AlertId, AlertThreshold, WatchedQueue } from "./rules";
import { ResolvedAlertRules } from "./args";

/** Name of the contact point (and receiver of the root policy). */
export const GRAFANA_CONTACT_POINT = "agent-platform";
/** Folder of the rules (the Agents dashboard's folder) and name of their group. */
export const GRAFANA_RULE_FOLDER = "Agents";
export const GRAFANA_RULE_GROUP = "agent-platform";
/** How often the group is evaluated. */
export const GRAFANA_RULE_INTERVAL = "1m";

/** Where Grafana sends alerts: the stack's SNS topic, or a Slack incoming webhook. */
export interface GrafanaContactPointInput {
    /** The SNS topic (staging/prod): Grafana publishes with its Pod Identity credentials. */
    sns?: { topicArn: string; region: string };
    /** Environment variable holding a Slack incoming-webhook URL (dev). */
    slackWebhookEnv?: string;
}

/** What the provisioning depends on. */
export interface GrafanaAlertingInput {
    /** Threshold and `for` of every Grafana rule. */
    rules: ResolvedAlertRules;
    /** Queues the "queue not consumed" rule watches. */
    queues: WatchedQueue[];
    /** Uid of the Prometheus (or AMP) data source the rules query. */
    datasourceUid: string;
    contactPoint: GrafanaContactPointInput;
}

/** Uid of a rule: stable across renders, at most 40 characters of [a-z0-9-]. */
export function ruleUid(id: AlertId): string {
    return `agent-platform-${id.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`.slice(0, 40);
}

/** One Grafana-managed rule: query A (instant), threshold C on it. */
function rule(id: AlertId, expr: string, t: AlertThreshold, datasourceUid: string) {
    const spec = ALERTS[id];
    // The query's range vectors look back at most their window; 10 minutes covers the rules' own windows.
    const lookback = Math.max(600, ...[...expr.matchAll(/\[(\d+[smh])\]/g)].map((m) => durationSeconds(m[1])));
    return {
        uid: ruleUid(id),
        title: spec.title,
        condition: "C",
        data: [
            {
                refId: "A",
                relativeTimeRange: { from: lookback, to: 0 },
                datasourceUid,
                model: { refId: "A", expr, instant: true, range: false, intervalMs: 60000, maxDataPoints: 43200 },
            },
            {
                refId: "C",
                relativeTimeRange: { from: 0, to: 0 },
                datasourceUid: "__expr__",
                model: {
                    refId: "C", type: "threshold", expression: "A",
                    datasource: { type: "__expr__", uid: "__expr__" },
                    conditions: [{ evaluator: { type: spec.comparison, params: [t.threshold] } }],
                },
            },
        ],
        // No traffic means no series: not an alert (collectorDown always has a value, `or vector(0)`).
        noDataState: "OK",
        execErrState: "Error",
        for: t.for,
        annotations: {
            summary: `${spec.title}: ${spec.comparison === "gt" ? "above" : "below"} ${t.threshold} (${spec.threshold}) for ${t.for}`,
            runbook: `docs/components/alerts.md#${spec.runbook}`,
        },
        labels: { severity: spec.severity, alert: id },
    };
}

/** The contact point of a stack, or none when it has no receiver (alerts then show only in Grafana). */
function contactPoint(c: GrafanaContactPointInput) {
    if (c.sns && c.slackWebhookEnv) throw new Error("one contact point per stack: an SNS topic or a Slack webhook, not both");
    const receiver = c.sns
        ? { uid: `${GRAFANA_CONTACT_POINT}-sns`, type: "sns", settings: { topic_arn: c.sns.topicArn, sigv4: { region: c.sns.region } } }
        : c.slackWebhookEnv
            ? { uid: `${GRAFANA_CONTACT_POINT}-slack`, type: "slack", settings: { url: `\${${c.slackWebhookEnv}}` } }
            : undefined;
    return receiver && { orgId: 1, name: GRAFANA_CONTACT_POINT, receivers: [{ ...receiver, disableResolveMessage: false }] };
}

/**
 * The provisioning files: `rules.yaml` always; `contactpoints.yaml` and `policies.yaml` when the stack
 * has a contact point (the root policy sends every alert to it, grouped per rule).
 */
export function grafanaAlerting(input: GrafanaAlertingInput): Record<string, unknown> {
    const queries = alertQueries(input.queues);
    const rules = (Object.entries(queries) as [AlertId, string][]).map(([id, expr]) => rule(id, expr, input.rules[id], input.datasourceUid));
    const cp = contactPoint(input.contactPoint);
    return {
        "rules.yaml": {
            apiVersion: 1,
            groups: [{ orgId: 1, name: GRAFANA_RULE_GROUP, folder: GRAFANA_RULE_FOLDER, interval: GRAFANA_RULE_INTERVAL, rules }],
        },
        ...(cp
            ? {
                "contactpoints.yaml": { apiVersion: 1, contactPoints: [cp] },
                "policies.yaml": {
                    apiVersion: 1,
                    policies: [{ orgId: 1, receiver: GRAFANA_CONTACT_POINT, group_by: ["grafana_folder", "alertname"], group_wait: "30s", group_interval: "5m", repeat_interval: "4h" }],
                },
            }
            : {}),
    };
}
