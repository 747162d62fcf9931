import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { planSubnets, subnetPlanProblem } from "../shared/cidr";
import { enumValues, NatGatewayStrategy } from "../shared/constants";
import {
    endpointServiceName, flowLogDeliveryPolicy, flowLogTrustPolicy, INTERFACE_ENDPOINT_SERVICES, SubnetTier, subnetDiscoveryTagList, subnetDiscoveryTags,
} from "./spec";
import { ArgChecks } from "../shared/validation";

/** An existing VPC to use instead of creating one. */
export interface ExistingVpcArgs {
    /** Id of the VPC. Required. */
    vpcId: pulumi.Input<string>;
    /** CIDR of the VPC, admitted on 443 by the endpoint security group. Required. */
    vpcCidr: pulumi.Input<string>;
    /** Public subnet ids (2–6, spread over AZs). Required. */
    publicSubnetIds: pulumi.Input<string>[];
    /** Private subnet ids (2–6, spread over AZs); nodes and pods run here. Required. */
    privateSubnetIds: pulumi.Input<string>[];
    /** Route tables of the private subnets, for the S3 gateway endpoint. Default: none (no gateway endpoint). */
    privateRouteTableIds?: pulumi.Input<string>[];
}

/** Network settings that do not depend on the cluster (what AgentPlatform takes). */
export interface NetworkOptions {
    /** IPv4 CIDR of the new VPC, /16 to /22. Default: "10.0.0.0/16". Ignored with `existingVpc`. */
    vpcCidr?: string;
    /** Availability zones to use, 2 or 3. Default: 2. Ignored with `existingVpc`. */
    availabilityZoneCount?: number;
    /** Zone names to use, in order (at least `availabilityZoneCount`), pinned so the layout never shifts. Default: the region's first available zones that support EKS. */
    availabilityZones?: string[];
    /** NAT layout: "single" or "perAz" (NatGatewayStrategy). Default: "single". Ignored with `existingVpc`. */
    natGateways?: string;
    /** Retention of VPC flow logs, days. Default: 30. */
    flowLogRetentionDays?: number;
    /** Create interface endpoints for ECR, STS, SQS, Secrets Manager and CloudWatch Logs. Default: true (false with `existingVpc`). */
    interfaceEndpoints?: boolean;
    /** Use this VPC and its subnets instead of creating them; their subnets get the discovery tags. Default: create a VPC. */
    existingVpc?: ExistingVpcArgs;
    /** Tags added to every resource. Default: none (the provider's default tags still apply). */
    tags?: Record<string, string>;
}

export interface AgentNetworkArgs extends NetworkOptions {
    /** EKS cluster name the subnets are tagged for (`kubernetes.io/cluster/<name>`, `karpenter.sh/discovery`). Required. */
    clusterName: pulumi.Input<string>;
}

/**
 * Zone ids where EKS cannot place a control plane (cluster creation fails with
 * UnsupportedAvailabilityZoneException): never picked by default. Zone *names* map to ids differently in
 * every account, which is why the exclusion is by id.
 */
export const EKS_UNSUPPORTED_ZONE_IDS = ["use1-az3", "usw1-az2", "cac1-az3"] as const;

/** Defaults of AgentNetworkArgs, in one place. */
export const NETWORK_DEFAULTS = {
    vpcCidr: "10.0.0.0/16",
    availabilityZoneCount: 2,
    natGateways: NatGatewayStrategy.Single,
    flowLogRetentionDays: 30,
} as const;

/** Validates AgentNetworkArgs; throws `InputPropertiesError` naming each bad argument. */
export function validateNetworkArgs(args: AgentNetworkArgs): void {
    const checks = new ArgChecks("AgentNetwork")
        .integer("availabilityZoneCount", args.availabilityZoneCount, 2, 3)
        .oneOf("natGateways", args.natGateways, enumValues(NatGatewayStrategy))
        .integer("flowLogRetentionDays", args.flowLogRetentionDays, 1, 3653);
    if (args.availabilityZones !== undefined) {
        const needed = args.availabilityZoneCount ?? NETWORK_DEFAULTS.availabilityZoneCount;
        const distinct = new Set(args.availabilityZones).size === args.availabilityZones.length;
        checks.require(args.availabilityZones.length >= needed && distinct && args.availabilityZones.every((z) => /^[a-z]{2}(-[a-z]+)+-\d[a-z]$/.test(z)),
            "availabilityZones", args.availabilityZones, `at least ${needed} distinct zone names such as "us-east-1a"`);
    }
    if (!args.existingVpc) {
        const cidr = args.vpcCidr ?? NETWORK_DEFAULTS.vpcCidr;
        // The plan always reserves room for 3 AZs, so the CIDR check does not depend on the AZ count.
        const problem = subnetPlanProblem(cidr, 3);
        if (problem) checks.fail("vpcCidr", cidr, problem);
    } else {
        const { publicSubnetIds, privateSubnetIds } = args.existingVpc;
        checks.require(publicSubnetIds.length >= 2 && publicSubnetIds.length <= 6, "existingVpc.publicSubnetIds", publicSubnetIds.length, "2 to 6 subnets");
        checks.require(privateSubnetIds.length >= 2 && privateSubnetIds.length <= 6, "existingVpc.privateSubnetIds", privateSubnetIds.length, "2 to 6 subnets");
    }
    checks.throwIfInvalid();
}

/**
 * The VPC of the platform: public and private subnets over 2–3 AZs, internet gateway, NAT (one, or
 * one per AZ), flow logs, an S3 gateway endpoint and interface endpoints that keep AWS API traffic off
 * the NAT, and the subnet tags load balancers and Karpenter discover. Or an existing VPC, tagged.
 */
export class AgentNetwork extends pulumi.ComponentResource {
    /** Id of the VPC. */
    public readonly vpcId: pulumi.Output<string>;
    /** CIDR of the VPC. */
    public readonly vpcCidr: pulumi.Output<string>;
    /** Public subnet ids, one per AZ. */
    public readonly publicSubnetIds: pulumi.Output<string[]>;
    /** Private subnet ids, one per AZ (nodes, pods, endpoints, caches). */
    public readonly privateSubnetIds: pulumi.Output<string[]>;
    /** Security group of the interface endpoints (undefined output when none are created). */
    public readonly endpointSecurityGroupId: pulumi.Output<string | undefined>;

    constructor(name: string, args: AgentNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("agent-platform:index:AgentNetwork", name, {}, opts);
        validateNetworkArgs(args);
        const parent = { parent: this };
        const tags = (extra: Record<string, pulumi.Input<string>> = {}) => ({ ...args.tags, ...extra });
        const clusterName = pulumi.output(args.clusterName);

        const layout = args.existingVpc ? this.tagExisting(name, args.existingVpc, clusterName) : this.createVpc(name, args, clusterName, tags);
        this.vpcId = layout.vpcId;
        this.vpcCidr = layout.vpcCidr;
        this.publicSubnetIds = pulumi.output(layout.publicSubnetIds);
        this.privateSubnetIds = pulumi.output(layout.privateSubnetIds);

        this.createFlowLogs(name, args, tags);

        const region = aws.getRegionOutput({}, parent).region;
        const endpointsWanted = args.interfaceEndpoints ?? !args.existingVpc;
        if (layout.privateRouteTableIds.length > 0) {
            new aws.ec2.VpcEndpoint(`${name}-s3`, {
                vpcId: this.vpcId,
                serviceName: region.apply((r) => endpointServiceName(r, "s3")),
                vpcEndpointType: "Gateway",
                routeTableIds: layout.privateRouteTableIds,
                tags: tags({ Name: `${name}-s3` }),
            }, parent);
        }
        let endpointSg: aws.ec2.SecurityGroup | undefined;
        if (endpointsWanted) {
            endpointSg = new aws.ec2.SecurityGroup(`${name}-endpoints`, {
                vpcId: this.vpcId,
                description: "HTTPS from the VPC to AWS interface endpoints",
                ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [this.vpcCidr], description: "HTTPS from the VPC" }],
                tags: tags({ Name: `${name}-endpoints` }),
            }, parent);
            for (const service of INTERFACE_ENDPOINT_SERVICES) {
                new aws.ec2.VpcEndpoint(`${name}-${service.replace(".", "-")}`, {
                    vpcId: this.vpcId,
                    serviceName: region.apply((r) => endpointServiceName(r, service)),
                    vpcEndpointType: "Interface",
                    privateDnsEnabled: true,
                    subnetIds: this.privateSubnetIds,
                    securityGroupIds: [endpointSg.id],
                    tags: tags({ Name: `${name}-${service}` }),
                }, parent);
            }
        }
        this.endpointSecurityGroupId = endpointSg ? endpointSg.id : pulumi.output(undefined);

        this.registerOutputs({
            vpcId: this.vpcId, vpcCidr: this.vpcCidr, publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds, endpointSecurityGroupId: this.endpointSecurityGroupId,
        });
    }

    private createVpc(name: string, args: AgentNetworkArgs, clusterName: pulumi.Output<string>, tags: (extra?: Record<string, pulumi.Input<string>>) => Record<string, pulumi.Input<string>>) {
        const parent = { parent: this };
        const cidr = args.vpcCidr ?? NETWORK_DEFAULTS.vpcCidr;
        const azCount = args.availabilityZoneCount ?? NETWORK_DEFAULTS.availabilityZoneCount;
        const plan = planSubnets(cidr, azCount);
        const zones = args.availabilityZones ? pulumi.output(args.availabilityZones) : aws.getAvailabilityZonesOutput({
            state: "available",
            excludeZoneIds: [...EKS_UNSUPPORTED_ZONE_IDS],
            filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
        }, parent).names;

        const vpc = new aws.ec2.Vpc(`${name}-vpc`, {
            cidrBlock: cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: tags({ Name: `${name}-vpc` }),
        }, parent);
        const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: tags({ Name: `${name}-igw` }) }, parent);
        const subnet = (tier: SubnetTier, i: number, cidrBlock: string) => new aws.ec2.Subnet(`${name}-${tier}-${i}`, {
            vpcId: vpc.id,
            cidrBlock,
            availabilityZone: zones.apply((z) => z[i]),
            mapPublicIpOnLaunch: false,
            tags: clusterName.apply((c) => tags({ Name: `${name}-${tier}-${i}`, ...subnetDiscoveryTags(tier, c) })),
        }, parent);
        const publicSubnets = plan.public.map((c, i) => subnet(SubnetTier.Public, i, c));
        const privateSubnets = plan.private.map((c, i) => subnet(SubnetTier.Private, i, c));

        const publicRoutes = new aws.ec2.RouteTable(`${name}-public`, {
            vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }], tags: tags({ Name: `${name}-public` }),
        }, parent);
        publicSubnets.forEach((s, i) => new aws.ec2.RouteTableAssociation(`${name}-public-${i}`, { subnetId: s.id, routeTableId: publicRoutes.id }, parent));

        const natCount = (args.natGateways ?? NETWORK_DEFAULTS.natGateways) === NatGatewayStrategy.PerAz ? azCount : 1;
        const nats = Array.from({ length: natCount }, (_, i) => {
            const eip = new aws.ec2.Eip(`${name}-nat-${i}`, { domain: "vpc", tags: tags({ Name: `${name}-nat-${i}` }) }, parent);
            return new aws.ec2.NatGateway(`${name}-nat-${i}`, {
                allocationId: eip.id, subnetId: publicSubnets[i].id, connectivityType: "public", tags: tags({ Name: `${name}-nat-${i}` }),
            }, { parent: this, dependsOn: [igw] });
        });
        const privateRoutes = privateSubnets.map((s, i) => {
            const table = new aws.ec2.RouteTable(`${name}-private-${i}`, {
                vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nats[i % natCount].id }], tags: tags({ Name: `${name}-private-${i}` }),
            }, parent);
            new aws.ec2.RouteTableAssociation(`${name}-private-${i}`, { subnetId: s.id, routeTableId: table.id }, parent);
            return table;
        });
        return {
            vpcId: vpc.id,
            vpcCidr: vpc.cidrBlock,
            publicSubnetIds: publicSubnets.map((s) => s.id),
            privateSubnetIds: privateSubnets.map((s) => s.id),
            privateRouteTableIds: privateRoutes.map((t) => t.id),
        };
    }

    private tagExisting(name: string, existing: ExistingVpcArgs, clusterName: pulumi.Output<string>) {
        const tagTier = (tier: SubnetTier, ids: pulumi.Input<string>[]) => ids.forEach((id, i) => {
            subnetDiscoveryTagList(tier, "").forEach(({ slug }, j) => {
                const tag = clusterName.apply((c) => subnetDiscoveryTagList(tier, c)[j]);
                new aws.ec2.Tag(`${name}-${tier}-${i}-${slug}`, { resourceId: id, key: tag.key, value: tag.value }, { parent: this });
            });
        });
        tagTier(SubnetTier.Public, existing.publicSubnetIds);
        tagTier(SubnetTier.Private, existing.privateSubnetIds);
        return {
            vpcId: pulumi.output(existing.vpcId),
            vpcCidr: pulumi.output(existing.vpcCidr),
            publicSubnetIds: existing.publicSubnetIds,
            privateSubnetIds: existing.privateSubnetIds,
            privateRouteTableIds: existing.privateRouteTableIds ?? [],
        };
    }

    private createFlowLogs(name: string, args: AgentNetworkArgs, tags: (extra?: Record<string, pulumi.Input<string>>) => Record<string, pulumi.Input<string>>) {
        const parent = { parent: this };
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-flow-logs`, {
            retentionInDays: args.flowLogRetentionDays ?? NETWORK_DEFAULTS.flowLogRetentionDays, tags: tags(),
        }, parent);
        const identity = aws.getCallerIdentityOutput({}, parent);
        const partition = aws.getPartitionOutput({}, parent);
        const region = aws.getRegionOutput({}, parent);
        const role = new aws.iam.Role(`${name}-flow-logs`, {
            assumeRolePolicy: pulumi.jsonStringify(pulumi.all([identity.accountId, partition.partition, region.region])
                .apply(([account, p, r]) => flowLogTrustPolicy(account, p, r))),
            tags: tags(),
        }, parent);
        new aws.iam.RolePolicy(`${name}-flow-logs`, {
            role: role.id, policy: pulumi.jsonStringify(logGroup.arn.apply(flowLogDeliveryPolicy)),
        }, parent);
        new aws.ec2.FlowLog(`${name}-flow-logs`, {
            vpcId: this.vpcId, trafficType: "ALL", logDestinationType: "cloud-watch-logs", logDestination: logGroup.arn,
            iamRoleArn: role.arn, maxAggregationInterval: 60, tags: tags(),
        }, parent);
    }
}
