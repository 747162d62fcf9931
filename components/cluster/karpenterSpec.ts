/**
 * Pure, derived values of the cluster's Karpenter capacity: Helm values of Karpenter and of the NVIDIA
 * device plugin, EC2NodeClass and NodePool specs, interruption event patterns. Exported for tests.
 */
import { GPU_NODE_LABEL, GPU_NODE_TAINT, systemPodPlacement, tolerationFor } from "../shared/placement";

/** Namespace and service account of the Karpenter controller (its Pod Identity association). */
export const KARPENTER_NAMESPACE = "kube-system";
export const KARPENTER_SERVICE_ACCOUNT = "karpenter";
/** Namespace of the NVIDIA device plugin. */
export const NVIDIA_DEVICE_PLUGIN_NAMESPACE = "nvidia-device-plugin";

/** Names of the node classes and node pools. */
export const NodePoolName = {
    /** General-purpose CPU capacity. */
    General: "general",
    /** NVIDIA GPU capacity, tainted and scale-to-zero. */
    Gpu: "gpu",
} as const;
export type NodePoolName = (typeof NodePoolName)[keyof typeof NodePoolName];

/** Label every Karpenter CPU node carries (`agent-platform.io/capacity=general`). */
export const GENERAL_NODE_LABEL = { key: GPU_NODE_LABEL.key, value: "general" } as const;

/**
 * Replicas of the Karpenter controller: two for availability, but never more than the system nodes (the
 * chart requires its replicas on different hosts, so a second replica would stay pending on one node).
 */
export function karpenterReplicas(systemNodes: number): number {
    return Math.max(1, Math.min(2, systemNodes));
}

/** Helm values of the Karpenter chart. */
export function karpenterValues(p: { clusterName: string; clusterEndpoint: string; interruptionQueueName: string; systemNodes: number; region: string }) {
    const placement = systemPodPlacement();
    return {
        settings: { clusterName: p.clusterName, clusterEndpoint: p.clusterEndpoint, interruptionQueue: p.interruptionQueueName },
        serviceAccount: { create: true, name: KARPENTER_SERVICE_ACCOUNT },
        replicas: karpenterReplicas(p.systemNodes),
        // On the system nodes: Karpenter must never run on capacity it manages.
        nodeSelector: placement.nodeSelector,
        tolerations: placement.tolerations,
        controller: {
            resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } },
            // Karpenter otherwise asks IMDS for its region, which pods cannot reach (IMDSv2 hop limit 1).
            env: [{ name: "AWS_REGION", value: p.region }],
        },
    };
}

/** A Karpenter requirement (a node selector requirement with optional minValues). */
export interface Requirement {
    key: string;
    operator: string;
    values: string[];
}

/** Requirements of the general CPU pool. */
export function generalRequirements(p: { capacityTypes: string[]; instanceCategories: string[] }): Requirement[] {
    return [
        { key: "kubernetes.io/arch", operator: "In", values: ["amd64"] },
        { key: "kubernetes.io/os", operator: "In", values: ["linux"] },
        { key: "karpenter.sh/capacity-type", operator: "In", values: [...p.capacityTypes] },
        { key: "karpenter.k8s.aws/instance-category", operator: "In", values: [...p.instanceCategories] },
        // Generation 5 and later (m5, c6i, r7i, ...): wide enough for spot capacity, no old generations.
        { key: "karpenter.k8s.aws/instance-generation", operator: "Gt", values: ["4"] },
    ];
}

/** Requirements of the GPU pool: the configured families, NVIDIA GPUs only. */
export function gpuRequirements(p: { capacityTypes: string[]; instanceFamilies: string[] }): Requirement[] {
    return [
        { key: "kubernetes.io/arch", operator: "In", values: ["amd64"] },
        { key: "kubernetes.io/os", operator: "In", values: ["linux"] },
        { key: "karpenter.sh/capacity-type", operator: "In", values: [...p.capacityTypes] },
        { key: "karpenter.k8s.aws/instance-family", operator: "In", values: [...p.instanceFamilies] },
        { key: "karpenter.k8s.aws/instance-gpu-manufacturer", operator: "In", values: ["nvidia"] },
    ];
}

/** Spec of an EC2NodeClass (`karpenter.k8s.aws/v1`). */
export function ec2NodeClassSpec(p: { clusterName: string; nodeRoleName: string; amiAlias: string; diskSizeGiB: number; tags: Record<string, string> }) {
    const discovery = { "karpenter.sh/discovery": p.clusterName };
    return {
        role: p.nodeRoleName,
        amiSelectorTerms: [{ alias: p.amiAlias }],
        subnetSelectorTerms: [{ tags: discovery }],
        securityGroupSelectorTerms: [{ tags: discovery }],
        metadataOptions: { httpEndpoint: "enabled", httpProtocolIPv6: "disabled", httpPutResponseHopLimit: 1, httpTokens: "required" },
        blockDeviceMappings: [{
            deviceName: "/dev/xvda",
            ebs: { volumeSize: `${p.diskSizeGiB}Gi`, volumeType: "gp3", encrypted: true, deleteOnTermination: true },
        }],
        tags: { ...p.tags },
    };
}

const nodeClassRef = (name: string) => ({ group: "karpenter.k8s.aws", kind: "EC2NodeClass", name });

/** Spec of the general CPU NodePool: spot and/or on-demand, consolidated when empty or underused. */
export function generalNodePoolSpec(p: { capacityTypes: string[]; instanceCategories: string[]; cpuLimit: number; memoryLimitGiB: number; consolidateAfter: string }) {
    return {
        template: {
            metadata: { labels: { [GENERAL_NODE_LABEL.key]: GENERAL_NODE_LABEL.value } },
            spec: {
                nodeClassRef: nodeClassRef(NodePoolName.General),
                requirements: generalRequirements(p),
                expireAfter: "720h",
            },
        },
        limits: { cpu: String(p.cpuLimit), memory: `${p.memoryLimitGiB}Gi` },
        disruption: { consolidationPolicy: "WhenEmptyOrUnderutilized", consolidateAfter: p.consolidateAfter, budgets: [{ nodes: "10%" }] },
    };
}

/**
 * Spec of the GPU NodePool: tainted `nvidia.com/gpu=true:NoSchedule`, labelled for selection, limited in
 * GPUs and CPUs, removed only when empty (so scale-to-zero), never expired, and never disrupted for
 * drift or underuse while a model server runs on it.
 */
export function gpuNodePoolSpec(p: { capacityTypes: string[]; instanceFamilies: string[]; gpuLimit: number; cpuLimit: number; consolidateAfter: string }) {
    return {
        template: {
            metadata: { labels: { [GPU_NODE_LABEL.key]: GPU_NODE_LABEL.value } },
            spec: {
                nodeClassRef: nodeClassRef(NodePoolName.Gpu),
                requirements: gpuRequirements(p),
                taints: [{ key: GPU_NODE_TAINT.key, value: GPU_NODE_TAINT.value, effect: GPU_NODE_TAINT.effect }],
                expireAfter: "Never",
            },
        },
        limits: { cpu: String(p.cpuLimit), "nvidia.com/gpu": String(p.gpuLimit) },
        disruption: {
            consolidationPolicy: "WhenEmpty",
            consolidateAfter: p.consolidateAfter,
            budgets: [
                // A node with a running model server is never drifted or consolidated away...
                { nodes: "0", reasons: ["Drifted", "Underutilized"] },
                // ...while empty GPU nodes all go (scale to zero).
                { nodes: "100%", reasons: ["Empty"] },
            ],
        },
    };
}

/**
 * Helm values of the NVIDIA device plugin. Its default affinity requires a label that node feature
 * discovery sets (`feature.node.kubernetes.io/pci-10de.present`) or `nvidia.com/gpu.present`, neither of
 * which EKS or Karpenter sets: the affinity is replaced by the GPU pool's own label (Helm replaces the
 * `nodeSelectorTerms` list), and the pods tolerate the GPU taint. NFD and GFD stay off.
 */
export function nvidiaDevicePluginValues() {
    return {
        affinity: {
            nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                    nodeSelectorTerms: [{ matchExpressions: [{ key: GPU_NODE_LABEL.key, operator: "In", values: [GPU_NODE_LABEL.value] }] }],
                },
            },
        },
        nodeSelector: { [GPU_NODE_LABEL.key]: GPU_NODE_LABEL.value },
        tolerations: [tolerationFor(GPU_NODE_TAINT)],
        gfd: { enabled: false },
        nfd: { enabled: false },
        priorityClassName: "system-node-critical",
    };
}

/** The EC2 events Karpenter handles through its interruption queue (EventBridge rule name → pattern). */
export function interruptionEventPatterns(): Record<string, { source: string[]; "detail-type": string[] }> {
    return {
        "scheduled-change": { source: ["aws.health"], "detail-type": ["AWS Health Event"] },
        "spot-interruption": { source: ["aws.ec2"], "detail-type": ["EC2 Spot Instance Interruption Warning"] },
        "rebalance": { source: ["aws.ec2"], "detail-type": ["EC2 Instance Rebalance Recommendation"] },
        "instance-state-change": { source: ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"] },
    };
}
