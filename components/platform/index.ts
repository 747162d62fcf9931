import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Alerts, AlertsOptions } from "../alerts";
import { ClusterOptions } from "../cluster";
import { ContactPoint, ContextStoreMode, MetricsStorage, PlatformTarget, TraceStorage } from "../shared/constants";
import { ContextStore, ContextStoreOptions } from "../contextStore";
import { Keda } from "../keda";
import { ModelServerArgs } from "../modelServer";
import { NetworkOptions } from "../network";
import { AGENT_NAMESPACE, OBSERVABILITY_NAMESPACE, podSecurityLabels, PodSecurityLevel } from "../shared/placement";
import { AgentOptions, deployAgents, ImageOptions } from "./agents";
import { AgentSecrets, SecretsOptions } from "../secrets";
import { ALERTING_SECRET, GRAFANA_ADMIN_SECRET, REDIS_AUTH_SECRET } from "../secrets/spec";
import { Tracing, TracingOptions } from "../tracing";
import { tracingEndpoints } from "../tracing/values";
import { TaskQueue, TaskQueueOptions } from "../taskQueue";
import { elasticMqCredentialsSecret, elasticMqLabels } from "../taskQueue/elasticMq";
import { parseArgs } from "../shared/schema";
import { awsFoundationArgs, platformArgsSchema, ResolvedPlatformArgs } from "./args";
import { awsFoundation, Foundation, kubernetesFoundation, standInsFor } from "./foundation";

/** Where an AgentPlatform runs. */
export interface TargetOptions {
    /**
     * "aws" (a VPC, EKS, Secrets Manager, SQS, ECR and the other managed services) or "kubernetes" (an
     * existing cluster, from a kubeconfig context: no AWS resource, provider or call; the same components
     * with in-cluster stand-ins — Secrets in a namespace of their own, ElasticMQ for the queues, a
     * registry of your choice) — PlatformTarget. Default: "aws".
     */
    type?: string;
    /** Kubeconfig context of the cluster (the kubeconfig is $KUBECONFIG or ~/.kube/config). Default: none (required with "kubernetes"). */
    context?: string;
    /** Registry the images are pushed to on "kubernetes": "localhost:<port>", "ghcr.io/<owner>" or "docker.io/<namespace>". Default: "localhost:5001". */
    registry?: string;
    /** User that pushes to a GHCR or Docker Hub `registry`. Default: none. */
    registryUsername?: string;
    /** Its password or access token (held as a secret). Default: none. */
    registryPassword?: pulumi.Input<string>;
}

/** The fake OpenAI-compatible server of end-to-end tests (target "kubernetes" only). */
export interface FakeLlmOptions {
    /** Name of the entry of `images` that builds it (e2e/fake-llm). Required. */
    image: string;
    /** Entry of `secrets.entries` holding the key it requires (the one the agents send). Default: none (it answers every request). */
    apiKeySecret?: string;
    /** Key of that key in the entry. Default: "OPENAI_API_KEY". */
    apiKeyKey?: string;
}

export interface AgentPlatformArgs {
    /** Environment name (dev, staging, prod, ...): resource names, tags and `deployment.environment`. Required. */
    environment: string;
    /** Where the platform runs: AWS, or an existing Kubernetes cluster. Default: the TargetOptions defaults (AWS). */
    target?: TargetOptions;
    /** EKS cluster name (target "aws"). Default: `agents-<environment>`. */
    clusterName?: string;
    /** The VPC (target "aws"). Default: a new 10.0.0.0/16 VPC over 2 AZs with one NAT gateway. */
    network?: NetworkOptions;
    /** The EKS cluster, its system nodes and Karpenter node pools (target "aws"). Default: the ClusterOptions defaults. */
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
    /** vLLM model server on the GPU pool (target "aws"). Default: none. */
    modelServer?: ModelServerArgs;
    /** A fake OpenAI-compatible server for end-to-end tests, in the agents' namespace (target "kubernetes"). Default: none. */
    fakeLlm?: FakeLlmOptions;
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
 * secrets → context store and queues → alerts → tracing → images → workloads. On the kubernetes target
 * the same components run on an existing cluster with in-cluster stand-ins for the AWS services.
 */
export class AgentPlatform extends pulumi.ComponentResource {
    /** Name of the cluster: the EKS cluster, or the kubeconfig context on "kubernetes". */
    public readonly clusterName: pulumi.Output<string>;
    /** Id of the VPC (undefined output on "kubernetes"). */
    public readonly vpcId: pulumi.Output<string | undefined>;
    /** Private subnet ids (nodes, pods, caches; undefined output on "kubernetes"). */
    public readonly privateSubnetIds: pulumi.Output<string[] | undefined>;
    /** Public subnet ids (load balancers, NAT; undefined output on "kubernetes"). */
    public readonly publicSubnetIds: pulumi.Output<string[] | undefined>;
    /** API server endpoint of the EKS cluster (undefined output on "kubernetes"). */
    public readonly clusterEndpoint: pulumi.Output<string | undefined>;
    /** Kubeconfig of the cluster (`aws eks get-token` exec auth); secret (undefined output on "kubernetes"). */
    public readonly kubeconfig: pulumi.Output<string | undefined>;
    /** The EKS cluster security group every node carries (undefined output on "kubernetes"). */
    public readonly clusterSecurityGroupId: pulumi.Output<string | undefined>;
    /** ARN of the role of Karpenter (workload) nodes (undefined output on "kubernetes"). */
    public readonly nodeRoleArn: pulumi.Output<string | undefined>;
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
    /** ARN of the KEDA operator's IAM role (undefined output on target "kubernetes"). */
    public readonly kedaOperatorRoleArn: pulumi.Output<string | undefined>;
    /** Where each platform secret's value is set, by name: its Secrets Manager name, or `<namespace>/<name>` of its source Secret on "kubernetes". */
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
        const onKubernetes = a.target.type === PlatformTarget.Kubernetes;
        const standIns = standInsFor(a.target);
        const foundationArgs = onKubernetes ? undefined : awsFoundationArgs(a);
        const tags = { "agent-platform:environment": a.environment, ...foundationArgs?.network.tags };
        const f: Foundation = foundationArgs === undefined
            ? kubernetesFoundation(this, name, a.target.context!)
            : awsFoundation(this, name, foundationArgs, a.clusterName ?? defaultClusterName(a.environment), tags);
        // The Kubernetes provider of every in-cluster component below. Through it, every Kubernetes object
        // waits for the API server; beyond that each waits only for what it uses (InClusterDependencies):
        // controllers for the system nodes, workloads for the workload nodes and storage, objects in a
        // namespace for that namespace. The components' AWS resources wait for none of these and are
        // created while the cluster comes up.
        const k8sProvider = f.provider;
        const inCluster = { parent: this, providers: { kubernetes: k8sProvider } };

        // The namespaces of the agents (restricted Pod Security) and of tracing (baseline enforced,
        // restricted warned: Grafana/Tempo charts may need more); ExternalSecrets land in both. They need
        // only the API server.
        const agentsNamespace = new k8s.core.v1.Namespace(`${name}-ns-agents`, {
            metadata: { name: AGENT_NAMESPACE, labels: podSecurityLabels(PodSecurityLevel.Restricted, PodSecurityLevel.Restricted) },
        }, { parent: this, provider: k8sProvider });
        const observabilityNamespace = new k8s.core.v1.Namespace(`${name}-ns-observability`, {
            metadata: { name: OBSERVABILITY_NAMESPACE, labels: podSecurityLabels(PodSecurityLevel.Baseline, PodSecurityLevel.Restricted) },
        }, { parent: this, provider: k8sProvider });

        // Credentials: KMS key, Secrets Manager (or a namespace of source Secrets), ESO, ExternalSecrets into
        // the namespaces above. Later components read `secrets.generatedValues[...]` and mount the Kubernetes
        // Secrets named in `secrets.kubernetesSecretNames` (REDIS_AUTH_SECRET in agents, GRAFANA_ADMIN_SECRET in observability).
        // Grafana's Slack webhook (the "grafana" contact point) is a platform secret like every other,
        // synced by ESO into the observability namespace; its value comes from config or out of band.
        const slackWebhook = a.alerts.contactPoint === ContactPoint.Grafana && a.alerts.slackWebhook;
        const alertingSecret = slackWebhook ? [{
            name: ALERTING_SECRET.name, keys: [ALERTING_SECRET.slackWebhookKey], description: "Alert receiver URLs (Grafana's Slack webhook)",
            namespaces: [OBSERVABILITY_NAMESPACE],
            ...(a.alerts.slackWebhookUrl !== undefined ? { values: { [ALERTING_SECRET.slackWebhookKey]: a.alerts.slackWebhookUrl } } : {}),
        }] : [];
        const secrets = new AgentSecrets(`${name}-secrets`, {
            clusterName: f.clusterName,
            environment: a.environment,
            store: standIns.secrets.store,
            onSystemNodes: standIns.onSystemNodes,
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
            inClusterDependsOn: { pods: f.systemNodesReady, namespaces: [agentsNamespace, observabilityNamespace] },
        }, inCluster);

        // Agent context: ElastiCache Valkey admitting only the cluster security group, AUTH token from
        // AgentSecrets' generated `redis-auth` (secret); or Valkey in the agents namespace reading the same
        // password from the ESO-managed Secret (dev, and the kubernetes target).
        const contextStoreMode = a.contextStore.mode;
        const contextStore = new ContextStore(`${name}-context`, {
            ...a.contextStore,
            environment: a.environment,
            vpcId: f.aws?.network.vpcId,
            subnetIds: f.aws?.network.privateSubnetIds,
            allowedSecurityGroupIds: f.aws ? [f.aws.cluster.clusterSecurityGroupId] : [],
            authToken: secrets.generatedValues.apply((v) => v[REDIS_AUTH_SECRET.name]),
            authSecretName: REDIS_AUTH_SECRET.name,
            authSecretKey: REDIS_AUTH_SECRET.key,
            namespace: AGENT_NAMESPACE,
            tags,
            // In-cluster Valkey runs on the workload nodes with a volume and the ESO-synced password.
            inClusterDependsOn: { namespaces: [agentsNamespace], pods: [...f.workloadNodesReady, ...f.storageReady], secrets: [secrets] },
        }, contextStoreMode === ContextStoreMode.InCluster ? inCluster : { parent: this });

        // Job queues (each with its DLQ, on SQS or an in-cluster ElasticMQ) and KEDA, whose operator may
        // read their depth. The workers below scale on them with ScaledObjects, after `keda` (its release
        // installs the CRDs; the TriggerAuthentication lives in AGENT_NAMESPACE).
        // With the "sns" contact point every CloudWatch alarm notifies the stack's topic, the DLQ alarm of
        // each TaskQueue among them. The topic belongs to Alerts, which is created after the queues and the
        // context store it alarms on, so the queues get its ARN as an output resolved once it exists.
        const sns = a.alerts.contactPoint === ContactPoint.Sns;
        const [topicArn, resolveTopicArn] = pulumi.deferredOutput<string>();
        const queueOptions = Object.fromEntries(a.queues.map((q) => [q.name, q]));
        const queues: Record<string, TaskQueue> = Object.fromEntries(a.queues.map((q) => [q.name,
            new TaskQueue(`${name}-queue-${q.name}`, {
                ...q, environment: a.environment, alarmActions: sns ? [topicArn] : [], tags, ...standIns.queues, namespace: AGENT_NAMESPACE,
            }, onKubernetes ? { parent: this, providers: { kubernetes: k8sProvider }, dependsOn: [agentsNamespace] } : { parent: this })]));
        const keda = new Keda(`${name}-keda`, {
            clusterName: f.clusterName,
            authentication: standIns.keda.authentication,
            onSystemNodes: standIns.onSystemNodes,
            queueArns: Object.values(queues).map((q) => q.queueArn),
            workloadNamespaces: [AGENT_NAMESPACE],
            tags,
            inClusterDependsOn: { pods: f.systemNodesReady, namespaces: [agentsNamespace] },
        }, inCluster);
        const byQueue = (pick: (q: TaskQueue) => pulumi.Output<string>) =>
            pulumi.output(Object.fromEntries(Object.entries(queues).map(([n, q]) => [n, pick(q)]))) as pulumi.Output<Record<string, string>>;

        // Alerting on what AWS measures: queue age and the context store's nodes; the topic when "sns". On
        // the kubernetes target there is nothing AWS measures: Grafana's rules are all the alerting there is.
        const alerts = onKubernetes ? undefined : this.createAlerts(name, a, queues, contextStore, tags);
        if (sns && alerts) resolveTopicArn(alerts.topicArn.apply((arn) => arn as string));

        // Tracing: the collector every agent sends OTLP to, Tempo, Prometheus, and Grafana with the alert
        // rules (its admin password and Slack webhook are secrets ESO syncs into the observability
        // namespace, so it waits for them).
        const localVolumes = a.tracing.storage === TraceStorage.Local || a.tracing.metrics === MetricsStorage.Local;
        const tracing = new Tracing(`${name}-tracing`, {
            ...a.tracing,
            tags: { ...tags, ...a.tracing.tags },
            environment: a.environment,
            clusterName: f.clusterName,
            namespace: OBSERVABILITY_NAMESPACE,
            grafanaAdminSecretName: GRAFANA_ADMIN_SECRET.name,
            grafanaAdminSecretKey: GRAFANA_ADMIN_SECRET.key,
            alerting: {
                rules: a.alerts.rules,
                ...(sns && alerts ? { snsTopicArn: topicArn, snsTopicKeyArn: alerts.topicKeyArn.apply((arn) => arn as string) } : {}),
                ...(slackWebhook ? { slackWebhookSecret: { name: ALERTING_SECRET.name, key: ALERTING_SECRET.slackWebhookKey } } : {}),
                queues: Object.entries(queues).map(([n, q]) => ({ name: q.queueName, maxJobDurationSeconds: queueOptions[n].maxJobDurationSeconds })),
            },
            onSystemNodes: standIns.onSystemNodes,
            inClusterDependsOn: {
                namespaces: [observabilityNamespace],
                pods: [...f.systemNodesReady, ...(localVolumes ? f.storageReady : [])],
                secrets: [secrets],
            },
        }, inCluster);

        // Images, the model server and the agents: in the agents namespace; their pods after the workload
        // nodes and the secrets they read; the ScaledObjects after KEDA (its release installs the CRD and
        // the admission webhook). Agents do not wait for services they only call: the collector's address
        // is a known name (exporters retry), and an in-cluster context store only holds back their
        // readiness, which the Deployment's own await covers (ElastiCache's URL is an input anyway).
        const agents = deployAgents(this, name, a.images, a.agents, a.modelServer, {
            environment: a.environment,
            clusterName: f.clusterName,
            region: f.region,
            vpcCidr: f.aws?.network.vpcCidr,
            contextStoreUrl: contextStore.url,
            contextStoreInCluster: contextStoreMode === ContextStoreMode.InCluster,
            sessionTtlSeconds: a.contextStore.sessionTtlSeconds,
            queues: Object.fromEntries(Object.entries(queues).map(([n, q]) => [n, {
                url: q.queueUrl, arn: q.queueArn, maxJobDurationSeconds: queueOptions[n].maxJobDurationSeconds, scaling: queueOptions[n].scaling,
                // The endpoint output (not its known name) makes the agents wait for the server.
                ...(onKubernetes ? { server: { endpoint: q.endpoint.apply((e) => e ?? ""), credentialsSecretName: elasticMqCredentialsSecret(n), podLabels: elasticMqLabels(n) } } : {}),
            }])),
            triggerAuthentication: standIns.triggerAuthentication,
            registry: standIns.images,
            fakeLlm: a.fakeLlm && { ...a.fakeLlm, keyKnown: a.secrets.entries.some((e) => e.name === a.fakeLlm!.apiKeySecret && e.values !== undefined) },
            otlpEndpoint: tracingEndpoints(OBSERVABILITY_NAMESPACE).otlpHttp,
            tags,
            inCluster,
            agentsDependOn: { namespaces: [agentsNamespace], pods: f.workloadNodesReady, secrets: [secrets], customResources: [keda] },
            modelServerDependsOn: { namespaces: [agentsNamespace], pods: [...f.workloadNodesReady, ...f.storageReady], secrets: [secrets] },
            provider: k8sProvider,
        });

        const cluster = f.aws?.cluster;
        const network = f.aws?.network;
        const none = pulumi.output(undefined);
        this.clusterName = f.clusterName;
        this.vpcId = network ? network.vpcId : none;
        this.privateSubnetIds = network ? network.privateSubnetIds : none;
        this.publicSubnetIds = network ? network.publicSubnetIds : none;
        this.clusterEndpoint = cluster ? cluster.endpoint : none;
        this.kubeconfig = cluster ? cluster.kubeconfig : none;
        this.clusterSecurityGroupId = cluster ? cluster.clusterSecurityGroupId : none;
        this.nodeRoleArn = cluster ? cluster.nodeRoleArn : none;
        this.otlpEndpoint = tracing.otlpHttpEndpoint;
        this.metricsQueryUrl = tracing.metricsQueryUrl;
        this.alertTopicArn = alerts ? alerts.topicArn : pulumi.output(undefined);
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

    /** The Alerts component: CloudWatch alarms on the queues' age and the context store's nodes, and the "sns" topic. */
    private createAlerts(name: string, a: ResolvedPlatformArgs, queues: Record<string, TaskQueue>, contextStore: ContextStore, tags: Record<string, string>) {
        const { slackWebhook: _slackWebhook, slackWebhookUrl: _slackWebhookUrl, ...notification } = a.alerts;
        return new Alerts(`${name}-alerts`, {
            ...notification,
            environment: a.environment,
            queues: Object.fromEntries(Object.entries(queues).map(([n, q]) => [n, q.queueName])),
            cacheClusterIds: a.contextStore.mode === ContextStoreMode.ElastiCache
                ? Array.from({ length: 1 + a.contextStore.replicas }, (_, i) => contextStore.cacheClusterIds.apply((ids) => ids[i]))
                : [],
            tags,
        }, { parent: this });
    }
}
