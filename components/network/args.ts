import { subnetPlanProblem } from "../shared/cidr";
import { NatGatewayStrategy } from "../shared/constants";
import { type AnySchema, input, int, ipv4Cidr, logRetentionDays, matching, oneOf, orOutput, tags, z } from "../shared/schema";

/** An availability zone name such as `us-east-1a`. */
export const ZONE_NAME = /^[a-z]{2}(-[a-z]+)+-\d[a-z]$/;

/** An AWS resource id such as `vpc-0123456789abcdef0`. */
function awsId(prefix: string) {
    return matching(new RegExp(`^${prefix}-[0-9a-f]{8,17}$`), `an id such as ${prefix}-0123456789abcdef0`);
}

const ipv4CidrBlock = ipv4Cidr("an IPv4 CIDR");

/** The subnet ids of one tier of an existing VPC, 2 to 6 of them, each an `id`. */
const subnetIds = <T extends AnySchema>(id: T) => z.array(id).min(2).max(6);

/** The existing VPC as a stack configures it: plain ids. */
export const existingVpcFields = {
    vpcId: awsId("vpc").describe("Id of an existing VPC to use instead of creating one"),
    vpcCidr: ipv4CidrBlock.describe("CIDR of the existing VPC (admitted by the endpoint security group)"),
    publicSubnetIds: subnetIds(awsId("subnet")).describe("Public subnet ids of the existing VPC"),
    privateSubnetIds: subnetIds(awsId("subnet")).describe("Private subnet ids of the existing VPC"),
    privateRouteTableIds: z.array(awsId("rtb")).default([]).describe("Route tables of the private subnets (for the S3 gateway endpoint); empty: no gateway endpoint"),
};

/** ExistingVpcArgs: the same fields, each also taking an Output. */
export const existingVpcSchema = z.strictObject({
    vpcId: orOutput(existingVpcFields.vpcId),
    vpcCidr: orOutput(existingVpcFields.vpcCidr),
    publicSubnetIds: subnetIds(orOutput(awsId("subnet"))),
    privateSubnetIds: subnetIds(orOutput(awsId("subnet"))),
    privateRouteTableIds: z.array(orOutput(awsId("rtb"))).default([]),
});

/** The VPC CIDR must leave room for the subnet plan (which always reserves room for 3 AZs). */
export const vpcCidr = z.string().superRefine((cidr, ctx) => {
    const problem = subnetPlanProblem(cidr, 3);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/** NetworkOptions: what a stack or AgentPlatform sets. */
export const networkOptionsSchema = z.strictObject({
    vpcCidr: vpcCidr.default("10.0.0.0/16").describe("IPv4 CIDR of the VPC; private subnets take a quarter each, public subnets share the last quarter"),
    availabilityZoneCount: int(2, 3).default(2).describe("Availability zones to spread subnets (and nodes) over"),
    availabilityZones: z.array(matching(ZONE_NAME, 'a zone name such as "us-east-1a"')).min(2).max(6).optional()
        .describe("Zone names to use, in order (at least the zone count), pinning the layout; default: the first available zones that support EKS"),
    natGateways: oneOf(NatGatewayStrategy).default(NatGatewayStrategy.Single).describe("`single` NAT gateway (cheap) or one `perAz` (an AZ outage does not cut egress)"),
    flowLogRetentionDays: logRetentionDays.default(30).describe("Retention of VPC flow logs in CloudWatch Logs, days"),
    interfaceEndpoints: z.boolean().optional().meta({ defaultText: "true (false with `existingVpc`)" })
        .describe("Create interface endpoints (ECR, STS, SQS, Secrets Manager, CloudWatch Logs) so that traffic to AWS APIs skips the NAT; default: true for a new VPC, false for an existing one"),
    existingVpc: existingVpcSchema.optional().describe("Use an existing VPC and subnets instead of creating them (discovery tags are added to the subnets)"),
    tags: tags.optional().describe("Tags added to every resource"),
});

/** Zone names must be distinct and at least as many as the zone count. */
export function checkZones(n: { availabilityZoneCount: number; availabilityZones?: string[] }, ctx: z.RefinementCtx): void {
    const zones = n.availabilityZones;
    if (zones && (zones.length < n.availabilityZoneCount || new Set(zones).size !== zones.length)) {
        ctx.addIssue({ code: "custom", path: ["availabilityZones"], message: `at least ${n.availabilityZoneCount} distinct zone names such as "us-east-1a"` });
    }
}

/** AgentNetworkArgs. */
export const networkArgsSchema = networkOptionsSchema.extend({
    clusterName: input<string>(),
}).superRefine(checkZones);
