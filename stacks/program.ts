import { AgentPlatform } from "../components/platform";
import { platformArgsFromConfig } from "./args";
import { loadPlatformConfig } from "./config";

/**
 * The Pulumi program: validate the stack configuration (before any resource exists), build the
 * platform, return the stack outputs an operator needs.
 */
export function definePlatform() {
    const config = loadPlatformConfig();
    const platform = new AgentPlatform("platform", platformArgsFromConfig(config));
    return {
        environment: config.environment,
        clusterName: platform.clusterName,
        vpcId: platform.vpcId,
        privateSubnetIds: platform.privateSubnetIds,
        publicSubnetIds: platform.publicSubnetIds,
    };
}
