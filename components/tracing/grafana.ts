/**
 * Pure builders of Grafana's values: the Tempo and Prometheus (or AMP) data sources, the Agents
 * dashboard, the alerting provisioning files, and the environment the contact point reads its
 * webhook from.
 */
import { reloadAnnotations } from "../secrets/spec";
import { MetricsStorage } from "../shared/constants";
import { controllerPlacement } from "../shared/placement";
import { GRAFANA_AMP_PLUGIN } from "../shared/versions";
import { PROMETHEUS_DATASOURCE_UID, SCRAPE_INTERVAL } from "./prometheus";
import { GRAFANA_PORTS, TEMPO_DATASOURCE_UID, TRACING_RELEASES, tracingEndpoints } from "./values";

/** Service account Grafana runs as; its Pod Identity association names it when it queries AMP or publishes to SNS. */
export const GRAFANA_SERVICE_ACCOUNT = "grafana";

/** Where Grafana reads the span metrics. */
export interface MetricsDataSourceInput {
    /** MetricsStorage: "local" (the in-cluster Prometheus) or "amp". */
    storage: string;
    /** The Prometheus URL, or the AMP workspace's query endpoint. */
    url: string;
    /** AMP's region (SigV4 signing). */
    region?: string;
}

/**
 * The Prometheus data source: the in-cluster server, or the AMP workspace through the Amazon Managed
 * Service for Prometheus plugin, which signs every query with SigV4 using the AWS SDK's default
 * credentials (Grafana's Pod Identity role).
 */
export function metricsDataSource(m: MetricsDataSourceInput) {
    const amp = m.storage === MetricsStorage.Amp;
    if (amp && !m.region) throw new Error("the AMP data source needs the workspace's region");
    return {
        name: "Prometheus",
        type: amp ? GRAFANA_AMP_PLUGIN.id : "prometheus",
        uid: PROMETHEUS_DATASOURCE_UID,
        access: "proxy",
        url: m.url,
        isDefault: false,
        editable: false,
        jsonData: {
            httpMethod: "POST",
            timeInterval: SCRAPE_INTERVAL,
            ...(amp ? { sigV4Auth: true, sigV4AuthType: "default", sigV4Region: m.region } : {}),
        },
    };
}

/** What the Grafana values depend on. */
export interface GrafanaValuesInput {
    /** Pin the pods to AgentCluster's system nodes (default true; false on a cluster without them). */
    onSystemNodes?: boolean;
    namespace: string;
    adminSecretName: string;
    adminSecretKey: string;
    /** The Agents dashboard, as Grafana JSON. */
    dashboardJson: string;
    /** The span metrics' data source. */
    metrics: MetricsDataSourceInput;
    /** Alerting provisioning files by file name (rules, contact points, policies). Default: none. */
    alerting?: Record<string, unknown>;
    /** Environment variables read from Secrets in the namespace (the contact point's webhook URL). Default: none. */
    secretEnv?: Record<string, { secretName: string; key: string }>;
}

/**
 * Values of the `grafana` chart: Tempo (the default) and Prometheus provisioned as data sources, the
 * Agents dashboard from a file provider, the alerting provisioning files, the admin password read from
 * the Secret ESO syncs from Secrets Manager (the user name is fixed, so the Secret needs only the
 * password key), a ClusterIP Service and no Ingress: Grafana is reached with `kubectl port-forward`.
 * Secrets a contact point needs reach Grafana as environment variables (the provisioning files name
 * them as `${VAR}`), never as values, and Reloader restarts Grafana when they change.
 */
export function grafanaValues(input: GrafanaValuesInput) {
    const endpoints = tracingEndpoints(input.namespace);
    const amp = input.metrics.storage === MetricsStorage.Amp;
    const secretEnv = Object.entries(input.secretEnv ?? {});
    return {
        fullnameOverride: TRACING_RELEASES.grafana,
        serviceAccount: { create: true, name: GRAFANA_SERVICE_ACCOUNT },
        admin: { existingSecret: input.adminSecretName, passwordKey: input.adminSecretKey },
        // With GF_SECURITY_ADMIN_USER set, the chart does not read a user key from the admin Secret.
        env: { GF_SECURITY_ADMIN_USER: "admin" },
        ...(secretEnv.length > 0
            ? {
                envValueFrom: Object.fromEntries(secretEnv.map(([name, s]) => [name, { secretKeyRef: { name: s.secretName, key: s.key } }])),
                annotations: reloadAnnotations(secretEnv.map(([, s]) => s.secretName)),
            }
            : {}),
        ...(amp ? { plugins: [`${GRAFANA_AMP_PLUGIN.id}@${GRAFANA_AMP_PLUGIN.version}`] } : {}),
        service: { type: "ClusterIP", port: GRAFANA_PORTS.service },
        ingress: { enabled: false },
        // Data sources, dashboards and alerting are provisioned; nothing else needs to survive a restart.
        persistence: { enabled: false },
        "grafana.ini": {
            analytics: { reporting_enabled: false, check_for_updates: false },
            users: { allow_sign_up: false },
            "auth.anonymous": { enabled: false },
        },
        datasources: {
            "datasources.yaml": {
                apiVersion: 1,
                datasources: [{
                    name: "Tempo",
                    type: "tempo",
                    uid: TEMPO_DATASOURCE_UID,
                    access: "proxy",
                    url: endpoints.tempoQuery,
                    isDefault: true,
                    editable: false,
                    jsonData: {
                        nodeGraph: { enabled: true },
                        search: { hide: false },
                        streamingEnabled: { search: true, metrics: true },
                        traceQuery: { timeShiftEnabled: true, spanStartTimeShift: "-30m", spanEndTimeShift: "30m" },
                    },
                }, metricsDataSource(input.metrics)],
            },
        },
        ...(input.alerting ? { alerting: input.alerting } : {}),
        dashboardProviders: {
            "dashboardproviders.yaml": {
                apiVersion: 1,
                providers: [{
                    name: "agents", orgId: 1, folder: "Agents", type: "file", disableDeletion: true, editable: false,
                    allowUiUpdates: false, options: { path: "/var/lib/grafana/dashboards/agents" },
                }],
            },
        },
        dashboards: { agents: { agents: { json: input.dashboardJson } } },
        resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
        ...controllerPlacement(input.onSystemNodes),
    };
}
