import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument } from "../podIdentity/spec";
import { PodIdentityRole } from "../podIdentity";
import { dependsOnFor, InClusterDependencies } from "../shared/inCluster";
import { parseArgs } from "../shared/schema";
import { KEDA_CHART } from "../shared/versions";
import { kedaArgsSchema } from "./args";
import { KEDA_NAMESPACE, KEDA_OPERATOR_SERVICE_ACCOUNT, KEDA_TRIGGER_AUTHENTICATION, kedaOperatorStatements, kedaValues, triggerAuthenticationFor } from "./spec";

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

/** Validates KedaArgs and applies their defaults; throws `InputPropertiesError` naming each bad argument. */
export function parseKedaArgs(args: KedaArgs) {
    return parseArgs("Keda", kedaArgsSchema, args);
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
        const a = parseKedaArgs(args); // before super: invalid arguments register nothing
        super("agent-platform:index:Keda", name, {}, opts);
        const parent = { parent: this };

        const ns = new k8s.core.v1.Namespace(`${name}-ns`, {
            metadata: {
                name: KEDA_NAMESPACE,
                labels: { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/warn": "restricted" },
            },
        }, parent);

        const queueArns = a.queueArns;
        const role = new PodIdentityRole(`${name}-operator`, {
            clusterName: a.clusterName,
            namespace: KEDA_NAMESPACE,
            serviceAccount: KEDA_OPERATOR_SERVICE_ACCOUNT,
            policy: queueArns.length > 0 ? pulumi.jsonStringify(pulumi.all(queueArns).apply((arns) => policyDocument(kedaOperatorStatements(arns)))) : undefined,
            tags: a.tags,
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
        }, { parent: this, dependsOn: dependsOnFor(a.inClusterDependsOn, ["pods"], [role]) });

        a.workloadNamespaces.forEach((workloadNs) => {
            const auth = triggerAuthenticationFor(workloadNs);
            new k8s.apiextensions.CustomResource(`${name}-auth-${workloadNs}`, auth, { parent: this, dependsOn: dependsOnFor(a.inClusterDependsOn, ["namespaces"], [release]) });
        });

        this.namespace = ns.metadata.name;
        this.operatorRoleArn = role.roleArn;
        this.triggerAuthenticationName = pulumi.output(KEDA_TRIGGER_AUTHENTICATION);
        this.releaseName = release.name;
        this.registerOutputs({ namespace: this.namespace, operatorRoleArn: this.operatorRoleArn, triggerAuthenticationName: this.triggerAuthenticationName, releaseName: this.releaseName });
    }
}
