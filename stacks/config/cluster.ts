import { IAM_PRINCIPAL_ARN, INSTANCE_FAMILY, INSTANCE_TYPE } from "../../components/cluster/spec";
import { CapacityType, enumValues } from "../../components/shared/constants";
import { KUBERNETES_VERSION, SUPPORTED_KUBERNETES_VERSIONS } from "../../components/shared/versions";
import { boolean, DURATION, integer, object, oneOf, string, stringList } from "./schema";

const IPV4_CIDR = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/;

/** `cluster`: the EKS control plane and its system node group. */
export const clusterSchema = object({
    kubernetesVersion: oneOf(SUPPORTED_KUBERNETES_VERSIONS, { doc: "Kubernetes minor version of the control plane and nodes", default: KUBERNETES_VERSION }),
    endpointPublicAccess: boolean({ doc: "Expose the API server endpoint publicly (the private endpoint is always on)", default: true }),
    publicAccessCidrs: stringList({ doc: "CIDRs allowed to reach the public API endpoint", default: ["0.0.0.0/0"], pattern: IPV4_CIDR, minItems: 1, maxItems: 40 }),
    adminPrincipalArns: stringList({ doc: "IAM roles/users granted cluster-admin through access entries", default: [], pattern: IAM_PRINCIPAL_ARN, maxItems: 20 }),
    logRetentionDays: integer({ doc: "Retention of control-plane logs, in days", default: 90, min: 1, max: 3653 }),
    systemNodes: object({
        instanceTypes: stringList({ doc: "Instance types of the system managed node group", default: ["m7i.large"], pattern: INSTANCE_TYPE, minItems: 1, maxItems: 10 }),
        minSize: integer({ doc: "Minimum system nodes", default: 2, min: 1, max: 20 }),
        desiredSize: integer({ doc: "Desired system nodes", default: 2, min: 1, max: 20 }),
        maxSize: integer({ doc: "Maximum system nodes", default: 4, min: 1, max: 20 }),
        diskSizeGiB: integer({ doc: "Encrypted gp3 root volume of each system node, GiB", default: 50, min: 20, max: 1000 }),
    }, "System node group (controllers, DNS); on-demand, tainted for system pods"),
}, "The EKS cluster");

/** `nodePools`: Karpenter capacity for workloads. */
export const nodePoolsSchema = object({
    cpu: object({
        capacityTypes: stringList({ doc: "Purchase options for CPU nodes", default: [CapacityType.Spot, CapacityType.OnDemand], values: enumValues(CapacityType), minItems: 1, maxItems: 2 }),
        instanceCategories: stringList({ doc: "EC2 instance categories for CPU nodes", default: ["c", "m", "r"], pattern: /^[a-z]$/, minItems: 1, maxItems: 10 }),
        cpuLimit: integer({ doc: "Total vCPUs the CPU pool may run", default: 64, min: 2, max: 10000 }),
        memoryLimitGiB: integer({ doc: "Total memory the CPU pool may run, GiB", default: 256, min: 4, max: 100000 }),
        consolidateAfter: string({ doc: "How long a node must be underused before Karpenter consolidates it", default: "1m", pattern: DURATION }),
    }, "General-purpose CPU node pool"),
    gpu: object({
        enabled: boolean({ doc: "Create the GPU node pool (scales to zero when no pod asks for a GPU)", default: true }),
        instanceFamilies: stringList({ doc: "GPU instance families", default: ["g6", "g6e", "g5"], pattern: INSTANCE_FAMILY, minItems: 1, maxItems: 10 }),
        capacityTypes: stringList({ doc: "Purchase options for GPU nodes", default: [CapacityType.OnDemand], values: enumValues(CapacityType), minItems: 1, maxItems: 2 }),
        gpuLimit: integer({ doc: "Total GPUs the GPU pool may run", default: 4, min: 1, max: 1000 }),
        cpuLimit: integer({ doc: "Total vCPUs the GPU pool may run", default: 96, min: 4, max: 10000 }),
        consolidateAfter: string({ doc: "How long an empty GPU node lives before it is removed", default: "10m", pattern: DURATION }),
        diskSizeGiB: integer({ doc: "Root volume of GPU nodes, GiB (model server images are large)", default: 200, min: 50, max: 2000 }),
    }, "GPU node pool (NVIDIA)"),
}, "Karpenter node pools");
