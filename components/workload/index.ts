import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AgentRole, CapacityType, enumValues, ResourceProfile } from "../shared/constants";
import { REDIS_PORT } from "../contextStore/inClusterValkey";
import { scaledObjectFor } from "../keda";
import { MODEL_SERVER_PORT } from "../modelServer/spec";
import { dependsOnFor, InClusterDependencies } from "../shared/inCluster";
import { AGENT_NAMESPACE, podSecurityLabels, PodSecurityLevel } from "../shared/placement";
import { policyDocument, PodIdentityRole } from "../podIdentity";
import { reloadAnnotations } from "../secrets/spec";
import { consumerStatements, producerStatements } from "../taskQueue";
import { ArgChecks, PLATFORM_NAME } from "../shared/validation";
import { agentConfigData, hpaSpec, networkPolicySpec, nonHttpsPort, pdbSpec } from "./policies";
import {
    AGENT_PORT, containerResources, defaultMinReplicas, defaultProfile, deploymentSpec, drainSeconds, EnvVar, podTemplate, selectorLabels,
} from "./spec";

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
    /** Session TTL, seconds. Default: the agent's own default. */
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
    /** EKS cluster of the Pod Identity association. Required. */
    clusterName: pulumi.Input<string>;
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

/** Defaults of AgentWorkloadArgs (those that do not depend on the role), in one place. */
export const WORKLOAD_DEFAULTS = {
    maxReplicas: 10,
    targetCpuUtilization: 70,
    targetMemoryUtilization: 80,
    maxRequestSeconds: 120,
    maxJobDurationSeconds: 300,
    workerConcurrency: 4,
} as const;

/** Validates AgentWorkloadArgs; throws `InputPropertiesError` naming each bad argument. */
export function validateWorkloadArgs(args: AgentWorkloadArgs): void {
    const checks = new ArgChecks("AgentWorkload")
        .require(PLATFORM_NAME.test(args.workloadName ?? ""), "workloadName", args.workloadName, "a DNS label of at most 40 characters")
        .oneOf("role", args.role, enumValues(AgentRole))
        .require(args.role !== undefined, "role", args.role, `one of ${enumValues(AgentRole).join(", ")}`)
        .oneOf("profile", args.profile, enumValues(ResourceProfile))
        .integer("minReplicas", args.minReplicas, 0, 500)
        .integer("maxReplicas", args.maxReplicas, 1, 500)
        .integer("targetCpuUtilization", args.targetCpuUtilization, 10, 95)
        .integer("targetMemoryUtilization", args.targetMemoryUtilization, 10, 95)
        .integer("maxRequestSeconds", args.maxRequestSeconds, 1, 3600)
        .integer("workerConcurrency", args.workerConcurrency, 1, 100)
        .oneOf("capacityType", args.capacityType, ["any", CapacityType.OnDemand])
        .require(args.role !== AgentRole.Worker || args.queue !== undefined, "queue", args.queue, "a queue for a worker")
        .require(args.queue === undefined || args.region !== undefined, "region", args.region, "the queue's region")
        .require(!(args.role === AgentRole.Api && args.minReplicas === 0), "minReplicas", args.minReplicas, "at least 1 for an api");
    const min = args.minReplicas ?? defaultMinReplicas(args.role);
    const max = args.maxReplicas ?? WORKLOAD_DEFAULTS.maxReplicas;
    if (min > max) checks.fail("minReplicas", min, `at most maxReplicas (${max})`);
    checks.throwIfInvalid();
}

/**
 * One agent deployment, role `api` or `worker`, with every default of DESIGN §5: a dedicated service
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
        super("agent-platform:index:AgentWorkload", name, {}, opts);
        validateWorkloadArgs(args);
        const app = args.workloadName;
        const namespace = args.namespace ?? AGENT_NAMESPACE;
        const isApi = args.role === AgentRole.Api;
        const labels = { ...args.labels, ...selectorLabels(app), "app.kubernetes.io/component": args.role };
        const metadata = (suffix = "") => ({ name: `${app}${suffix}`, namespace, labels });
        const d = WORKLOAD_DEFAULTS;
        const workerConcurrency = args.workerConcurrency ?? d.workerConcurrency;
        const maxRequestSeconds = args.maxRequestSeconds ?? d.maxRequestSeconds;
        const drain = drainSeconds(args.role, maxRequestSeconds, args.queue?.maxJobDurationSeconds ?? d.maxJobDurationSeconds);

        const ns = args.createNamespace ? new k8s.core.v1.Namespace(name, {
            metadata: { name: namespace, labels: { ...labels, ...podSecurityLabels(PodSecurityLevel.Restricted, PodSecurityLevel.Restricted) } },
        }, { parent: this }) : undefined;
        // Everything else lives in the namespace: with `createNamespace` it waits for it.
        const namespaceReady = dependsOnFor(args.inClusterDependsOn, ["namespaces"], ns ? [ns] : []);
        const parent = { parent: this, dependsOn: namespaceReady };

        const serviceAccount = new k8s.core.v1.ServiceAccount(name, { metadata: metadata(), automountServiceAccountToken: false }, parent);

        let role: PodIdentityRole | undefined;
        if (args.queue) {
            const queue = args.queue;
            const statements = pulumi.all([queue.arn, queue.kmsKeyArn]).apply(([arn, key]) => (isApi ? producerStatements(arn, key) : consumerStatements(arn, key)));
            role = new PodIdentityRole(`${name}-identity`, {
                clusterName: args.clusterName, namespace, serviceAccount: app,
                policy: pulumi.jsonStringify(statements.apply(policyDocument)),
            }, { parent: this, dependsOn: [serviceAccount] });
        }

        const config = new k8s.core.v1.ConfigMap(name, {
            metadata: metadata(),
            data: pulumi.all([args.redis?.url, args.queue?.url, args.region, args.llm.baseUrl, args.otlpEndpoint]).apply(([redisUrl, queueUrl, region, llmBaseUrl, otlp]) => agentConfigData({
                role: args.role, port: AGENT_PORT, environment: args.environment, serviceName: app, namespace,
                redisUrl, sessionTtlSeconds: args.redis?.sessionTtlSeconds, queueUrl, region, llmBaseUrl, llmModel: args.llm.model,
                otlpEndpoint: otlp, jobMaxDurationSeconds: args.queue?.maxJobDurationSeconds, workerConcurrency, drainSeconds: drain,
                maxRequestSeconds,
            })),
        }, parent);

        const secretEnv: EnvVar[] = [];
        if (args.redis) secretEnv.push({ name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: args.redis.passwordSecretName, key: args.redis.passwordSecretKey } } });
        // Optional: a secret set out of band after the first `pulumi up` must not keep pods from starting
        // (or fail the rollout); ESO syncs it when it is set and Reloader restarts the pods with it.
        if (args.llm.apiKeySecretName && args.llm.apiKeySecretKey) secretEnv.push({ name: "LLM_API_KEY", valueFrom: { secretKeyRef: { name: args.llm.apiKeySecretName, key: args.llm.apiKeySecretKey, optional: true } } });
        const referencedSecrets = [...new Set([...(args.secretNames ?? []), ...secretEnv.map((e) => e.valueFrom!.secretKeyRef.name)])].sort();

        const profile = (args.profile ?? defaultProfile(args.role)) as ResourceProfile;
        const template = podTemplate({
            name: app, role: args.role, image: args.image, port: AGENT_PORT, resources: containerResources(profile, args.gpu ?? false),
            gpu: args.gpu ?? false, serviceAccountName: app, configMapName: app, envFromSecrets: args.secretNames ?? [], secretEnv,
            drainSeconds: drain, annotations: {}, onDemand: args.capacityType === CapacityType.OnDemand,
        });
        const deployment = new k8s.apps.v1.Deployment(name, {
            // Reloader restarts the pods (as the rollout strategy allows) when a referenced Secret or the ConfigMap changes.
            metadata: { ...metadata(), annotations: { ...reloadAnnotations(referencedSecrets), [CONFIGMAP_RELOAD_ANNOTATION]: app } },
            spec: deploymentSpec(app, template),
        }, { parent: this, dependsOn: [...namespaceReady, ...dependsOnFor(args.inClusterDependsOn, ["pods", "secrets"], role ? [config, role] : [config])] });

        new k8s.policy.v1.PodDisruptionBudget(name, { metadata: metadata(), spec: pdbSpec(app) }, parent);
        new k8s.networking.v1.NetworkPolicy(name, {
            metadata: metadata(),
            spec: pulumi.all([args.redis?.cidrs ?? [], args.llm.baseUrl]).apply(([cidrs, llmUrl]) => networkPolicySpec(app, args.role, AGENT_PORT, args.ingressNamespaces ?? [], {
                llmPort: args.llm.modelServerPodLabels ? undefined : nonHttpsPort(llmUrl),
                redis: args.redis ? { port: args.redis.port ?? REDIS_PORT, cidrs, podLabels: args.redis.podLabels } : undefined,
                awsCredentials: role !== undefined,
                modelServer: args.llm.modelServerPodLabels ? { port: args.llm.modelServerPort ?? MODEL_SERVER_PORT, podLabels: args.llm.modelServerPodLabels } : undefined,
            })),
        }, parent);

        const minReplicas = args.minReplicas ?? defaultMinReplicas(args.role);
        const maxReplicas = args.maxReplicas ?? d.maxReplicas;
        let service: k8s.core.v1.Service | undefined;
        if (isApi) {
            service = new k8s.core.v1.Service(name, {
                metadata: metadata(),
                spec: { type: "ClusterIP", selector: selectorLabels(app), ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }] },
            }, parent);
            new k8s.autoscaling.v2.HorizontalPodAutoscaler(name, {
                metadata: metadata(),
                spec: hpaSpec(app, minReplicas, maxReplicas, args.targetCpuUtilization ?? d.targetCpuUtilization, args.targetMemoryUtilization ?? d.targetMemoryUtilization),
            }, { parent: this, dependsOn: [deployment] });
        } else {
            const so = scaledObjectFor({
                name: app, namespace, deploymentName: app, queueUrl: args.queue!.url, region: args.region!,
                messagesPerReplica: args.messagesPerReplica ?? workerConcurrency, minReplicas, maxReplicas, labels,
                activationMessages: args.activationMessages, cooldownSeconds: args.cooldownSeconds, pollingIntervalSeconds: args.pollingIntervalSeconds,
            });
            new k8s.apiextensions.CustomResource(name, so, { parent: this, dependsOn: dependsOnFor(args.inClusterDependsOn, ["customResources"], [deployment]) });
        }

        this.deploymentName = deployment.metadata.name;
        this.serviceUrl = service ? pulumi.interpolate`http://${service.metadata.name}.${namespace}.svc.cluster.local` : pulumi.output(undefined);
        this.roleArn = role ? role.roleArn : pulumi.output(undefined);
        this.registerOutputs({ deploymentName: this.deploymentName, serviceUrl: this.serviceUrl, roleArn: this.roleArn });
    }
}
