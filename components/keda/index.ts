import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { dependsOnFor, InClusterDependencies } from "../shared/inCluster";
import { AGENT_NAMESPACE, systemPodPlacement } from "../shared/placement";
import { policyDocument, PodIdentityRole, PolicyStatement } from "../podIdentity";
import { ArgChecks, DNS_LABEL } from "../shared/validation";
import { KEDA_CHART } from "../shared/versions";

/** Namespace of the KEDA operator. */
export const KEDA_NAMESPACE = "keda";
/** Service account of the KEDA operator (the Pod Identity association names it). */
export const KEDA_OPERATOR_SERVICE_ACCOUNT = "keda-operator";
/**
 * Name of the TriggerAuthentication that every SQS-scaled worker references. It is namespaced (one per
 * workload namespace), not a ClusterTriggerAuthentication: only ScaledObjects in the namespaces the
 * platform lists can borrow the operator's AWS identity, not any namespace of the cluster.
 */
export const KEDA_TRIGGER_AUTHENTICATION = "keda-operator-aws";

/** Defaults of ScaledObjectArgs, in one place. */
export const SCALED_OBJECT_DEFAULTS = {
    /** Scale from zero as soon as one message waits (KEDA's default activation is 0: > 0 activates). */
    activationMessages: 0,
    /** Seconds between two queue-depth checks (KEDA default 30; 15 reacts faster for interactive jobs). */
    pollingIntervalSeconds: 15,
    /** Seconds after the last active check before scaling to zero (KEDA default 300). */
    cooldownSeconds: 300,
    /** HPA scale-down stabilization window, seconds: the highest recommendation of this window wins. */
    scaleDownStabilizationSeconds: 300,
    /** At most this many pods removed per minute on scale-down. */
    scaleDownPodsPerMinute: 1,
} as const;

/**
 * IAM statements of the KEDA operator: read the attributes (depth) of the platform's queues, nothing
 * else — no receive, no delete, no other queue.
 */
export function kedaOperatorStatements(queueArns: string[]): PolicyStatement[] {
    return queueArns.length === 0 ? [] : [{ Sid: "ReadQueueDepth", Effect: "Allow", Action: ["sqs:GetQueueAttributes"], Resource: queueArns }];
}

/**
 * Helm values of the KEDA chart: on the system nodes, its operator service account named so the Pod
 * Identity association matches, no IRSA annotation (EKS Pod Identity injects credentials instead), and
 * the operator barred from reading Secrets outside its namespace (no scaler here authenticates with one).
 */
export function kedaValues() {
    const placement = systemPodPlacement();
    return {
        crds: { install: true },
        serviceAccount: { operator: { create: true, name: KEDA_OPERATOR_SERVICE_ACCOUNT } },
        podIdentity: { aws: { irsa: { enabled: false } } },
        permissions: { operator: { restrict: { secret: true } } },
        nodeSelector: placement.nodeSelector,
        tolerations: placement.tolerations,
    };
}

/** The TriggerAuthentication of a workload namespace: KEDA uses its own (the operator's) Pod Identity role. */
export function triggerAuthenticationFor(namespace: string) {
    return {
        apiVersion: "keda.sh/v1alpha1",
        kind: "TriggerAuthentication",
        metadata: { name: KEDA_TRIGGER_AUTHENTICATION, namespace, labels: { "app.kubernetes.io/managed-by": "agent-platform" } },
        // identityOwner "keda": the operator's identity. The "workload" owner, which assumes the worker's
        // own role, is known to fail with EKS Pod Identity (it looks for an IRSA annotation).
        spec: { podIdentity: { provider: "aws", identityOwner: "keda" } },
    };
}

/** What a worker's ScaledObject needs. */
export interface ScaledObjectArgs {
    /** Name of the ScaledObject. Required. */
    name: string;
    /** Namespace of the worker (and of its TriggerAuthentication). Required. */
    namespace: string;
    /** Deployment to scale; it must leave `replicas` unset. Required. */
    deploymentName: string;
    /** URL of the TaskQueue the worker consumes. Required. */
    queueUrl: pulumi.Input<string>;
    /** AWS region of the queue. Required. */
    region: pulumi.Input<string>;
    /** Target messages (waiting + in flight) per replica. Required. */
    messagesPerReplica: number;
    /** Messages above which the worker scales from zero. Default: 0 (any message). */
    activationMessages?: number;
    /** Minimum replicas (0 allows scale to zero). Required. */
    minReplicas: number;
    /** Maximum replicas. Required. */
    maxReplicas: number;
    /** Seconds after the last message before scaling to zero. Default: 300. */
    cooldownSeconds?: number;
    /** Seconds between queue-depth checks. Default: 15. */
    pollingIntervalSeconds?: number;
    /** HPA scale-down stabilization window, seconds. Default: 300. */
    scaleDownStabilizationSeconds?: number;
    /** TriggerAuthentication to use. Default: `keda-operator-aws` (KEDA_TRIGGER_AUTHENTICATION). */
    triggerAuthenticationName?: string;
    /** Extra labels. Default: none. */
    labels?: Record<string, string>;
}

/** Validates ScaledObjectArgs; throws `InputPropertiesError` naming each bad argument. */
export function validateScaledObjectArgs(args: ScaledObjectArgs): void {
    const checks = new ArgChecks("ScaledObject")
        .require(DNS_LABEL.test(args.name ?? ""), "name", args.name, "a DNS label")
        .require(DNS_LABEL.test(args.namespace ?? ""), "namespace", args.namespace, "a DNS label")
        .require(DNS_LABEL.test(args.deploymentName ?? ""), "deploymentName", args.deploymentName, "a DNS label")
        .integer("messagesPerReplica", args.messagesPerReplica, 1, 100000)
        .require(args.messagesPerReplica !== undefined, "messagesPerReplica", args.messagesPerReplica, "an integer from 1 to 100000")
        .integer("activationMessages", args.activationMessages, 0, 100000)
        .integer("minReplicas", args.minReplicas, 0, 1000)
        .integer("maxReplicas", args.maxReplicas, 1, 1000)
        .integer("cooldownSeconds", args.cooldownSeconds, 0, 86400)
        .integer("pollingIntervalSeconds", args.pollingIntervalSeconds, 1, 3600)
        .integer("scaleDownStabilizationSeconds", args.scaleDownStabilizationSeconds, 0, 3600);
    if (Number.isInteger(args.minReplicas) && Number.isInteger(args.maxReplicas) && args.minReplicas > args.maxReplicas) {
        checks.fail("minReplicas", args.minReplicas, `at most maxReplicas (${args.maxReplicas})`);
    }
    checks.throwIfInvalid();
}

/**
 * A KEDA ScaledObject (keda.sh/v1alpha1) that scales a worker Deployment on its TaskQueue's depth.
 *
 * Scale-in never has to kill a job in flight:
 * - `scaleOnInFlight: "true"` counts messages being processed (ApproximateNumberOfMessagesNotVisible)
 *   with the waiting ones, so replicas only drop once jobs finish, and never to zero while one runs;
 * - scale-down is slow (a stabilization window and at most one pod a minute), so a short lull does not
 *   shed workers that pick the next job up;
 * - the pod that is removed still gets SIGTERM: the worker stops receiving and finishes its job, which
 *   is why AgentWorkload sets `terminationGracePeriodSeconds` ≥ the queue's `maxJobDurationSeconds`;
 * - if a pod dies anyway, its message reappears after the visibility timeout (> the longest job, so
 *   never while the first run is alive) and is retried; after `maxReceiveCount` tries it goes to the DLQ.
 */
export function scaledObjectFor(args: ScaledObjectArgs) {
    validateScaledObjectArgs(args);
    const d = SCALED_OBJECT_DEFAULTS;
    return {
        apiVersion: "keda.sh/v1alpha1",
        kind: "ScaledObject",
        metadata: {
            name: args.name,
            namespace: args.namespace,
            labels: { ...args.labels, "app.kubernetes.io/managed-by": "agent-platform" },
        },
        spec: {
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: args.deploymentName },
            minReplicaCount: args.minReplicas,
            maxReplicaCount: args.maxReplicas,
            pollingInterval: args.pollingIntervalSeconds ?? d.pollingIntervalSeconds,
            cooldownPeriod: args.cooldownSeconds ?? d.cooldownSeconds,
            advanced: {
                horizontalPodAutoscalerConfig: {
                    behavior: {
                        scaleDown: {
                            stabilizationWindowSeconds: args.scaleDownStabilizationSeconds ?? d.scaleDownStabilizationSeconds,
                            policies: [{ type: "Pods", value: d.scaleDownPodsPerMinute, periodSeconds: 60 }],
                            selectPolicy: "Min",
                        },
                        scaleUp: {
                            stabilizationWindowSeconds: 0,
                            policies: [{ type: "Percent", value: 100, periodSeconds: 30 }, { type: "Pods", value: 4, periodSeconds: 30 }],
                            selectPolicy: "Max",
                        },
                    },
                },
            },
            triggers: [{
                type: "aws-sqs-queue",
                authenticationRef: { name: args.triggerAuthenticationName ?? KEDA_TRIGGER_AUTHENTICATION, kind: "TriggerAuthentication" },
                metadata: {
                    queueURL: args.queueUrl,
                    awsRegion: args.region,
                    queueLength: String(args.messagesPerReplica),
                    activationQueueLength: String(args.activationMessages ?? d.activationMessages),
                    scaleOnInFlight: "true",
                },
            }],
        },
    };
}

export interface KedaArgs {
    /** EKS cluster of the operator's Pod Identity association. Required. */
    clusterName: pulumi.Input<string>;
    /** ARNs of the queues KEDA may read the depth of (`sqs:GetQueueAttributes`). Default: none. */
    queueArns?: pulumi.Input<string>[];
    /** Namespaces that get the TriggerAuthentication (they must exist). Default: [AGENT_NAMESPACE] ("agents"). */
    workloadNamespaces?: string[];
    /** Tags of the AWS resources. Default: none. */
    tags?: Record<string, string>;
    /**
     * What the Kubernetes objects wait for: `pods` before the release (the nodes the operator runs on),
     * `namespaces` before the TriggerAuthentications (the workload namespaces). Default: none.
     */
    inClusterDependsOn?: InClusterDependencies;
}

/** Validates KedaArgs; throws `InputPropertiesError` naming each bad argument. */
export function validateKedaArgs(args: KedaArgs): void {
    const namespaces = args.workloadNamespaces ?? [AGENT_NAMESPACE];
    const checks = new ArgChecks("Keda");
    namespaces.forEach((ns, i) => checks.require(DNS_LABEL.test(ns), `workloadNamespaces[${i}]`, ns, "a DNS label"));
    checks.require(new Set(namespaces).size === namespaces.length, "workloadNamespaces", namespaces, "distinct namespaces");
    checks.throwIfInvalid();
}

/**
 * KEDA (pinned chart) on the system nodes, with a Pod Identity role for its operator limited to reading
 * the platform's queue depths, and the TriggerAuthentication that workers' ScaledObjects reference
 * (build those with `scaledObjectFor`).
 */
export class Keda extends pulumi.ComponentResource {
    /** Namespace of the KEDA operator. */
    public readonly namespace: pulumi.Output<string>;
    /** ARN of the operator's IAM role. */
    public readonly operatorRoleArn: pulumi.Output<string>;
    /** Name of the TriggerAuthentication in each workload namespace. */
    public readonly triggerAuthenticationName: pulumi.Output<string>;
    /** Name of the Helm release (custom resources depend on it for their CRDs). */
    public readonly releaseName: pulumi.Output<string>;

    constructor(name: string, args: KedaArgs, opts?: pulumi.ComponentResourceOptions) {
        validateKedaArgs(args); // before super: invalid arguments register nothing
        super("agent-platform:index:Keda", name, {}, opts);
        const namespaces = args.workloadNamespaces ?? [AGENT_NAMESPACE];
        const parent = { parent: this };

        const ns = new k8s.core.v1.Namespace(`${name}-ns`, {
            metadata: {
                name: KEDA_NAMESPACE,
                labels: { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/warn": "restricted" },
            },
        }, parent);

        const queueArns = args.queueArns ?? [];
        const role = new PodIdentityRole(`${name}-operator`, {
            clusterName: args.clusterName,
            namespace: KEDA_NAMESPACE,
            serviceAccount: KEDA_OPERATOR_SERVICE_ACCOUNT,
            policy: queueArns.length > 0 ? pulumi.jsonStringify(pulumi.all(queueArns).apply((arns) => policyDocument(kedaOperatorStatements(arns)))) : undefined,
            tags: args.tags,
        }, parent);

        // The association must exist before the operator pod starts: Pod Identity credentials are injected at pod creation.
        const release = new k8s.helm.v3.Release(name, {
            name: "keda",
            chart: KEDA_CHART.chart,
            version: KEDA_CHART.version,
            repositoryOpts: { repo: KEDA_CHART.repository },
            namespace: ns.metadata.name,
            values: kedaValues(),
            atomic: true,
            timeout: 600,
        }, { parent: this, dependsOn: dependsOnFor(args.inClusterDependsOn, ["pods"], [role]) });

        namespaces.forEach((workloadNs) => {
            const auth = triggerAuthenticationFor(workloadNs);
            new k8s.apiextensions.CustomResource(`${name}-auth-${workloadNs}`, auth, { parent: this, dependsOn: dependsOnFor(args.inClusterDependsOn, ["namespaces"], [release]) });
        });

        this.namespace = ns.metadata.name;
        this.operatorRoleArn = role.roleArn;
        this.triggerAuthenticationName = pulumi.output(KEDA_TRIGGER_AUTHENTICATION);
        this.releaseName = release.name;
        this.registerOutputs({ namespace: this.namespace, operatorRoleArn: this.operatorRoleArn, triggerAuthenticationName: this.triggerAuthenticationName, releaseName: this.releaseName });
    }
}
