import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AgentRole, CapacityType } from "../shared/constants";
import { scaledObjectFor } from "../keda/spec";
import { dependsOnFor, InClusterDependencies } from "../shared/inCluster";
import { podSecurityLabels, PodSecurityLevel } from "../shared/placement";
import { policyDocument } from "../podIdentity/spec";
import { PodIdentityRole } from "../podIdentity";
import { reloadAnnotations } from "../secrets/spec";
import { consumerStatements, producerStatements } from "../taskQueue/spec";
import { parseArgs } from "../shared/schema";
import { workloadArgsSchema } from "./args";
import { agentConfigData, hpaSpec, networkPolicySpec, nonHttpsPort, pdbSpec, staticKeyEnv } from "./policies";
import { AGENT_PORT, containerResources, deploymentSpec, drainSeconds, EnvVar, podTemplate, selectorLabels } from "./spec";

/** Reloader's annotation naming the ConfigMaps whose changes roll the Deployment. */
export const CONFIGMAP_RELOAD_ANNOTATION = "configmap.reloader.stakater.com/reload";

/** The queue a workload produces to (api) or consumes (worker): a TaskQueue's outputs. */
export interface WorkloadQueueArgs {
    /** Queue URL. Required. */
    url: pulumi.Input<string>;
    /** Queue ARN (scopes the IAM statements). Required. */
    arn: pulumi.Input<string>;
    /** Longest job, seconds; a worker's grace period and deadline derive from it. Default: 300. */
    maxJobDurationSeconds?: number;
    /** KMS key of the queue, when it uses SSE-KMS. Default: none. */
    kmsKeyArn?: pulumi.Input<string>;
    /** An SQS-compatible server in the cluster that serves the queue instead of SQS (TaskQueue's ElasticMQ); then no Pod Identity role. Default: none (SQS). */
    server?: WorkloadQueueServerArgs;
}

/** An SQS-compatible server in the cluster: TaskQueue's `endpoint` and `credentialsSecretName` with backend "elasticmq". */
export interface WorkloadQueueServerArgs {
    /** The SDK's endpoint (`AWS_ENDPOINT_URL_SQS`) and KEDA's `awsEndpoint`. Required. */
    endpoint: pulumi.Input<string>;
    /** Secret holding the static key (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`) the pods send. Required. */
    credentialsSecretName: string;
    /** Labels of the server's pods (same namespace), for the NetworkPolicy. Required. */
    podLabels: Record<string, string>;
    /** Port of the server, for the NetworkPolicy. Default: 9324. */
    port?: number;
}

/** Where the workload's context store is: a ContextStore's outputs. */
export interface WorkloadRedisArgs {
    /** `redis://host:port` or `rediss://host:port` (no password). Required. */
    url: pulumi.Input<string>;
    /** Port, for the NetworkPolicy. Default: 6379. */
    port?: number;
    /** CIDRs Redis lives in (ElastiCache: the private subnets / VPC). Default: none. */
    cidrs?: pulumi.Input<string>[];
    /** Pod labels of an in-cluster store (instead of CIDRs). Default: none. */
    podLabels?: Record<string, string>;
    /** Kubernetes Secret and key holding the password. Required. */
    passwordSecretName: string;
    /** Key of the password in that Secret. Required. */
    passwordSecretKey: string;
    /** Session TTL, seconds (60–2 592 000), the agents' `SESSION_TTL_SECONDS`. Default: 86400 (ContextStore's default). */
    sessionTtlSeconds?: number;
}

/** An LLM endpoint. */
export interface WorkloadLlmArgs {
    /** OpenAI-compatible base URL. Required. */
    baseUrl: pulumi.Input<string>;
    /** Model name. Required. */
    model: string;
    /** Secret and key of the API key (`LLM_API_KEY`). Default: none (a local model server needs no key). */
    apiKeySecretName?: string;
    /** Key of the API key in that Secret. Default: none. */
    apiKeySecretKey?: string;
    /** Labels of the in-cluster model server's pods, to allow them in the NetworkPolicy. Default: none. */
    modelServerPodLabels?: Record<string, string>;
    /** Port of the in-cluster model server. Default: 8000. */
    modelServerPort?: number;
}

export interface AgentWorkloadArgs {
    /** Kubernetes name of the workload (Deployment, ServiceAccount, Service). Required. */
    workloadName: string;
    /** "api" (HTTP, HPA) or "worker" (queue consumer, KEDA) — AgentRole. Required. */
    role: string;
    /** Environment, for telemetry (`deployment.environment`). Required. */
    environment: string;
    /** EKS cluster of the Pod Identity association. Default: none (required with a queue on SQS). */
    clusterName?: pulumi.Input<string>;
    /** Digest-pinned image reference (`repo@sha256:...`). Required. */
    image: pulumi.Input<string>;
    /** Namespace. Default: "agents" (an existing namespace, unless `createNamespace`). */
    namespace?: string;
    /** Create the namespace, with Pod Security `restricted` enforced. Default: false (it exists, e.g. AgentPlatform's). */
    createNamespace?: boolean;
    /** Resource profile (ResourceProfile). Default: "api-agent" for an api, "tool-worker" for a worker. */
    profile?: string;
    /** Minimum replicas. Default: 2 for an api, 0 for a worker. */
    minReplicas?: number;
    /** Maximum replicas. Default: 10. */
    maxReplicas?: number;
    /** HPA CPU target, percent (api). Default: 70. */
    targetCpuUtilization?: number;
    /** HPA memory target, percent (api). Default: 80. */
    targetMemoryUtilization?: number;
    /** Queue messages (waiting + in flight) per replica (worker). Default: `workerConcurrency`, so a busy pod is a full one. */
    messagesPerReplica?: number;
    /** Messages above which a worker scales from zero. Default: 0 (any message). */
    activationMessages?: number;
    /** Seconds after the last message before a worker scales to zero. Default: 300. */
    cooldownSeconds?: number;
    /** Seconds between two queue-depth checks. Default: 15. */
    pollingIntervalSeconds?: number;
    /** KEDA authentication of a worker's scaler (Keda's `triggerAuthenticationName`). Default: "keda-operator-aws". */
    triggerAuthenticationName?: string;
    /** Its kind, "TriggerAuthentication" or "ClusterTriggerAuthentication" (Keda's `triggerAuthenticationKind`). Default: "TriggerAuthentication". */
    triggerAuthenticationKind?: string;
    /** Longest in-flight HTTP call, seconds (api): sizes the grace period. Default: 120. */
    maxRequestSeconds?: number;
    /** Concurrent jobs per worker pod (the reference agent accepts 1–100). Default: 4. */
    workerConcurrency?: number;
    /** Keep the pods on on-demand nodes ("on-demand") or let them use spot ("any"). Default: "any". */
    capacityType?: string;
    /** Schedule on the GPU pool with one `nvidia.com/gpu`. Default: false. */
    gpu?: boolean;
    /** The queue the api produces to or the worker consumes (required for a worker). Default: none. */
    queue?: WorkloadQueueArgs;
    /** AWS region of the queue. Default: none (required with a queue). */
    region?: pulumi.Input<string>;
    /** The context store. Default: none. */
    redis?: WorkloadRedisArgs;
    /** The LLM endpoint. Required. */
    llm: WorkloadLlmArgs;
    /** ESO-managed Secrets exposed whole as environment variables. Default: none. */
    secretNames?: string[];
    /** OTLP/HTTP endpoint of the OpenTelemetry Collector. Default: none (tracing off). */
    otlpEndpoint?: pulumi.Input<string>;
    /** Namespaces allowed to call an api (its own always is). Default: none. */
    ingressNamespaces?: string[];
    /** Labels added to every object. Default: none. */
    labels?: Record<string, string>;
    /**
     * What the Kubernetes objects wait for: `namespaces` (an existing namespace); before the Deployment
     * also `pods` (nodes) and `secrets` (what creates the Secrets it reads); before the ScaledObject
     * `customResources` (KEDA's CRDs and admission webhook). Default: none.
     */
    inClusterDependsOn?: InClusterDependencies;
}

/** Validates AgentWorkloadArgs and applies their defaults; throws `InputPropertiesError` naming each bad argument. */
export function parseWorkloadArgs(args: AgentWorkloadArgs) {
    return parseArgs("AgentWorkload", workloadArgsSchema, args);
}

/**
 * One agent deployment, role `api` or `worker`, with every default of docs/architecture.md §10: a dedicated service
 * account with a Pod Identity role derived from what it uses (send to its queue for an api; receive,
 * delete and extend visibility for a worker), settings in a ConfigMap, secrets only by reference, a
 * Deployment with profile resources, start-up/readiness/liveness probes, zero-downtime rollouts, zone
 * spread, restricted security and a grace period covering the longest call or job; an HPA and Service
 * (api) or a KEDA ScaledObject (worker); a PDB and a default-deny NetworkPolicy.
 */
export class AgentWorkload extends pulumi.ComponentResource {
    /** Name of the Deployment. */
    public readonly deploymentName: pulumi.Output<string>;
    /** In-cluster URL of an api's Service (undefined output for a worker). */
    public readonly serviceUrl: pulumi.Output<string | undefined>;
    /** ARN of the Pod Identity role (undefined output when the workload calls no AWS API). */
    public readonly roleArn: pulumi.Output<string | undefined>;

    constructor(name: string, args: AgentWorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
        const a = parseWorkloadArgs(args); // before super: invalid arguments register nothing
        super("agent-platform:index:AgentWorkload", name, {}, opts);
        const app = a.workloadName;
        const namespace = a.namespace;
        const isApi = a.role === AgentRole.Api;
        const labels = { ...a.labels, ...selectorLabels(app), "app.kubernetes.io/component": a.role };
        const metadata = (suffix = "") => ({ name: `${app}${suffix}`, namespace, labels });
        const { workerConcurrency, maxRequestSeconds } = a;
        const drain = drainSeconds(a.role, maxRequestSeconds, a.queue?.maxJobDurationSeconds);

        const ns = a.createNamespace ? new k8s.core.v1.Namespace(name, {
            metadata: { name: namespace, labels: { ...labels, ...podSecurityLabels(PodSecurityLevel.Restricted, PodSecurityLevel.Restricted) } },
        }, { parent: this }) : undefined;
        // Everything else lives in the namespace: with `createNamespace` it waits for it.
        const namespaceReady = dependsOnFor(a.inClusterDependsOn, ["namespaces"], ns ? [ns] : []);
        const parent = { parent: this, dependsOn: namespaceReady };

        const serviceAccount = new k8s.core.v1.ServiceAccount(name, { metadata: metadata(), automountServiceAccountToken: false }, parent);

        let role: PodIdentityRole | undefined;
        const server = a.queue?.server;
        if (a.queue && !server) {
            const queue = a.queue;
            const statements = pulumi.all([queue.arn, queue.kmsKeyArn]).apply(([arn, key]) => (isApi ? producerStatements(arn, key) : consumerStatements(arn, key)));
            role = new PodIdentityRole(`${name}-identity`, {
                clusterName: a.clusterName!, namespace, serviceAccount: app,
                policy: pulumi.jsonStringify(statements.apply(policyDocument)),
            }, { parent: this, dependsOn: [serviceAccount] });
        }

        const config = new k8s.core.v1.ConfigMap(name, {
            metadata: metadata(),
            data: pulumi.all([a.redis?.url, a.queue?.url, a.region, a.llm.baseUrl, a.otlpEndpoint, server?.endpoint]).apply(([redisUrl, queueUrl, region, llmBaseUrl, otlp, sqsEndpoint]) => agentConfigData({
                role: a.role, port: AGENT_PORT, environment: a.environment, serviceName: app, namespace,
                redisUrl, sessionTtlSeconds: a.redis?.sessionTtlSeconds, queueUrl, region, sqsEndpoint, llmBaseUrl, llmModel: a.llm.model,
                otlpEndpoint: otlp, jobMaxDurationSeconds: a.queue?.maxJobDurationSeconds, workerConcurrency, drainSeconds: drain,
                maxRequestSeconds,
            })),
        }, parent);

        const secretEnv: EnvVar[] = [];
        if (a.redis) secretEnv.push({ name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: a.redis.passwordSecretName, key: a.redis.passwordSecretKey } } });
        // Optional: a secret set out of band after the first `pulumi up` must not keep pods from starting
        // (or fail the rollout); ESO syncs it when it is set and Reloader restarts the pods with it.
        if (a.llm.apiKeySecretName && a.llm.apiKeySecretKey) secretEnv.push({ name: "LLM_API_KEY", valueFrom: { secretKeyRef: { name: a.llm.apiKeySecretName, key: a.llm.apiKeySecretKey, optional: true } } });
        // An SQS-compatible server checks no key, but the AWS SDK signs every request with one.
        if (server) secretEnv.push(...staticKeyEnv(server.credentialsSecretName));
        const referencedSecrets = [...new Set([...a.secretNames, ...secretEnv.map((e) => e.valueFrom!.secretKeyRef.name)])].sort();

        const template = podTemplate({
            name: app, role: a.role, image: a.image, port: AGENT_PORT, resources: containerResources(a.profile, a.gpu),
            gpu: a.gpu, serviceAccountName: app, configMapName: app, envFromSecrets: a.secretNames, secretEnv,
            drainSeconds: drain, annotations: {}, onDemand: a.capacityType === CapacityType.OnDemand,
        });
        const deployment = new k8s.apps.v1.Deployment(name, {
            // Reloader restarts the pods (as the rollout strategy allows) when a referenced Secret or the ConfigMap changes.
            metadata: { ...metadata(), annotations: { ...reloadAnnotations(referencedSecrets), [CONFIGMAP_RELOAD_ANNOTATION]: app } },
            spec: deploymentSpec(app, template),
        }, { parent: this, dependsOn: [...namespaceReady, ...dependsOnFor(a.inClusterDependsOn, ["pods", "secrets"], role ? [config, role] : [config])] });

        new k8s.policy.v1.PodDisruptionBudget(name, { metadata: metadata(), spec: pdbSpec(app) }, parent);
        new k8s.networking.v1.NetworkPolicy(name, {
            metadata: metadata(),
            spec: pulumi.all([a.redis?.cidrs ?? [], a.llm.baseUrl]).apply(([cidrs, llmUrl]) => networkPolicySpec(app, a.role, AGENT_PORT, a.ingressNamespaces, {
                llmPort: a.llm.modelServerPodLabels ? undefined : nonHttpsPort(llmUrl),
                redis: a.redis ? { port: a.redis.port, cidrs, podLabels: a.redis.podLabels } : undefined,
                awsCredentials: role !== undefined,
                queueServer: server && { port: server.port, podLabels: server.podLabels },
                modelServer: a.llm.modelServerPodLabels ? { port: a.llm.modelServerPort, podLabels: a.llm.modelServerPodLabels } : undefined,
            })),
        }, parent);

        const { minReplicas, maxReplicas } = a;
        let service: k8s.core.v1.Service | undefined;
        if (isApi) {
            service = new k8s.core.v1.Service(name, {
                metadata: metadata(),
                spec: { type: "ClusterIP", selector: selectorLabels(app), ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }] },
            }, parent);
            new k8s.autoscaling.v2.HorizontalPodAutoscaler(name, {
                metadata: metadata(),
                spec: hpaSpec(app, minReplicas, maxReplicas, a.targetCpuUtilization, a.targetMemoryUtilization),
            }, { parent: this, dependsOn: [deployment] });
        } else {
            const so = scaledObjectFor({
                name: app, namespace, deploymentName: app, queueUrl: a.queue!.url, region: a.region!, awsEndpoint: server?.endpoint,
                messagesPerReplica: a.messagesPerReplica, minReplicas, maxReplicas, labels,
                activationMessages: a.activationMessages, cooldownSeconds: a.cooldownSeconds, pollingIntervalSeconds: a.pollingIntervalSeconds,
                triggerAuthenticationName: a.triggerAuthenticationName, triggerAuthenticationKind: a.triggerAuthenticationKind,
            });
            new k8s.apiextensions.CustomResource(name, so, { parent: this, dependsOn: dependsOnFor(a.inClusterDependsOn, ["customResources"], [deployment]) });
        }

        this.deploymentName = deployment.metadata.name;
        this.serviceUrl = service ? pulumi.interpolate`http://${service.metadata.name}.${namespace}.svc.cluster.local` : pulumi.output(undefined);
        this.roleArn = role ? role.roleArn : pulumi.output(undefined);
        this.registerOutputs({ deploymentName: this.deploymentName, serviceUrl: this.serviceUrl, roleArn: this.roleArn });
    }
}
