import { CapacityType } from "../shared/constants";
import { duration, input, int, ipv4Cidr, logRetentionDays, matching, oneOf, tags, z } from "../shared/schema";
import { EKS_ADDON_VERSIONS_BY_KUBERNETES, KUBERNETES_VERSION, SUPPORTED_KUBERNETES_VERSIONS } from "../shared/versions";
import { architectureOf } from "./spec";

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

/** Kubernetes versions this release pins add-ons for. */
export const KUBERNETES_VERSIONS = SUPPORTED_KUBERNETES_VERSIONS.filter((v) => v in EKS_ADDON_VERSIONS_BY_KUBERNETES);

const capacityTypes = z.array(oneOf(CapacityType)).min(1).max(2);
const ipv4CidrBlock = ipv4Cidr('an IPv4 CIDR such as "203.0.113.0/24"');

const instanceTypes = z.array(matching(INSTANCE_TYPE, 'an EC2 instance type such as "m7i.large"')).min(1).max(10)
    .refine((types) => new Set(types.map(architectureOf)).size === 1, { message: "instance types of one CPU architecture (all x86_64 or all Graviton)" });

/** SystemNodeGroupOptions; desiredSize and maxSize default to at least minSize. */
export const systemNodesSchema = z.strictObject({
    instanceTypes: instanceTypes.default(["m7i.large"]).describe("Instance types of the system managed node group (one CPU architecture)"),
    minSize: int(1, 100).default(2).describe("Minimum system nodes"),
    desiredSize: int(1, 100).optional().meta({ description: "Desired system nodes (read at creation; the group keeps its size afterwards)", defaultText: "2, or minSize when larger" }),
    maxSize: int(1, 100).optional().meta({ description: "Maximum system nodes", defaultText: "4, or desiredSize when larger" }),
    diskSizeGiB: int(20, 16384).default(50).describe("Encrypted gp3 root volume of each system node, GiB"),
}).transform((s) => {
    const desiredSize = s.desiredSize ?? Math.max(2, s.minSize);
    return { ...s, desiredSize, maxSize: s.maxSize ?? Math.max(4, desiredSize) };
}).superRefine((s, ctx) => {
    if (s.minSize > s.desiredSize || s.desiredSize > s.maxSize) {
        ctx.addIssue({ code: "custom", path: ["desiredSize"], message: `minSize (${s.minSize}) ≤ desiredSize ≤ maxSize (${s.maxSize})` });
    }
});

/** CpuNodePoolOptions. */
export const cpuNodePoolSchema = z.strictObject({
    capacityTypes: capacityTypes.default([CapacityType.Spot, CapacityType.OnDemand]).describe("Purchase options for CPU nodes"),
    instanceCategories: z.array(matching(/^[a-z]$/, "a single-letter EC2 instance category")).min(1).max(10).default(["c", "m", "r"]).describe("EC2 instance categories for CPU nodes"),
    cpuLimit: int(2, 100000).default(64).describe("Total vCPUs the CPU pool may run"),
    memoryLimitGiB: int(4, 1000000).default(256).describe("Total memory the CPU pool may run, GiB"),
    consolidateAfter: duration.default("1m").describe("How long a node must be underused before Karpenter consolidates it"),
    diskSizeGiB: int(20, 16384).default(80).describe("Encrypted gp3 root volume of each CPU node, GiB"),
});

/** GpuNodePoolOptions. */
export const gpuNodePoolSchema = z.strictObject({
    enabled: z.boolean().default(true).describe("Create the GPU node pool and the NVIDIA device plugin (the pool scales to zero when no pod asks for a GPU)"),
    instanceFamilies: z.array(matching(INSTANCE_FAMILY, 'an EC2 instance family such as "g6"')).min(1).max(10).default(["g6", "g6e", "g5"]).describe("GPU instance families"),
    capacityTypes: capacityTypes.default([CapacityType.OnDemand]).describe("Purchase options for GPU nodes"),
    gpuLimit: int(1, 10000).default(4).describe("Total GPUs the GPU pool may run"),
    cpuLimit: int(4, 100000).default(96).describe("Total vCPUs the GPU pool may run"),
    consolidateAfter: duration.default("10m").describe("How long an empty GPU node lives before it is removed"),
    diskSizeGiB: int(50, 16384).default(200).describe("Root volume of GPU nodes, GiB (CUDA and model-server images are large)"),
});

/** NodePoolsOptions. */
export const nodePoolsSchema = z.strictObject({
    cpu: cpuNodePoolSchema.prefault({}).describe("General-purpose CPU node pool"),
    gpu: gpuNodePoolSchema.prefault({}).describe("GPU node pool (NVIDIA)"),
});

/** ClusterOptions: what a stack or AgentPlatform sets. */
export const clusterOptionsSchema = z.strictObject({
    kubernetesVersion: z.enum(KUBERNETES_VERSIONS).default(KUBERNETES_VERSION).describe("Kubernetes minor version of the control plane and nodes"),
    endpointPublicAccess: z.boolean().default(true).describe("Expose the API server endpoint publicly (the private endpoint is always on)"),
    publicAccessCidrs: z.array(ipv4CidrBlock).min(1).max(40).default(["0.0.0.0/0"]).describe("CIDRs allowed to reach the public API endpoint"),
    adminPrincipalArns: z.array(matching(IAM_PRINCIPAL_ARN, "an IAM role or user ARN (arn:aws:iam::<account>:role/<name>)")).max(20).default([])
        .describe("IAM roles/users granted cluster-admin through access entries"),
    logRetentionDays: logRetentionDays.default(90).describe("Retention of control-plane logs, days"),
    systemNodes: systemNodesSchema.prefault({}).describe("System node group (controllers, DNS); on-demand, tainted for system pods"),
    nodePools: nodePoolsSchema.prefault({}).describe("Karpenter node pools"),
    tags: tags.refine((t) => Object.keys(t).every((k) => !RESERVED_TAG.test(k)))
        .meta({ allowed: "keys outside the reserved prefixes kubernetes.io/cluster/, karpenter.sh/, karpenter.k8s.aws/, eks: and aws:" })
        .optional().describe("Tags added to every AWS resource"),
});

/** AgentClusterArgs. */
export const clusterArgsSchema = clusterOptionsSchema.extend({
    clusterName: matching(CLUSTER_NAME, "1–50 letters, digits, '-' or '_', starting with a letter or digit"),
    vpcId: input<string>(),
    privateSubnetIds: input<string[]>(),
});

/** AgentClusterArgs with every default applied. */
export type ResolvedClusterSettings = z.output<typeof clusterArgsSchema>;
