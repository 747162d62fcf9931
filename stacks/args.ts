import { AgentPlatformArgs } from "../components/platform";
import { PlatformConfig } from "./config";

/**
 * Maps the validated stack configuration onto AgentPlatform's arguments. Pure: the program is this
 * function plus `new AgentPlatform(...)`.
 */
export function platformArgsFromConfig(config: PlatformConfig): AgentPlatformArgs {
    const n = config.network;
    return {
        environment: config.environment,
        network: {
            vpcCidr: n.vpcCidr,
            availabilityZoneCount: n.azCount,
            natGateways: n.natGateways,
            flowLogRetentionDays: n.flowLogRetentionDays,
            interfaceEndpoints: n.interfaceEndpoints,
            existingVpc: n.existingVpc,
        },
    };
}
