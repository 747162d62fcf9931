/**
 * Where pods land: the labels and taints of the platform's node classes and the pod placement that
 * matches them. System nodes (the managed node group) run controllers only; GPU nodes (Karpenter's GPU
 * pool) run only pods that tolerate the GPU taint.
 */

/** A Kubernetes toleration. */
export interface Toleration {
    key: string;
    operator: "Equal" | "Exists";
    value?: string;
    effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

/** A node taint. */
export interface Taint {
    key: string;
    value: string;
    effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

/** Label of the system managed node group's nodes. */
export const SYSTEM_NODE_LABEL = { key: "agent-platform.io/node-role", value: "system" } as const;
/** Taint of system nodes (the EKS convention for add-on-only nodes). */
export const SYSTEM_NODE_TAINT: Taint = { key: "CriticalAddonsOnly", value: "true", effect: "NoSchedule" };
/** Label Karpenter puts on GPU nodes; agents and model servers select it. */
export const GPU_NODE_LABEL = { key: "agent-platform.io/capacity", value: "gpu" } as const;
/** Taint of GPU nodes: only pods that ask for a GPU tolerate it. */
export const GPU_NODE_TAINT: Taint = { key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" };

/** Namespace of the agent workloads. */
export const AGENT_NAMESPACE = "agents";
/** Namespace of the tracing stack (collector, Tempo, Grafana). */
export const OBSERVABILITY_NAMESPACE = "observability";

/** A toleration that matches a taint exactly. */
export function tolerationFor(taint: Taint): Toleration {
    return { key: taint.key, operator: "Equal", value: taint.value, effect: taint.effect };
}

/** Pod placement of controllers and add-ons: onto the system nodes, tolerating their taint. */
export function systemPodPlacement(): { nodeSelector: Record<string, string>; tolerations: Toleration[] } {
    return { nodeSelector: { [SYSTEM_NODE_LABEL.key]: SYSTEM_NODE_LABEL.value }, tolerations: [tolerationFor(SYSTEM_NODE_TAINT)] };
}

/**
 * Pod placement of controllers on a cluster that may lack system nodes: `systemPodPlacement()`, or
 * nothing (wherever the scheduler puts them) when `onSystemNodes` is false.
 */
export function controllerPlacement(onSystemNodes = true): Partial<ReturnType<typeof systemPodPlacement>> {
    return onSystemNodes ? systemPodPlacement() : {};
}

/** Pod placement of GPU pods: onto the GPU pool, tolerating its taint. */
export function gpuPodPlacement(): { nodeSelector: Record<string, string>; tolerations: Toleration[] } {
    return { nodeSelector: { [GPU_NODE_LABEL.key]: GPU_NODE_LABEL.value }, tolerations: [tolerationFor(GPU_NODE_TAINT)] };
}

/** Pod Security admission levels. */
export const PodSecurityLevel = { Privileged: "privileged", Baseline: "baseline", Restricted: "restricted" } as const;

/** Namespace labels that enforce one Pod Security level and audit/warn against another. */
export function podSecurityLabels(enforce: string, auditAndWarn: string): Record<string, string> {
    return {
        "pod-security.kubernetes.io/enforce": enforce,
        "pod-security.kubernetes.io/audit": auditAndWarn,
        "pod-security.kubernetes.io/warn": auditAndWarn,
    };
}
