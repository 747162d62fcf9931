import * as pulumi from "@pulumi/pulumi";
import { AgentNetwork, NetworkOptions } from "./network";
import { ArgChecks } from "./validation";

export interface AgentPlatformArgs {
    /** Environment name (dev, staging, prod, ...): resource names, tags and `deployment.environment`. Required. */
    environment: string;
    /** EKS cluster name. Default: `agents-<environment>`. */
    clusterName?: string;
    /** The VPC. Default: a new 10.0.0.0/16 VPC over 2 AZs with one NAT gateway. */
    network?: NetworkOptions;
}

/** Default cluster name of an environment. */
export function defaultClusterName(environment: string): string {
    return `agents-${environment}`;
}

/**
 * The whole platform for one environment, composed from the typed configuration: network → cluster →
 * secrets → context store and queues → tracing → images → workloads.
 */
export class AgentPlatform extends pulumi.ComponentResource {
    /** EKS cluster name. */
    public readonly clusterName: pulumi.Output<string>;
    /** Id of the VPC. */
    public readonly vpcId: pulumi.Output<string>;
    /** Private subnet ids (nodes, pods, caches). */
    public readonly privateSubnetIds: pulumi.Output<string[]>;
    /** Public subnet ids (load balancers, NAT). */
    public readonly publicSubnetIds: pulumi.Output<string[]>;

    constructor(name: string, args: AgentPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("agent-platform:index:AgentPlatform", name, {}, opts);
        new ArgChecks("AgentPlatform")
            .require(/^[a-z][a-z0-9-]{0,20}$/.test(args.environment ?? ""), "environment", args.environment, "a lower-case name of 1–21 characters")
            .throwIfInvalid();
        const clusterName = args.clusterName ?? defaultClusterName(args.environment);
        const tags = { "agent-platform:environment": args.environment, ...args.network?.tags };

        const network = new AgentNetwork(`${name}-network`, { ...args.network, tags, clusterName }, { parent: this });

        this.clusterName = pulumi.output(clusterName);
        this.vpcId = network.vpcId;
        this.privateSubnetIds = network.privateSubnetIds;
        this.publicSubnetIds = network.publicSubnetIds;
        this.registerOutputs({ clusterName: this.clusterName, vpcId: this.vpcId, privateSubnetIds: this.privateSubnetIds, publicSubnetIds: this.publicSubnetIds });
    }
}
