/**
 * Arguments, defaults, validation and pure derived values of AgentCluster: the kubeconfig, the system
 * node group's AMI type, labels and taints, the EKS add-on configuration. Exported for tests and for
 * other components.
 */
import * as pulumi from "@pulumi/pulumi";
import { parseCidrNotation } from "../shared/cidr";
import { CapacityType, enumValues } from "../shared/constants";
import { SYSTEM_NODE_LABEL, SYSTEM_NODE_TAINT, Taint, systemPodPlacement } from "../shared/placement";
import { ArgChecks } from "../shared/validation";
import { EKS_ADDON_VERSIONS, EKS_ADDON_VERSIONS_BY_KUBERNETES, KUBERNETES_VERSION, SUPPORTED_KUBERNETES_VERSIONS } from "../shared/versions";

/** The on-demand managed node group that runs controllers and DNS. */
export interface SystemNodeGroupOptions {
    /** Instance types (all x86_64 or all Graviton). Default: ["m7i.large"]. */
    instanceTypes?: string[];
    /** Minimum nodes. Default: 2. */
    minSize?: number;
    /** Desired nodes (only read at creation; the group keeps its size afterwards). Default: 2. */
    desiredSize?: number;
    /** Maximum nodes. Default: 4. */
    maxSize?: number;
    /** Encrypted gp3 root volume of each node, GiB. Default: 50. */
    diskSizeGiB?: number;
}

/** Karpenter's general-purpose CPU node pool. */
export interface CpuNodePoolOptions {
    /** Purchase options, values of CapacityType ("spot", "on-demand"). Default: ["spot", "on-demand"]. */
    capacityTypes?: string[];
    /** EC2 instance categories (`karpenter.k8s.aws/instance-category`). Default: ["c", "m", "r"]. */
    instanceCategories?: string[];
    /** Total vCPUs the pool may run. Default: 64. */
    cpuLimit?: number;
    /** Total memory the pool may run, GiB. Default: 256. */
    memoryLimitGiB?: number;
    /** How long a node must be underused before it is consolidated (Go duration: "30s", "1m", "2h"). Default: "1m". */
    consolidateAfter?: string;
    /** Encrypted gp3 root volume of each CPU node, GiB. Default: 80. */
    diskSizeGiB?: number;
}

/** Karpenter's NVIDIA GPU node pool (scales to zero). */
export interface GpuNodePoolOptions {
    /** Create the GPU pool and the NVIDIA device plugin. Default: true. */
    enabled?: boolean;
    /** GPU instance families (`karpenter.k8s.aws/instance-family`). Default: ["g6", "g6e", "g5"]. */
    instanceFamilies?: string[];
    /** Purchase options, values of CapacityType. Default: ["on-demand"]. */
    capacityTypes?: string[];
    /** Total GPUs the pool may run. Default: 4. */
    gpuLimit?: number;
    /** Total vCPUs the pool may run. Default: 96. */
    cpuLimit?: number;
    /** How long an empty GPU node lives before it is removed (Go duration). Default: "10m". */
    consolidateAfter?: string;
    /** Encrypted gp3 root volume of each GPU node, GiB (CUDA and model-server images are large). Default: 200. */
    diskSizeGiB?: number;
}

/** Karpenter node pools for workloads. */
export interface NodePoolsOptions {
    /** The CPU pool. Default: the CpuNodePoolOptions defaults. */
    cpu?: CpuNodePoolOptions;
    /** The GPU pool. Default: the GpuNodePoolOptions defaults. */
    gpu?: GpuNodePoolOptions;
}

/** Cluster settings that do not depend on the network (what AgentPlatform takes). */
export interface ClusterOptions {
    /** Kubernetes minor version of the control plane and nodes, one of SUPPORTED_KUBERNETES_VERSIONS. Default: KUBERNETES_VERSION ("1.35"). */
    kubernetesVersion?: string;
    /** Expose the API server endpoint publicly (the private endpoint is always on). Default: true. */
    endpointPublicAccess?: boolean;
    /** IPv4 CIDRs allowed to reach the public endpoint. Default: ["0.0.0.0/0"]. Ignored when the public endpoint is off. */
    publicAccessCidrs?: string[];
    /** IAM role/user ARNs granted cluster-admin through access entries. Default: none (only the identity that creates the cluster). */
    adminPrincipalArns?: string[];
    /** Retention of the control-plane logs, days. Default: 90. */
    logRetentionDays?: number;
    /** The system node group. Default: the SystemNodeGroupOptions defaults. */
    systemNodes?: SystemNodeGroupOptions;
    /** Karpenter node pools. Default: the NodePoolsOptions defaults. */
    nodePools?: NodePoolsOptions;
    /** Tags added to every AWS resource. Default: none (the provider's default tags still apply). */
    tags?: Record<string, string>;
}

export interface AgentClusterArgs extends ClusterOptions {
    /** EKS cluster name; also the value of the `karpenter.sh/discovery` tag. Required. */
    clusterName: string;
    /** Id of the VPC (Karpenter may launch nodes only into its subnets and security groups). Required. */
    vpcId: pulumi.Input<string>;
    /** Private subnet ids (2–6, across AZs): control-plane ENIs and system nodes. Required. */
    privateSubnetIds: pulumi.Input<string[]>;
}

/** Defaults of AgentClusterArgs, in one place. */
export const CLUSTER_DEFAULTS = {
    kubernetesVersion: KUBERNETES_VERSION,
    endpointPublicAccess: true,
    publicAccessCidrs: ["0.0.0.0/0"],
    logRetentionDays: 90,
    systemNodes: { instanceTypes: ["m7i.large"], minSize: 2, desiredSize: 2, maxSize: 4, diskSizeGiB: 50 },
    cpu: {
        capacityTypes: [CapacityType.Spot, CapacityType.OnDemand] as string[],
        instanceCategories: ["c", "m", "r"], cpuLimit: 64, memoryLimitGiB: 256, consolidateAfter: "1m", diskSizeGiB: 80,
    },
    gpu: {
        enabled: true, instanceFamilies: ["g6", "g6e", "g5"], capacityTypes: [CapacityType.OnDemand] as string[],
        gpuLimit: 4, cpuLimit: 96, consolidateAfter: "10m", diskSizeGiB: 200,
    },
} as const;

/** AgentClusterArgs with every default applied. */
export interface ResolvedClusterSettings {
    clusterName: string;
    kubernetesVersion: string;
    endpointPublicAccess: boolean;
    publicAccessCidrs: string[];
    adminPrincipalArns: string[];
    logRetentionDays: number;
    systemNodes: Required<SystemNodeGroupOptions>;
    cpu: Required<CpuNodePoolOptions>;
    gpu: Required<GpuNodePoolOptions>;
}

/** Applies the defaults of AgentClusterArgs. */
export function resolveClusterSettings(args: AgentClusterArgs): ResolvedClusterSettings {
    const d = CLUSTER_DEFAULTS;
    const s = args.systemNodes ?? {};
    const cpu = args.nodePools?.cpu ?? {};
    const gpu = args.nodePools?.gpu ?? {};
    return {
        clusterName: args.clusterName,
        kubernetesVersion: args.kubernetesVersion ?? d.kubernetesVersion,
        endpointPublicAccess: args.endpointPublicAccess ?? d.endpointPublicAccess,
        publicAccessCidrs: args.publicAccessCidrs ?? [...d.publicAccessCidrs],
        adminPrincipalArns: args.adminPrincipalArns ?? [],
        logRetentionDays: args.logRetentionDays ?? d.logRetentionDays,
        systemNodes: {
            instanceTypes: s.instanceTypes ?? [...d.systemNodes.instanceTypes],
            minSize: s.minSize ?? d.systemNodes.minSize,
            desiredSize: s.desiredSize ?? Math.max(d.systemNodes.desiredSize, s.minSize ?? 0),
            maxSize: s.maxSize ?? Math.max(d.systemNodes.maxSize, s.minSize ?? 0, s.desiredSize ?? 0),
            diskSizeGiB: s.diskSizeGiB ?? d.systemNodes.diskSizeGiB,
        },
        cpu: {
            capacityTypes: cpu.capacityTypes ?? [...d.cpu.capacityTypes],
            instanceCategories: cpu.instanceCategories ?? [...d.cpu.instanceCategories],
            cpuLimit: cpu.cpuLimit ?? d.cpu.cpuLimit,
            memoryLimitGiB: cpu.memoryLimitGiB ?? d.cpu.memoryLimitGiB,
            consolidateAfter: cpu.consolidateAfter ?? d.cpu.consolidateAfter,
            diskSizeGiB: cpu.diskSizeGiB ?? d.cpu.diskSizeGiB,
        },
        gpu: {
            enabled: gpu.enabled ?? d.gpu.enabled,
            instanceFamilies: gpu.instanceFamilies ?? [...d.gpu.instanceFamilies],
            capacityTypes: gpu.capacityTypes ?? [...d.gpu.capacityTypes],
            gpuLimit: gpu.gpuLimit ?? d.gpu.gpuLimit,
            cpuLimit: gpu.cpuLimit ?? d.gpu.cpuLimit,
            consolidateAfter: gpu.consolidateAfter ?? d.gpu.consolidateAfter,
            diskSizeGiB: gpu.diskSizeGiB ?? d.gpu.diskSizeGiB,
        },
    };
}

// EKS allows 100 characters; 50 leaves room for the names derived from it (node group, interruption queue).
const CLUSTER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,49}$/;
/** Tag keys Karpenter and EKS set themselves and refuse on an EC2NodeClass. */
const RESERVED_TAG = /^(kubernetes\.io\/cluster\/|karpenter\.sh\/|karpenter\.k8s\.aws\/|eks:|aws:)/;
/** An IAM role or user ARN (admin principals of access entries). */
export const IAM_PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/;
/** An EC2 instance type such as `m7i.large`. */
export const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
/** An EC2 instance family such as `g6e`. */
export const INSTANCE_FAMILY = /^[a-z][a-z0-9-]*$/;
const DURATION = /^(\d+(s|m|h))+$/;

const validCidr = (cidr: string) => parseCidrNotation(cidr) !== undefined;

/** Validates AgentClusterArgs; throws `InputPropertiesError` naming each bad argument. */
export function validateClusterArgs(args: AgentClusterArgs): ResolvedClusterSettings {
    const r = resolveClusterSettings(args);
    const c = new ArgChecks("AgentCluster")
        .require(CLUSTER_NAME.test(args.clusterName ?? ""), "clusterName", args.clusterName, "1–50 letters, digits, '-' or '_', starting with a letter or digit")
        .require(Object.keys(args.tags ?? {}).every((k) => !RESERVED_TAG.test(k)), "tags", Object.keys(args.tags ?? {}),
            "keys outside the reserved prefixes kubernetes.io/cluster/, karpenter.sh/, karpenter.k8s.aws/, eks: and aws:")
        .oneOf("kubernetesVersion", args.kubernetesVersion, SUPPORTED_KUBERNETES_VERSIONS.filter((v) => v in EKS_ADDON_VERSIONS_BY_KUBERNETES))
        .integer("logRetentionDays", args.logRetentionDays, 1, 3653)
        .integer("systemNodes.minSize", r.systemNodes.minSize, 1, 100)
        .integer("systemNodes.maxSize", r.systemNodes.maxSize, 1, 100)
        .integer("systemNodes.diskSizeGiB", r.systemNodes.diskSizeGiB, 20, 16384)
        .require(r.systemNodes.minSize <= r.systemNodes.desiredSize && r.systemNodes.desiredSize <= r.systemNodes.maxSize,
            "systemNodes.desiredSize", r.systemNodes.desiredSize, `minSize (${r.systemNodes.minSize}) ≤ desiredSize ≤ maxSize (${r.systemNodes.maxSize})`)
        .require(r.systemNodes.instanceTypes.length > 0 && r.systemNodes.instanceTypes.every((t) => INSTANCE_TYPE.test(t)), "systemNodes.instanceTypes",
            r.systemNodes.instanceTypes, "one or more EC2 instance types such as \"m7i.large\"")
        .require(new Set(r.systemNodes.instanceTypes.map(architectureOf)).size === 1, "systemNodes.instanceTypes", r.systemNodes.instanceTypes,
            "instance types of one CPU architecture (all x86_64 or all Graviton)")
        .require(r.publicAccessCidrs.length > 0 && r.publicAccessCidrs.every(validCidr), "publicAccessCidrs", r.publicAccessCidrs, "one or more IPv4 CIDRs")
        .require(r.adminPrincipalArns.every((a) => IAM_PRINCIPAL_ARN.test(a)), "adminPrincipalArns", r.adminPrincipalArns, "IAM role or user ARNs")
        .require(r.cpu.capacityTypes.length > 0 && r.cpu.capacityTypes.every((t) => enumValues(CapacityType).includes(t as CapacityType)),
            "nodePools.cpu.capacityTypes", r.cpu.capacityTypes, `one or more of ${enumValues(CapacityType).join(", ")}`)
        .require(r.cpu.instanceCategories.length > 0 && r.cpu.instanceCategories.every((x) => /^[a-z]$/.test(x)), "nodePools.cpu.instanceCategories",
            r.cpu.instanceCategories, "one or more single-letter EC2 instance categories")
        .integer("nodePools.cpu.cpuLimit", r.cpu.cpuLimit, 2, 100000)
        .integer("nodePools.cpu.memoryLimitGiB", r.cpu.memoryLimitGiB, 4, 1000000)
        .integer("nodePools.cpu.diskSizeGiB", r.cpu.diskSizeGiB, 20, 16384)
        .require(DURATION.test(r.cpu.consolidateAfter), "nodePools.cpu.consolidateAfter", r.cpu.consolidateAfter, "a duration such as \"30s\", \"1m\" or \"1h\"")
        .require(r.gpu.capacityTypes.length > 0 && r.gpu.capacityTypes.every((t) => enumValues(CapacityType).includes(t as CapacityType)),
            "nodePools.gpu.capacityTypes", r.gpu.capacityTypes, `one or more of ${enumValues(CapacityType).join(", ")}`)
        .require(r.gpu.instanceFamilies.length > 0 && r.gpu.instanceFamilies.every((f) => INSTANCE_FAMILY.test(f)), "nodePools.gpu.instanceFamilies",
            r.gpu.instanceFamilies, "one or more EC2 instance families such as \"g6\"")
        .integer("nodePools.gpu.gpuLimit", r.gpu.gpuLimit, 1, 10000)
        .integer("nodePools.gpu.cpuLimit", r.gpu.cpuLimit, 4, 100000)
        .integer("nodePools.gpu.diskSizeGiB", r.gpu.diskSizeGiB, 50, 16384)
        .require(DURATION.test(r.gpu.consolidateAfter), "nodePools.gpu.consolidateAfter", r.gpu.consolidateAfter, "a duration such as \"5m\" or \"1h\"");
    c.throwIfInvalid();
    return r;
}

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

/** Labels and taints of the system managed node group (see placement.ts). */
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

/** The EKS add-ons of every cluster (versions in versions.ts). */
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

/** The pinned version of an add-on for a Kubernetes minor version (versions.ts). */
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
