import { clusterOptionsSchema, nodePoolsSchema } from "../../components/cluster/args";
import { checkZones, existingVpcFields, networkOptionsSchema } from "../../components/network/args";
import { z } from "../../components/shared/schema";

const network = networkOptionsSchema.shape;

/** `network`: the VPC the cluster runs in (AgentNetwork's options; `azCount` is its availabilityZoneCount). */
export const networkSection = z.strictObject({
    vpcCidr: network.vpcCidr,
    azCount: network.availabilityZoneCount,
    availabilityZones: network.availabilityZones,
    natGateways: network.natGateways,
    flowLogRetentionDays: network.flowLogRetentionDays,
    interfaceEndpoints: network.interfaceEndpoints,
    existingVpc: z.strictObject(existingVpcFields).optional().describe(network.existingVpc.description ?? ""),
}).superRefine((n, ctx) => checkZones({ availabilityZoneCount: n.azCount, availabilityZones: n.availabilityZones }, ctx)).prefault({});

/** `cluster`: the EKS control plane and its system node group (AgentCluster's options but node pools and tags). */
export const clusterSection = clusterOptionsSchema.omit({ nodePools: true, tags: true }).prefault({});

/** `nodePools`: Karpenter capacity for workloads (AgentCluster's `nodePools`). */
export const nodePoolsSection = nodePoolsSchema.prefault({});
