import { inClusterDependsOnSchema } from "../shared/inCluster";
import { contextStoreOptionsSchema } from "../contextStore/args";
import { REDIS_PORT } from "../contextStore/inClusterValkey";
import { KEDA_TRIGGER_AUTHENTICATION, queueScalingFields, TriggerAuthenticationKind } from "../keda/args";
import { MODEL_SERVER_PORT } from "../modelServer/spec";
import { AgentRole, CapacityType, ResourceProfile } from "../shared/constants";
import { AGENT_NAMESPACE } from "../shared/placement";
import { environmentName, input, int, matching, oneOf, z } from "../shared/schema";
import { DNS_LABEL, PLATFORM_NAME } from "../shared/names";
import { taskQueueOptionsSchema } from "../taskQueue/args";
import { ELASTICMQ_PORT } from "../taskQueue/elasticMq";
import { defaultMinReplicas, defaultProfile } from "./spec";

/** Where pods may run: on-demand nodes only, or any capacity (spot included). */
export const WorkloadCapacity = { Any: "any", OnDemand: CapacityType.OnDemand } as const;

/** The settings of an agent workload that a stack, AgentPlatform and AgentWorkload all take. */
export const workloadFields = {
    profile: oneOf(ResourceProfile).optional().meta({ defaultText: '"api-agent" for an api, "tool-worker" for a worker' }).describe("Resource profile; default: `api-agent` for an api, `tool-worker` for a worker"),
    minReplicas: int(0, 500).optional().meta({ defaultText: "2 for an api, 0 for a worker" }).describe("Minimum replicas; default: 2 for an api, 0 for a worker"),
    maxReplicas: int(1, 500).default(10).describe("Maximum replicas"),
    targetCpuUtilization: int(10, 95).default(70).describe("HPA target CPU utilization, percent (api)"),
    targetMemoryUtilization: int(10, 95).default(80).describe("HPA target memory utilization, percent (api)"),
    messagesPerReplica: int(1, 100000).optional().describe("KEDA target queue messages (waiting + in flight) per replica (worker); default: workerConcurrency"),
    maxRequestSeconds: int(1, 3600).default(120).describe("Longest in-flight HTTP call (api); sizes the termination grace period"),
    workerConcurrency: int(1, 100).default(4).describe("Jobs a worker pod runs at once (`WORKER_CONCURRENCY`)"),
    capacityType: oneOf(WorkloadCapacity).default(WorkloadCapacity.Any)
        .describe("`on-demand` keeps the pods off spot nodes (a spot interruption gives 2 minutes: too short for long jobs)"),
    gpu: z.boolean().default(false).describe("Schedule on the GPU pool with one `nvidia.com/gpu`"),
    ingressNamespaces: z.array(matching(DNS_LABEL, "a namespace name")).max(20).default([]).describe("Namespaces allowed to call the api (its own namespace always is)"),
};

/** Replica bounds that hold whatever the role: min ≤ max, and an api keeps at least one pod (an HPA cannot scale from zero). */
export function checkReplicas(w: { role: string; minReplicas?: number; maxReplicas: number }, ctx: z.RefinementCtx): void {
    const min = w.minReplicas ?? defaultMinReplicas(w.role);
    if (w.role === AgentRole.Api && w.minReplicas === 0) ctx.addIssue({ code: "custom", path: ["minReplicas"], message: "at least 1 for an api (an HPA cannot scale from zero)" });
    else if (min > w.maxReplicas) ctx.addIssue({ code: "custom", path: ["minReplicas"], message: `at most maxReplicas (${w.maxReplicas})` });
}

/** WorkloadQueueServerArgs. */
export const workloadQueueServerSchema = z.strictObject({
    endpoint: input<string>(),
    credentialsSecretName: matching(DNS_LABEL, "a Kubernetes Secret name"),
    podLabels: z.record(z.string(), z.string()),
    port: int(1, 65535).default(ELASTICMQ_PORT),
});

/** WorkloadQueueArgs. */
export const workloadQueueSchema = z.strictObject({
    url: input<string>(),
    arn: input<string>(),
    maxJobDurationSeconds: taskQueueOptionsSchema.shape.maxJobDurationSeconds,
    kmsKeyArn: input<string>().optional(),
    server: workloadQueueServerSchema.optional(),
});

/** WorkloadRedisArgs; the session TTL defaults to the ContextStore's. */
export const workloadRedisSchema = z.strictObject({
    url: input<string>(),
    port: int(1, 65535).default(REDIS_PORT),
    cidrs: z.array(input<string>()).optional(),
    podLabels: z.record(z.string(), z.string()).optional(),
    passwordSecretName: matching(DNS_LABEL, "a Kubernetes Secret name"),
    passwordSecretKey: z.string().min(1),
    sessionTtlSeconds: contextStoreOptionsSchema.shape.sessionTtlSeconds,
});

/** WorkloadLlmArgs. */
export const workloadLlmSchema = z.strictObject({
    baseUrl: input<string>(),
    model: z.string().min(1),
    apiKeySecretName: matching(DNS_LABEL, "a Kubernetes Secret name").optional(),
    apiKeySecretKey: z.string().min(1).optional(),
    modelServerPodLabels: z.record(z.string(), z.string()).optional(),
    modelServerPort: int(1, 65535).default(MODEL_SERVER_PORT),
});

/** AgentWorkloadArgs; role-dependent defaults (profile, minReplicas) are applied after validation. */
export const workloadArgsSchema = z.strictObject({
    workloadName: matching(PLATFORM_NAME, "a DNS label of at most 40 characters"),
    role: oneOf(AgentRole),
    environment: environmentName,
    clusterName: input<string>().optional(),
    image: input<string>(),
    namespace: matching(DNS_LABEL, "a namespace name").default(AGENT_NAMESPACE),
    createNamespace: z.boolean().default(false),
    ...workloadFields,
    ...queueScalingFields,
    triggerAuthenticationName: matching(DNS_LABEL, "a DNS label").default(KEDA_TRIGGER_AUTHENTICATION),
    triggerAuthenticationKind: oneOf(TriggerAuthenticationKind).default(TriggerAuthenticationKind.Namespaced),
    queue: workloadQueueSchema.optional(),
    region: input<string>().optional(),
    redis: workloadRedisSchema.optional(),
    llm: workloadLlmSchema,
    secretNames: z.array(matching(DNS_LABEL, "a Kubernetes Secret name")).default([]),
    otlpEndpoint: input<string>().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    inClusterDependsOn: inClusterDependsOnSchema,
}).superRefine((w, ctx) => {
    checkReplicas(w, ctx);
    if (w.role === AgentRole.Worker && w.queue === undefined) ctx.addIssue({ code: "custom", path: ["queue"], message: "a queue for a worker" });
    if (w.queue !== undefined && w.region === undefined) ctx.addIssue({ code: "custom", path: ["region"], message: "the queue's region" });
    if (w.queue !== undefined && w.queue.server === undefined && w.clusterName === undefined) {
        ctx.addIssue({ code: "custom", path: ["clusterName"], message: "the EKS cluster name (required with a queue on SQS: the Pod Identity association)" });
    }
}).transform((w) => ({
    ...w,
    profile: w.profile ?? defaultProfile(w.role),
    minReplicas: w.minReplicas ?? defaultMinReplicas(w.role),
    messagesPerReplica: w.messagesPerReplica ?? w.workerConcurrency,
}));
