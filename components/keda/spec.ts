/**
 * Pure derivations of KEDA: the operator's IAM statements and chart values, the TriggerAuthentication of
 * a workload namespace, and the ScaledObject of a worker.
 */
import * as pulumi from "@pulumi/pulumi";
import { PolicyStatement } from "../podIdentity/spec";
import { STATIC_KEY_SECRET_KEYS } from "../shared/constants";
import { controllerPlacement } from "../shared/placement";
import { parseArgs } from "../shared/schema";
import { KEDA_STATIC_KEY_AUTHENTICATION, KEDA_TRIGGER_AUTHENTICATION, scaledObjectArgsSchema, TriggerAuthenticationKind } from "./args";

export { KEDA_STATIC_KEY_AUTHENTICATION, KEDA_TRIGGER_AUTHENTICATION, TriggerAuthenticationKind };

/** Namespace of the KEDA operator. */
export const KEDA_NAMESPACE = "keda";
/** Service account of the KEDA operator (the Pod Identity association names it). */
export const KEDA_OPERATOR_SERVICE_ACCOUNT = "keda-operator";

/** At most this many pods removed per minute on scale-down. */
const SCALE_DOWN_PODS_PER_MINUTE = 1;

/**
 * IAM statements of the KEDA operator: read the attributes (depth) of the platform's queues, nothing
 * else — no receive, no delete, no other queue.
 */
export function kedaOperatorStatements(queueArns: string[]): PolicyStatement[] {
    return queueArns.length === 0 ? [] : [{ Sid: "ReadQueueDepth", Effect: "Allow", Action: ["sqs:GetQueueAttributes"], Resource: queueArns }];
}

/** Port of the KEDA operator's Prometheus metrics (the chart names the container port `metrics`). */
export const KEDA_OPERATOR_METRICS_PORT = 8080;

/**
 * Helm values of the KEDA chart: on the system nodes (unless the cluster has none), its operator service
 * account named so the Pod Identity association matches, no IRSA annotation (EKS Pod Identity injects
 * credentials instead), the operator barred from reading Secrets outside its namespace (the only Secret
 * a scaler here uses, the static key, lives in that namespace), and its Prometheus metrics on: the
 * platform's Prometheus reads queue depth from them (`keda_scaler_metrics_value`, the "queue not
 * consumed" alert).
 */
export function kedaValues(onSystemNodes = true) {
    return {
        crds: { install: true },
        serviceAccount: { operator: { create: true, name: KEDA_OPERATOR_SERVICE_ACCOUNT } },
        podIdentity: { aws: { irsa: { enabled: false } } },
        permissions: { operator: { restrict: { secret: true } } },
        prometheus: { operator: { enabled: true, port: KEDA_OPERATOR_METRICS_PORT } },
        ...controllerPlacement(onSystemNodes),
    };
}

/**
 * The ClusterTriggerAuthentication of the `static-key` authentication: the SQS scaler's
 * `awsAccessKeyID` and `awsSecretAccessKey` from the Secret of the same name in KEDA's namespace.
 */
export function staticKeyTriggerAuthentication() {
    const ref = (parameter: string, key: string) => ({ parameter, name: KEDA_STATIC_KEY_AUTHENTICATION, key });
    return {
        apiVersion: "keda.sh/v1alpha1",
        kind: TriggerAuthenticationKind.Cluster,
        metadata: { name: KEDA_STATIC_KEY_AUTHENTICATION, labels: { "app.kubernetes.io/managed-by": "agent-platform" } },
        spec: {
            secretTargetRef: [
                ref("awsAccessKeyID", STATIC_KEY_SECRET_KEYS.accessKeyId),
                ref("awsSecretAccessKey", STATIC_KEY_SECRET_KEYS.secretAccessKey),
            ],
        },
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
    /** SQS endpoint instead of AWS's (an SQS-compatible server such as TaskQueue's ElasticMQ): the scaler's `awsEndpoint`. Default: none. */
    awsEndpoint?: pulumi.Input<string>;
    /** Target messages (waiting + in flight) per replica. Required. */
    messagesPerReplica: number;
    /** Messages above which the worker scales from zero (0–100 000). Default: 0 (any message). */
    activationMessages?: number;
    /** Minimum replicas (0 allows scale to zero). Required. */
    minReplicas: number;
    /** Maximum replicas. Required. */
    maxReplicas: number;
    /** Seconds after the last message before scaling to zero (0–86 400). Default: 300. */
    cooldownSeconds?: number;
    /** Seconds between queue-depth checks (5–3600). Default: 15. */
    pollingIntervalSeconds?: number;
    /** HPA scale-down stabilization window, seconds. Default: 300. */
    scaleDownStabilizationSeconds?: number;
    /** TriggerAuthentication to use. Default: `keda-operator-aws` (KEDA_TRIGGER_AUTHENTICATION). */
    triggerAuthenticationName?: string;
    /** Its kind: "TriggerAuthentication" or "ClusterTriggerAuthentication" (what Keda's `triggerAuthenticationKind` says). Default: "TriggerAuthentication". */
    triggerAuthenticationKind?: string;
    /** Extra labels. Default: none. */
    labels?: Record<string, string>;
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
export function scaledObjectFor(scaledObjectArgs: ScaledObjectArgs) {
    const args = parseArgs("ScaledObject", scaledObjectArgsSchema, scaledObjectArgs);
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
            pollingInterval: args.pollingIntervalSeconds,
            cooldownPeriod: args.cooldownSeconds,
            advanced: {
                horizontalPodAutoscalerConfig: {
                    behavior: {
                        scaleDown: {
                            stabilizationWindowSeconds: args.scaleDownStabilizationSeconds,
                            policies: [{ type: "Pods", value: SCALE_DOWN_PODS_PER_MINUTE, periodSeconds: 60 }],
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
                authenticationRef: { name: args.triggerAuthenticationName, kind: args.triggerAuthenticationKind },
                metadata: {
                    queueURL: args.queueUrl,
                    awsRegion: args.region,
                    ...(args.awsEndpoint !== undefined ? { awsEndpoint: args.awsEndpoint } : {}),
                    queueLength: String(args.messagesPerReplica),
                    activationQueueLength: String(args.activationMessages),
                    scaleOnInFlight: "true",
                },
            }],
        },
    };
}

