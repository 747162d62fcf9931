import { SqsAuthentication } from "../shared/constants";
import { inClusterDependsOnSchema } from "../shared/inCluster";
import { AGENT_NAMESPACE } from "../shared/placement";
import { input, int, matching, oneOf, tags, z } from "../shared/schema";
import { DNS_LABEL } from "../shared/names";

/**
 * Name of the TriggerAuthentication that every SQS-scaled worker references. It is namespaced (one per
 * workload namespace), not a ClusterTriggerAuthentication: only ScaledObjects in the namespaces the
 * platform lists can borrow the operator's AWS identity, not any namespace of the cluster.
 */
export const KEDA_TRIGGER_AUTHENTICATION = "keda-operator-aws";

/**
 * Name of the ClusterTriggerAuthentication of the `static-key` authentication (and of its Secret in
 * KEDA's namespace). Cluster-wide because KEDA may read Secrets of its own namespace only (the chart's
 * `permissions.operator.restrict.secret`), which is where a ClusterTriggerAuthentication reads them.
 */
export const KEDA_STATIC_KEY_AUTHENTICATION = "keda-sqs-static-key";

/** The kinds of object a ScaledObject's `authenticationRef` names. */
export const TriggerAuthenticationKind = { Namespaced: "TriggerAuthentication", Cluster: "ClusterTriggerAuthentication" } as const;

/** How KEDA scales the workers of a queue: one declaration for TaskQueue options, AgentWorkload and the stack config. */
export const queueScalingFields = {
    activationMessages: int(0, 100000).default(0).describe("KEDA: messages above which a worker scales from zero (0: any message)"),
    pollingIntervalSeconds: int(5, 3600).default(15).describe("KEDA: seconds between two queue-depth checks"),
    cooldownSeconds: int(0, 86400).default(300).describe("KEDA: seconds after the last message before a worker scales to zero"),
};

/** QueueScalingOptions. */
export const queueScalingSchema = z.strictObject(queueScalingFields);

const dnsLabel = matching(DNS_LABEL, "a DNS label");

/** ScaledObjectArgs. */
export const scaledObjectArgsSchema = z.strictObject({
    name: dnsLabel,
    namespace: dnsLabel,
    deploymentName: dnsLabel,
    queueUrl: input<string>(),
    region: input<string>(),
    awsEndpoint: input<string>().optional(),
    messagesPerReplica: int(1, 100000),
    minReplicas: int(0, 1000),
    maxReplicas: int(1, 1000),
    ...queueScalingFields,
    scaleDownStabilizationSeconds: int(0, 3600).default(300),
    triggerAuthenticationName: dnsLabel.default(KEDA_TRIGGER_AUTHENTICATION),
    triggerAuthenticationKind: oneOf(TriggerAuthenticationKind).default(TriggerAuthenticationKind.Namespaced),
    labels: z.record(z.string(), z.string()).optional(),
}).superRefine((a, ctx) => {
    if (a.minReplicas > a.maxReplicas) ctx.addIssue({ code: "custom", path: ["minReplicas"], message: `at most maxReplicas (${a.maxReplicas})` });
});

/** KedaArgs. */
export const kedaArgsSchema = z.strictObject({
    clusterName: input<string>().optional(),
    authentication: oneOf(SqsAuthentication).default(SqsAuthentication.PodIdentity),
    queueArns: z.array(input<string>()).default([]),
    workloadNamespaces: z.array(dnsLabel).default([AGENT_NAMESPACE]).refine((ns) => new Set(ns).size === ns.length, { message: "distinct namespaces" }),
    inClusterDependsOn: inClusterDependsOnSchema,
    onSystemNodes: z.boolean().default(true),
    tags: tags.optional(),
}).superRefine((k, ctx) => {
    if (k.authentication === SqsAuthentication.PodIdentity && k.clusterName === undefined) {
        ctx.addIssue({ code: "custom", path: ["clusterName"], message: 'the EKS cluster name (required with authentication "pod-identity")' });
    }
});
