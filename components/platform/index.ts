import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { Alerts, AlertsOptions } from "../alerts";
import { AgentCluster, ClusterOptions } from "../cluster";
import { ContactPoint, ContextStoreMode } from "../shared/constants";
import { ContextStore, ContextStoreOptions } from "../contextStore";
import { Keda } from "../keda";
import { ModelServerArgs } from "../modelServer";
import { AgentNetwork, NetworkOptions } from "../network";
import { AGENT_NAMESPACE, OBSERVABILITY_NAMESPACE, podSecurityLabels, PodSecurityLevel } from "../shared/placement";
import { AgentOptions, deployAgents, ImageOptions } from "./agents";
import { AgentSecrets, SecretsOptions } from "../secrets";
import { ALERTING_SECRET, GRAFANA_ADMIN_SECRET, REDIS_AUTH_SECRET } from "../secrets/spec";
import { Tracing, TracingOptions } from "../tracing";
import { TaskQueue, TaskQueueOptions } from "../taskQueue";
import { parseArgs } from "../shared/schema";
import { platformArgsSchema } from "./args";

export interface AgentPlatformArgs {
    /** Environment name (dev, staging, prod, ...): resource names, tags and `deployment.environment`. Required. */
    environment: string;
    /** EKS cluster name. Default: `agents-<environment>`. */
    clusterName?: string;
    /** The VPC. Default: a new 10.0.0.0/16 VPC over 2 AZs with one NAT gateway. */
    network?: NetworkOptions;
    /** The EKS cluster, its system nodes and Karpenter node pools. Default: the ClusterOptions defaults. */
    cluster?: ClusterOptions;
    /** Secrets Manager secrets synced into the agents namespace by External Secrets Operator. Default: no entries (the generated secrets always exist). */
    secrets?: SecretsOptions;
    /** Tracing: OpenTelemetry Collector, Tempo (S3 or a local volume), Prometheus (AMP or local) and Grafana. Default: the TracingOptions defaults (S3, 14 days, AMP, Grafana). */
    tracing?: TracingOptions;
    /** Alerting: the stack's one contact point and every alert's threshold. Default: an SNS topic without subscriptions, every alert's default threshold. */
    alerts?: AlertsOptions;
    /** Redis-protocol store for agent context (ElastiCache Valkey or in-cluster). Default: ElastiCache, cache.t4g.small, one replica, single-AZ. */
    contextStore?: ContextStoreOptions;
    /** SQS job queues, each with a DLQ; KEDA scales their workers. Default: one queue `jobs` for jobs of up to 300 s. */
    queues?: TaskQueueOptions[];
    /** Images built and pushed to ECR; agents run them by digest. Default: none. */
    images?: ImageOptions[];
    /** Agent workloads (api and worker). Default: none. */
    agents?: AgentOptions[];
    /** vLLM model server on the GPU pool. Default: none. */
    modelServer?: ModelServerArgs;
}

/** Validates AgentPlatformArgs and applies every default; throws `InputPropertiesError` naming each bad argument. */
export function parsePlatformArgs(args: AgentPlatformArgs) {
    return parseArgs("AgentPlatform", platformArgsSchema, args);
}

/** Default cluster name of an environment. */
export function defaultClusterName(environment: string): string {
    return `agents-${environment}`;
}

/**
 * The whole platform for one environment, composed from the typed configuration: network → cluster →
 * secrets → context store and queues → alerts → tracing → images → workloads.
 */
export class AgentPlatform extends pulumi.ComponentResource {
    /** EKS cluster name. */
    public readonly clusterName: pulumi.Output<string>;
    /** Id of the VPC. */
    public readonly vpcId: pulumi.Output<string>;
    /** Private subnet ids (nodes, pods, caches). */
    public readonly privateSubnetIds: pulumi.Output<string[]>;
    /** Public subnet ids (load balancers, NAT). */
    public readonly publicSubnetIds: pulumi.Output<string[]>;
    /** API server endpoint of the EKS cluster. */
    public readonly clusterEndpoint: pulumi.Output<string>;
    /** Kubeconfig of the cluster (`aws eks get-token` exec auth); secret. */
    public readonly kubeconfig: pulumi.Output<string>;
    /** The EKS cluster security group every node carries. */
    public readonly clusterSecurityGroupId: pulumi.Output<string>;
    /** ARN of the role of Karpenter (workload) nodes. */
    public readonly nodeRoleArn: pulumi.Output<string>;
    /** OTLP/HTTP endpoint of the OpenTelemetry Collector (in-cluster): agents' OTEL_EXPORTER_OTLP_ENDPOINT. */
    public readonly otlpEndpoint: pulumi.Output<string>;
    /** Where the span metrics are queried: the in-cluster Prometheus, or the AMP workspace's endpoint. */
    public readonly metricsQueryUrl: pulumi.Output<string>;
    /** ARN of the alert topic (undefined output when the contact point is not "sns"). */
    public readonly alertTopicArn: pulumi.Output<string | undefined>;
    /** How to reach Grafana (no Ingress): `kubectl -n observability port-forward svc/grafana 3000:80` (undefined output without Grafana). */
    public readonly grafanaPortForwardCommand: pulumi.Output<string | undefined>;
    /** Host of the context store (ElastiCache primary endpoint or in-cluster Service). */
    public readonly contextStoreHost: pulumi.Output<string>;
    /** URL of the context store, without the password (`rediss://` when TLS). */
    public readonly contextStoreUrl: pulumi.Output<string>;
    /** Whether the context store requires TLS. */
    public readonly contextStoreTls: pulumi.Output<boolean>;
    /** Queue URLs by queue name. */
    public readonly queueUrls: pulumi.Output<Record<string, string>>;
    /** Queue ARNs by queue name. */
    public readonly queueArns: pulumi.Output<Record<string, string>>;
    /** Dead-letter queue URLs by queue name. */
    public readonly deadLetterQueueUrls: pulumi.Output<Record<string, string>>;
    /** ARN of the KEDA operator's IAM role. */
    public readonly kedaOperatorRoleArn: pulumi.Output<string>;
    /** Secrets Manager name of every platform secret, by name: the `--secret-id` of `aws secretsmanager put-secret-value`. */
    public readonly secretNames: pulumi.Output<Record<string, string>>;

    /** Digest-pinned image reference of each image, by image name. */
    public readonly imageRefs: pulumi.Output<Record<string, string>>;
    /** In-cluster URL of each api agent's Service, by agent name. */
    public readonly apiServiceUrls: pulumi.Output<Record<string, string>>;
    /** OpenAI-compatible URL of the model server (undefined output without one). */
    public readonly modelServerUrl: pulumi.Output<string | undefined>;

    constructor(name: string, args: AgentPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        const a = parsePlatformArgs(args); // before super: invalid arguments register nothing
        super("agent-platform:index:AgentPlatform", name, {}, opts);
        const clusterName = a.clusterName ?? defaultClusterName(a.environment);
        const tags = { "agent-platform:environment": a.environment, ...a.network.tags };

        const network = new AgentNetwork(`${name}-network`, { ...a.network, tags, clusterName }, { parent: this });

        const cluster = new AgentCluster(`${name}-cluster`, {
            ...a.cluster,
            tags: { ...tags, ...a.cluster.tags },
            clusterName,
            vpcId: network.vpcId,
            privateSubnetIds: network.privateSubnetIds,
        }, { parent: this });
        // The Kubernetes provider of every in-cluster component below. Its kubeconfig only changes when
        // the cluster does (exec auth, no token), so the provider is not replaced between runs.
        const k8sProvider = new k8s.Provider(`${name}-k8s`, { kubeconfig: cluster.kubeconfig, enableServerSideApply: true }, { parent: this });
        // What in-cluster components must wait for: the cluster component (control plane, system nodes,
        // add-ons, Karpenter and its node pools). Use
        // `{ parent: this, providers: { kubernetes: k8sProvider }, dependsOn: clusterReady }`.
        const clusterReady: pulumi.Resource[] = [cluster];

        // The namespaces of the agents (restricted Pod Security) and of tracing (baseline enforced,
        // restricted warned: Grafana/Tempo charts may need more); ExternalSecrets land in both.
        const inCluster = { parent: this, provider: k8sProvider, dependsOn: clusterReady };
        const agentsNamespace = new k8s.core.v1.Namespace(`${name}-ns-agents`, {
            metadata: { name: AGENT_NAMESPACE, labels: podSecurityLabels(PodSecurityLevel.Restricted, PodSecurityLevel.Restricted) },
        }, inCluster);
        const observabilityNamespace = new k8s.core.v1.Namespace(`${name}-ns-observability`, {
            metadata: { name: OBSERVABILITY_NAMESPACE, labels: podSecurityLabels(PodSecurityLevel.Baseline, PodSecurityLevel.Restricted) },
        }, inCluster);

        // Credentials: KMS key, Secrets Manager, ESO, ExternalSecrets into the namespaces above. Later
        // components read `secrets.generatedValues[...]` and mount the Kubernetes Secrets named in
        // `secrets.kubernetesSecretNames` (REDIS_AUTH_SECRET in agents, GRAFANA_ADMIN_SECRET in observability).
        // Grafana's Slack webhook (the "grafana" contact point) lives in Secrets Manager like every other
        // secret, synced by ESO into the observability namespace; its value comes from config or out of band.
        const slackWebhook = a.alerts.contactPoint === ContactPoint.Grafana && a.alerts.slackWebhook;
        const alertingSecret = slackWebhook ? [{
            name: ALERTING_SECRET.name, keys: [ALERTING_SECRET.slackWebhookKey], description: "Alert receiver URLs (Grafana's Slack webhook)",
            namespaces: [OBSERVABILITY_NAMESPACE],
            ...(a.alerts.slackWebhookUrl !== undefined ? { values: { [ALERTING_SECRET.slackWebhookKey]: a.alerts.slackWebhookUrl } } : {}),
        }] : [];
        const secrets = new AgentSecrets(`${name}-secrets`, {
            clusterName: cluster.clusterName,
            environment: a.environment,
            secrets: [...a.secrets.entries, ...alertingSecret],
            generatedSecrets: [
                { name: REDIS_AUTH_SECRET.name, key: REDIS_AUTH_SECRET.key, namespaces: [AGENT_NAMESPACE] },
                { name: GRAFANA_ADMIN_SECRET.name, key: GRAFANA_ADMIN_SECRET.key, namespaces: [OBSERVABILITY_NAMESPACE] },
            ],
            namespaces: [AGENT_NAMESPACE],
            recoveryWindowDays: a.secrets.recoveryWindowDays,
            refreshInterval: a.secrets.refreshInterval,
            reloader: a.secrets.reloader,
            tags,
        }, { parent: this, providers: { kubernetes: k8sProvider }, dependsOn: [...clusterReady, agentsNamespace, observabilityNamespace] });

        // Agent context: ElastiCache Valkey admitting only the cluster security group, AUTH token from
        // AgentSecrets' generated `redis-auth` (secret); or, for dev, Valkey in the agents namespace
        // reading the same password from the ESO-managed Secret.
        const contextStoreMode = a.contextStore.mode;
        const contextStore = new ContextStore(`${name}-context`, {
            ...a.contextStore,
            environment: a.environment,
            vpcId: network.vpcId,
            subnetIds: network.privateSubnetIds,
            allowedSecurityGroupIds: [cluster.clusterSecurityGroupId],
            authToken: secrets.generatedValues.apply((v) => v[REDIS_AUTH_SECRET.name]),
            authSecretName: REDIS_AUTH_SECRET.name,
            authSecretKey: REDIS_AUTH_SECRET.key,
            namespace: AGENT_NAMESPACE,
            tags,
        }, contextStoreMode === ContextStoreMode.InCluster
            ? { parent: this, providers: { kubernetes: k8sProvider }, dependsOn: [...clusterReady, agentsNamespace, secrets] }
            : { parent: this });

        // Job queues (each with its DLQ) and KEDA, whose operator may read their depth. The workers below
        // scale on them with ScaledObjects, after `keda` (its release installs the CRDs; the
        // TriggerAuthentication lives in AGENT_NAMESPACE).
        // With the "sns" contact point every CloudWatch alarm notifies the stack's topic, the DLQ alarm of
        // each TaskQueue among them. The topic belongs to Alerts, which is created after the queues and the
        // context store it alarms on, so the queues get its ARN as an output resolved once it exists.
        const sns = a.alerts.contactPoint === ContactPoint.Sns;
        const [topicArn, resolveTopicArn] = pulumi.deferredOutput<string>();
        const queueOptions = Object.fromEntries(a.queues.map((q) => [q.name, q]));
        const queues: Record<string, TaskQueue> = Object.fromEntries(a.queues.map((q) => [q.name,
            new TaskQueue(`${name}-queue-${q.name}`, { ...q, environment: a.environment, alarmActions: sns ? [topicArn] : [], tags }, { parent: this })]));
        const keda = new Keda(`${name}-keda`, {
            clusterName: cluster.clusterName,
            queueArns: Object.values(queues).map((q) => q.queueArn),
            workloadNamespaces: [AGENT_NAMESPACE],
            tags,
        }, { parent: this, providers: { kubernetes: k8sProvider }, dependsOn: [...clusterReady, agentsNamespace] });
        const region = aws.getRegionOutput({}, { parent: this }).region;
        const byQueue = (pick: (q: TaskQueue) => pulumi.Output<string>) =>
            pulumi.output(Object.fromEntries(Object.entries(queues).map(([n, q]) => [n, pick(q)]))) as pulumi.Output<Record<string, string>>;

        // Alerting on what AWS measures: queue age and the context store's nodes; the topic when "sns".
        const { slackWebhook: _slackWebhook, slackWebhookUrl: _slackWebhookUrl, ...notification } = a.alerts;
        const alerts = new Alerts(`${name}-alerts`, {
            ...notification,
            environment: a.environment,
            queues: Object.fromEntries(Object.entries(queues).map(([n, q]) => [n, q.queueName])),
            cacheClusterIds: contextStoreMode === ContextStoreMode.ElastiCache
                ? Array.from({ length: 1 + a.contextStore.replicas }, (_, i) => contextStore.cacheClusterIds.apply((ids) => ids[i]))
                : [],
            tags,
        }, { parent: this });
        if (sns) resolveTopicArn(alerts.topicArn.apply((arn) => arn as string));

        // Tracing: the collector every agent sends OTLP to, Tempo, Prometheus, and Grafana with the alert
        // rules (its admin password and Slack webhook are secrets ESO syncs into the observability
        // namespace, so it waits for them).
        const tracing = new Tracing(`${name}-tracing`, {
            ...a.tracing,
            tags: { ...tags, ...a.tracing.tags },
            environment: a.environment,
            clusterName: cluster.clusterName,
            namespace: OBSERVABILITY_NAMESPACE,
            grafanaAdminSecretName: GRAFANA_ADMIN_SECRET.name,
            grafanaAdminSecretKey: GRAFANA_ADMIN_SECRET.key,
            alerting: {
                rules: a.alerts.rules,
                ...(sns ? { snsTopicArn: topicArn, snsTopicKeyArn: alerts.topicKeyArn.apply((arn) => arn as string) } : {}),
                ...(slackWebhook ? { slackWebhookSecret: { name: ALERTING_SECRET.name, key: ALERTING_SECRET.slackWebhookKey } } : {}),
                queues: Object.entries(queues).map(([n, q]) => ({ name: q.queueName, maxJobDurationSeconds: queueOptions[n].maxJobDurationSeconds })),
            },
        }, { parent: this, providers: { kubernetes: k8sProvider }, dependsOn: [...clusterReady, observabilityNamespace, secrets] });

        // Images, the model server and the agents: in the agents namespace, after the secrets they read,
        // the context store, and KEDA (whose release installs the ScaledObject CRD).
        const agents = deployAgents(this, name, a.images, a.agents, a.modelServer, {
            environment: a.environment,
            clusterName: cluster.clusterName,
            region,
            vpcCidr: network.vpcCidr,
            contextStoreUrl: contextStore.url,
            contextStoreInCluster: contextStoreMode === ContextStoreMode.InCluster,
            sessionTtlSeconds: a.contextStore.sessionTtlSeconds,
            queues: Object.fromEntries(Object.entries(queues).map(([n, q]) => [n, {
                url: q.queueUrl, arn: q.queueArn, maxJobDurationSeconds: queueOptions[n].maxJobDurationSeconds, scaling: queueOptions[n].scaling,
            }])),
            otlpEndpoint: tracing.otlpHttpEndpoint,
            tags,
            inCluster: { providers: { kubernetes: k8sProvider }, dependsOn: [...clusterReady, agentsNamespace, secrets, contextStore, keda] },
        });

        this.clusterName = pulumi.output(clusterName);
        this.vpcId = network.vpcId;
        this.privateSubnetIds = network.privateSubnetIds;
        this.publicSubnetIds = network.publicSubnetIds;
        this.clusterEndpoint = cluster.endpoint;
        this.kubeconfig = cluster.kubeconfig;
        this.clusterSecurityGroupId = cluster.clusterSecurityGroupId;
        this.nodeRoleArn = cluster.nodeRoleArn;
        this.otlpEndpoint = tracing.otlpHttpEndpoint;
        this.metricsQueryUrl = tracing.metricsQueryUrl;
        this.alertTopicArn = alerts.topicArn;
        this.grafanaPortForwardCommand = tracing.grafanaPortForwardCommand;
        this.contextStoreHost = contextStore.host;
        this.contextStoreUrl = contextStore.url;
        this.contextStoreTls = contextStore.tls;
        this.queueUrls = byQueue((q) => q.queueUrl);
        this.queueArns = byQueue((q) => q.queueArn);
        this.deadLetterQueueUrls = byQueue((q) => q.deadLetterQueueUrl);
        this.kedaOperatorRoleArn = keda.operatorRoleArn;
        this.secretNames = secrets.secretNames;
        this.imageRefs = agents.imageRefs;
        this.apiServiceUrls = agents.apiServiceUrls;
        this.modelServerUrl = agents.modelServerUrl;
        this.registerOutputs({
            clusterName: this.clusterName, vpcId: this.vpcId, privateSubnetIds: this.privateSubnetIds, publicSubnetIds: this.publicSubnetIds,
            clusterEndpoint: this.clusterEndpoint, kubeconfig: this.kubeconfig, clusterSecurityGroupId: this.clusterSecurityGroupId, nodeRoleArn: this.nodeRoleArn,
            otlpEndpoint: this.otlpEndpoint, metricsQueryUrl: this.metricsQueryUrl, alertTopicArn: this.alertTopicArn, grafanaPortForwardCommand: this.grafanaPortForwardCommand,
            contextStoreHost: this.contextStoreHost, contextStoreUrl: this.contextStoreUrl, contextStoreTls: this.contextStoreTls,
            queueUrls: this.queueUrls, queueArns: this.queueArns, deadLetterQueueUrls: this.deadLetterQueueUrls, kedaOperatorRoleArn: this.kedaOperatorRoleArn,
            secretNames: this.secretNames, imageRefs: this.imageRefs, apiServiceUrls: this.apiServiceUrls, modelServerUrl: this.modelServerUrl,
        });
    }
}
