/**
 * Wiring of AgentCluster's workload capacity (a part of the AgentCluster constructor, split out for
 * size): the Karpenter interruption queue and its EventBridge rules, the controller's Pod Identity role,
 * the Karpenter release, EC2NodeClasses and NodePools, and the NVIDIA device plugin. Every resource is a
 * child of the cluster component.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { interruptionQueuePolicy, karpenterControllerPolicy } from "./iam";
import { ResolvedClusterSettings } from "./args";
import { ec2NodeClassSpec, generalNodePoolSpec, gpuNodePoolSpec, interruptionEventPatterns, KARPENTER_NAMESPACE, KARPENTER_SERVICE_ACCOUNT, karpenterValues, NodePoolName, NVIDIA_DEVICE_PLUGIN_NAMESPACE, nvidiaDevicePluginValues } from "./karpenterSpec";
import { PodIdentityRole } from "../podIdentity";
import { AL2023_AMI_RELEASE, KARPENTER_CHART, NVIDIA_DEVICE_PLUGIN_CHART } from "../shared/versions";

/** What the capacity wiring needs from the cluster. */
export interface ClusterCapacityInputs {
    settings: ResolvedClusterSettings;
    tags: Record<string, string>;
    vpcId: pulumi.Input<string>;
    cluster: aws.eks.Cluster;
    partition: pulumi.Output<string>;
    region: pulumi.Output<string>;
    nodeRoleArn: pulumi.Output<string>;
    nodeRoleName: pulumi.Output<string>;
    /** Kubernetes provider of the new cluster (it waits for the control plane). */
    provider: k8s.Provider;
    /** What the controller's pods wait for on the system nodes (the nodes, their add-ons, DNS). */
    systemNodesReady: pulumi.Resource[];
    /** The access entry that lets nodes of the node role join the cluster. */
    nodeAccess: pulumi.Resource;
}

/** AL2023 AMI alias of the pinned release. */
export function al2023AmiAlias(release: string = AL2023_AMI_RELEASE): string {
    return `al2023@${release}`;
}

/** Creates Karpenter, its node classes and pools, and the device plugin, as children of `parent`. */
export function createClusterCapacity(parent: pulumi.ComponentResource, name: string, c: ClusterCapacityInputs) {
    const { settings, tags } = c;
    const opts = { parent };
    const k8sOpts = (dependsOn: pulumi.Resource[]) => ({ parent, provider: c.provider, dependsOn });

    // Interruption handling: EventBridge → SQS → Karpenter drains nodes before EC2 takes them.
    const queue = new aws.sqs.Queue(`${name}-karpenter-interruption`, {
        name: `${settings.clusterName}-karpenter`,
        messageRetentionSeconds: 300,
        sqsManagedSseEnabled: true,
        // No DLQ, as in Karpenter's reference setup: 300 s notices the controller consumes itself; a DLQ
        // would only collect expired ones. The policy pack's redrive rule is waived for this queue only.
        tags: { ...tags, "agent-platform.io/policy-exempt": "sqs-redrive" },
    }, opts);
    new aws.sqs.QueuePolicy(`${name}-karpenter-interruption`, {
        queueUrl: queue.url, policy: pulumi.jsonStringify(queue.arn.apply(interruptionQueuePolicy)),
    }, opts);
    for (const [rule, pattern] of Object.entries(interruptionEventPatterns())) {
        const eventRule = new aws.cloudwatch.EventRule(`${name}-karpenter-${rule}`, {
            description: `Karpenter interruption handling (${pattern["detail-type"][0]}) for ${settings.clusterName}`,
            eventPattern: JSON.stringify(pattern),
            tags,
        }, opts);
        new aws.cloudwatch.EventTarget(`${name}-karpenter-${rule}`, { rule: eventRule.name, arn: queue.arn, targetId: "KarpenterInterruptionQueueTarget" }, opts);
    }

    const accountId = aws.getCallerIdentityOutput({}, opts).accountId;
    const controller = new PodIdentityRole(`${name}-karpenter`, {
        clusterName: c.cluster.name,
        namespace: KARPENTER_NAMESPACE,
        serviceAccount: KARPENTER_SERVICE_ACCOUNT,
        policy: pulumi.jsonStringify(pulumi.all([c.partition, c.region, accountId, c.nodeRoleArn, queue.arn, c.cluster.arn, pulumi.output(c.vpcId)])
            .apply(([partition, region, account, nodeRoleArn, queueArn, clusterArn, vpcId]) => karpenterControllerPolicy({
                partition, region, accountId: account, clusterName: settings.clusterName, nodeRoleArn, queueArn, clusterArn, vpcId,
            }))),
        tags,
    }, opts);

    // CRDs from their own chart (same version): Helm never upgrades a chart's crds/ directory, so a
    // Karpenter upgrade would otherwise keep the old NodePool/EC2NodeClass schemas. CRDs need only the
    // API server: installed while the nodes come up.
    const crds = new k8s.helm.v3.Release(`${name}-karpenter-crd`, {
        name: "karpenter-crd",
        chart: KARPENTER_CHART.crdChart,
        version: KARPENTER_CHART.version,
        namespace: KARPENTER_NAMESPACE,
        atomic: true,
        timeout: 300,
    }, k8sOpts([]));
    const release = new k8s.helm.v3.Release(`${name}-karpenter`, {
        name: "karpenter",
        chart: KARPENTER_CHART.chart,
        version: KARPENTER_CHART.version,
        namespace: KARPENTER_NAMESPACE,
        skipCrds: true,
        values: pulumi.all([c.cluster.endpoint, queue.name, c.region]).apply(([clusterEndpoint, interruptionQueueName, region]) => karpenterValues({
            clusterName: settings.clusterName, clusterEndpoint, interruptionQueueName, systemNodes: settings.systemNodes.desiredSize, region,
        })),
        atomic: true,
        timeout: 600,
    }, k8sOpts([...c.systemNodesReady, controller, crds]));

    const nodeClass = (className: NodePoolName, diskSizeGiB: number) => new k8s.apiextensions.CustomResource(`${name}-nodeclass-${className}`, {
        apiVersion: "karpenter.k8s.aws/v1",
        kind: "EC2NodeClass",
        metadata: { name: className },
        spec: c.nodeRoleName.apply((nodeRoleName) => ec2NodeClassSpec({
            clusterName: settings.clusterName, nodeRoleName, amiAlias: al2023AmiAlias(), diskSizeGiB, tags,
        })),
    }, k8sOpts([crds, release, c.nodeAccess])); // nodes of the class join through the node role's access entry
    const nodePool = (poolName: NodePoolName, spec: object, dependsOn: pulumi.Resource[]) => new k8s.apiextensions.CustomResource(`${name}-nodepool-${poolName}`, {
        apiVersion: "karpenter.sh/v1",
        kind: "NodePool",
        metadata: { name: poolName },
        spec,
    }, k8sOpts(dependsOn));

    const generalClass = nodeClass(NodePoolName.General, settings.nodePools.cpu.diskSizeGiB);
    const generalPool = nodePool(NodePoolName.General, generalNodePoolSpec(settings.nodePools.cpu), [crds, release, generalClass]);
    const nodePoolNames: string[] = [NodePoolName.General];
    // What workload pods wait for: a controller to launch nodes, and the classes and pools it launches them from.
    const workloadNodesReady: pulumi.Resource[] = [release, generalClass, generalPool];

    if (settings.nodePools.gpu.enabled) {
        const gpuClass = nodeClass(NodePoolName.Gpu, settings.nodePools.gpu.diskSizeGiB);
        const gpuPool = nodePool(NodePoolName.Gpu, gpuNodePoolSpec(settings.nodePools.gpu), [crds, release, gpuClass]);
        nodePoolNames.push(NodePoolName.Gpu);
        // A DaemonSet for GPU nodes only: nothing to wait for but the API server; GPU pods wait for it.
        const devicePlugin = new k8s.helm.v3.Release(`${name}-nvidia-device-plugin`, {
            name: "nvidia-device-plugin",
            chart: NVIDIA_DEVICE_PLUGIN_CHART.chart,
            version: NVIDIA_DEVICE_PLUGIN_CHART.version,
            repositoryOpts: { repo: NVIDIA_DEVICE_PLUGIN_CHART.repository },
            namespace: NVIDIA_DEVICE_PLUGIN_NAMESPACE,
            createNamespace: true,
            values: nvidiaDevicePluginValues(),
            atomic: true,
            timeout: 300,
        }, k8sOpts([]));
        workloadNodesReady.push(gpuClass, gpuPool, devicePlugin);
    }
    return { interruptionQueueName: queue.name, nodePoolNames, workloadNodesReady };
}
