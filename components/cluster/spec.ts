/**
 * Pure derived values of AgentCluster: the kubeconfig, the system node group's AMI type, labels and
 * taints, the EKS add-on configuration.
 */
import { SYSTEM_NODE_LABEL, SYSTEM_NODE_TAINT, systemPodPlacement, Taint } from "../shared/placement";
import { EKS_ADDON_VERSIONS, EKS_ADDON_VERSIONS_BY_KUBERNETES } from "../shared/versions";

/** CPU architecture of an instance type: Graviton families carry a `g` after the generation (m7g, c8gd, t4g). */
export function architectureOf(instanceType: string): "arm64" | "x86_64" {
    const family = instanceType.split(".")[0];
    return /^[a-z]+\d+g[a-z]*$/.test(family) && !/^(g|p|inf|trn|dl|vt)\d/.test(family) ? "arm64" : "x86_64";
}

/** Managed node group AMI type for the system nodes: AL2023, matching the instance architecture. */
export function systemNodeAmiType(instanceTypes: string[]): string {
    return architectureOf(instanceTypes[0]) === "arm64" ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD";
}

/** EKS spells taint effects in upper snake case (`NO_SCHEDULE`). */
export function eksTaintEffect(effect: Taint["effect"]): string {
    return { NoSchedule: "NO_SCHEDULE", PreferNoSchedule: "PREFER_NO_SCHEDULE", NoExecute: "NO_EXECUTE" }[effect];
}

/** Labels and taints of the system managed node group (see shared/placement.ts). */
export function systemNodeGroupPlacement() {
    return {
        labels: { [SYSTEM_NODE_LABEL.key]: SYSTEM_NODE_LABEL.value },
        taints: [{ key: SYSTEM_NODE_TAINT.key, value: SYSTEM_NODE_TAINT.value, effect: eksTaintEffect(SYSTEM_NODE_TAINT.effect) }],
    };
}

/** The five control-plane log types EKS can ship. */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

/** Name of the log group EKS writes control-plane logs to (it must exist before the cluster to control retention). */
export function controlPlaneLogGroupName(clusterName: string): string {
    return `/aws/eks/${clusterName}/cluster`;
}

/** What the kubeconfig is built from. */
export interface KubeconfigInputs {
    clusterName: string;
    endpoint: string;
    certificateAuthorityData: string;
    region: string;
}

/**
 * The kubeconfig of the cluster, as JSON: exec authentication with `aws eks get-token` (no token in
 * it, so it never expires and stays byte-identical across runs while the cluster is the same).
 */
export function kubeconfigFor(k: KubeconfigInputs): string {
    const name = k.clusterName;
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name, cluster: { server: k.endpoint, "certificate-authority-data": k.certificateAuthorityData } }],
        contexts: [{ name, context: { cluster: name, user: name } }],
        "current-context": name,
        preferences: {},
        users: [{
            name,
            user: {
                exec: {
                    apiVersion: "client.authentication.k8s.io/v1beta1",
                    command: "aws",
                    args: ["eks", "get-token", "--cluster-name", name, "--region", k.region, "--output", "json"],
                    interactiveMode: "Never",
                    provideClusterInfo: false,
                },
            },
        }],
    });
}

/** Launch-template metadata options: IMDSv2 only, one hop (pods cannot reach the node's credentials). */
export const IMDS_V2_ONLY = { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 } as const;

/** The EKS add-ons of every cluster (versions in shared/versions.ts). */
export const EksAddon = {
    VpcCni: "vpc-cni",
    KubeProxy: "kube-proxy",
    PodIdentityAgent: "eks-pod-identity-agent",
    CoreDns: "coredns",
    EbsCsiDriver: "aws-ebs-csi-driver",
    MetricsServer: "metrics-server",
} as const;
export type EksAddon = (typeof EksAddon)[keyof typeof EksAddon];

/** Add-ons that must run before nodes can become Ready (networking, credentials). */
export const ADDONS_BEFORE_NODES: readonly EksAddon[] = [EksAddon.VpcCni, EksAddon.KubeProxy, EksAddon.PodIdentityAgent];
/** Add-ons with Deployments that need nodes to schedule onto (coredns times out without nodes). */
export const ADDONS_AFTER_NODES: readonly EksAddon[] = [EksAddon.CoreDns, EksAddon.EbsCsiDriver, EksAddon.MetricsServer];

/** The pinned version of an add-on for a Kubernetes minor version (shared/versions.ts). */
export function eksAddonVersion(addon: EksAddon, kubernetesVersion: string): string {
    if (addon === EksAddon.KubeProxy || addon === EksAddon.CoreDns) {
        const pins = EKS_ADDON_VERSIONS_BY_KUBERNETES[kubernetesVersion];
        if (!pins) throw new Error(`no ${addon} version is pinned for Kubernetes ${kubernetesVersion}`);
        return pins[addon];
    }
    return EKS_ADDON_VERSIONS[addon];
}

/**
 * `configurationValues` of each add-on (validated by EKS against the add-on's schema): network policy
 * enforcement in vpc-cni, and the Deployments of coredns, the EBS CSI controller and metrics-server
 * pinned to the system nodes (DaemonSets tolerate every taint already).
 */
export function addonConfiguration(addon: EksAddon): Record<string, unknown> | undefined {
    const placement = systemPodPlacement();
    switch (addon) {
        case EksAddon.VpcCni: return { enableNetworkPolicy: "true" };
        case EksAddon.CoreDns: return { nodeSelector: placement.nodeSelector, tolerations: placement.tolerations };
        case EksAddon.EbsCsiDriver: return { controller: { nodeSelector: placement.nodeSelector, tolerations: placement.tolerations } };
        case EksAddon.MetricsServer: return { nodeSelector: placement.nodeSelector, tolerations: placement.tolerations };
        default: return undefined;
    }
}
