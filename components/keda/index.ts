import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { policyDocument } from "../podIdentity/spec";
import { PodIdentityRole } from "../podIdentity";
import { SqsAuthentication, STATIC_KEY_SECRET_KEYS } from "../shared/constants";
import { dependsOnFor, InClusterDependencies } from "../shared/inCluster";
import { parseArgs } from "../shared/schema";
import { KEDA_CHART } from "../shared/versions";
import { kedaArgsSchema } from "./args";
import {
    KEDA_NAMESPACE, KEDA_OPERATOR_SERVICE_ACCOUNT, KEDA_STATIC_KEY_AUTHENTICATION, KEDA_TRIGGER_AUTHENTICATION, kedaOperatorStatements, kedaValues,
    staticKeyTriggerAuthentication, TriggerAuthenticationKind, triggerAuthenticationFor,
} from "./spec";

export interface KedaArgs {
    /** EKS cluster of the operator's Pod Identity association. Default: none (required with authentication "pod-identity"). */
    clusterName?: pulumi.Input<string>;
    /**
     * How the SQS scaler authenticates (SqsAuthentication): "pod-identity" (the operator's IAM role, a
     * TriggerAuthentication per workload namespace) or "static-key" (a generated key in a Secret of KEDA's
     * namespace and one ClusterTriggerAuthentication, for an SQS-compatible server that checks no
     * credentials, such as TaskQueue's ElasticMQ; no AWS resource). Default: "pod-identity".
     */
    authentication?: string;
    /** ARNs of the queues KEDA may read the depth of (`sqs:GetQueueAttributes`; "pod-identity"). Default: none. */
    queueArns?: pulumi.Input<string>[];
    /** Namespaces that get the TriggerAuthentication (they must exist; "pod-identity"). Default: [AGENT_NAMESPACE] ("agents"). */
    workloadNamespaces?: string[];
    /** Pin the operator to AgentCluster's system nodes (false on a cluster without them). Default: true. */
    onSystemNodes?: boolean;
    /** Tags of the AWS resources. Default: none. */
    tags?: Record<string, string>;
    /**
     * What the Kubernetes objects wait for: `pods` before the release (the nodes the operator runs on),
     * `namespaces` before the TriggerAuthentications (the workload namespaces). Default: none.
     */
    inClusterDependsOn?: InClusterDependencies;
}

/** Validates KedaArgs and applies their defaults; throws `InputPropertiesError` naming each bad argument. */
export function parseKedaArgs(args: KedaArgs) {
    return parseArgs("Keda", kedaArgsSchema, args);
}

/**
 * KEDA (pinned chart) on the system nodes, with a Pod Identity role for its operator limited to reading
 * the platform's queue depths, and the TriggerAuthentication that workers' ScaledObjects reference
 * (build those with `scaledObjectFor`). With authentication "static-key", no role: a generated static
 * key and the ClusterTriggerAuthentication that hands it to the SQS scaler.
 */
export class Keda extends pulumi.ComponentResource {
    /** Namespace of the KEDA operator. */
    public readonly namespace: pulumi.Output<string>;
    /** ARN of the operator's IAM role (undefined output with "static-key"). */
    public readonly operatorRoleArn: pulumi.Output<string | undefined>;
    /** Name of the TriggerAuthentication (in each workload namespace) or of the ClusterTriggerAuthentication. */
    public readonly triggerAuthenticationName: pulumi.Output<string>;
    /** Kind of what ScaledObjects reference: "TriggerAuthentication" or "ClusterTriggerAuthentication". */
    public readonly triggerAuthenticationKind: pulumi.Output<string>;
    /** Name of the Helm release (custom resources depend on it for their CRDs). */
    public readonly releaseName: pulumi.Output<string>;

    constructor(name: string, args: KedaArgs, opts?: pulumi.ComponentResourceOptions) {
        const a = parseKedaArgs(args); // before super: invalid arguments register nothing
        super("agent-platform:index:Keda", name, {}, opts);
        const parent = { parent: this };

        const ns = new k8s.core.v1.Namespace(`${name}-ns`, {
            metadata: {
                name: KEDA_NAMESPACE,
                labels: { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/warn": "restricted" },
            },
        }, parent);

        const podIdentity = a.authentication === SqsAuthentication.PodIdentity;
        const queueArns = a.queueArns;
        const role = podIdentity ? new PodIdentityRole(`${name}-operator`, {
            clusterName: a.clusterName!,
            namespace: KEDA_NAMESPACE,
            serviceAccount: KEDA_OPERATOR_SERVICE_ACCOUNT,
            policy: queueArns.length > 0 ? pulumi.jsonStringify(pulumi.all(queueArns).apply((arns) => policyDocument(kedaOperatorStatements(arns)))) : undefined,
            tags: a.tags,
        }, parent) : undefined;

        // The association must exist before the operator pod starts: Pod Identity credentials are injected at pod creation.
        const release = new k8s.helm.v3.Release(name, {
            name: "keda",
            chart: KEDA_CHART.chart,
            version: KEDA_CHART.version,
            repositoryOpts: { repo: KEDA_CHART.repository },
            namespace: ns.metadata.name,
            values: kedaValues(a.onSystemNodes),
            atomic: true,
            timeout: 600,
        }, { parent: this, dependsOn: dependsOnFor(a.inClusterDependsOn, ["pods"], role ? [role] : []) });

        if (podIdentity) {
            a.workloadNamespaces.forEach((workloadNs) => {
                const auth = triggerAuthenticationFor(workloadNs);
                new k8s.apiextensions.CustomResource(`${name}-auth-${workloadNs}`, auth, { parent: this, dependsOn: dependsOnFor(a.inClusterDependsOn, ["namespaces"], [release]) });
            });
        } else {
            // The server checks no signature: a drawn key satisfies the scaler's AWS client, and stays a secret.
            const key = new random.RandomPassword(`${name}-static-key`, { length: 40, special: false }, parent);
            const secret = new k8s.core.v1.Secret(`${name}-static-key`, {
                metadata: { name: KEDA_STATIC_KEY_AUTHENTICATION, namespace: ns.metadata.name },
                type: "Opaque",
                stringData: pulumi.secret(key.result.apply((k) => ({ [STATIC_KEY_SECRET_KEYS.accessKeyId]: "keda", [STATIC_KEY_SECRET_KEYS.secretAccessKey]: k }))),
            }, parent);
            new k8s.apiextensions.CustomResource(`${name}-static-key`, staticKeyTriggerAuthentication(), { parent: this, dependsOn: [release, secret] });
        }

        this.namespace = ns.metadata.name;
        this.operatorRoleArn = role ? role.roleArn : pulumi.output(undefined);
        this.triggerAuthenticationName = pulumi.output(podIdentity ? KEDA_TRIGGER_AUTHENTICATION : KEDA_STATIC_KEY_AUTHENTICATION);
        this.triggerAuthenticationKind = pulumi.output(podIdentity ? TriggerAuthenticationKind.Namespaced : TriggerAuthenticationKind.Cluster);
        this.releaseName = release.name;
        this.registerOutputs({
            namespace: this.namespace, operatorRoleArn: this.operatorRoleArn, triggerAuthenticationName: this.triggerAuthenticationName,
            triggerAuthenticationKind: this.triggerAuthenticationKind, releaseName: this.releaseName,
        });
    }
}
