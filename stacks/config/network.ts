import { parseCidrNotation, subnetPlanProblem } from "../../components/shared/cidr";
import { enumValues, NatGatewayStrategy } from "../../components/shared/constants";
import { boolean, integer, object, oneOf, optional, string, stringList } from "./schema";

const AWS_ID = (prefix: string) => new RegExp(`^${prefix}-[0-9a-f]{8,17}$`);

/** `network`: the VPC the cluster runs in. */
export const networkSchema = object({
    vpcCidr: string({
        doc: "IPv4 CIDR of the VPC; private subnets take a quarter each, public subnets share the last quarter",
        default: "10.0.0.0/16",
        allowed: "an IPv4 CIDR from /16 to /22 with a zero host part",
        check: (s) => subnetPlanProblem(s, 2) === undefined,
    }),
    azCount: integer({ doc: "Availability zones to spread subnets (and nodes) over", default: 2, min: 2, max: 3 }),
    availabilityZones: optional(stringList({
        doc: "Zone names to use, in order (at least azCount); pins the layout. Default: the first available zones that support EKS",
        pattern: /^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, minItems: 2, maxItems: 6,
    })),
    natGateways: oneOf(enumValues(NatGatewayStrategy), {
        doc: "`single` NAT gateway (cheap) or one `perAz` (an AZ outage does not cut egress)",
        default: NatGatewayStrategy.Single,
    }),
    flowLogRetentionDays: integer({ doc: "Retention of VPC flow logs in CloudWatch Logs, in days", default: 30, min: 1, max: 3653 }),
    interfaceEndpoints: boolean({
        doc: "Create interface endpoints (ECR, STS, SQS, Secrets Manager, CloudWatch Logs) so that traffic to AWS APIs skips the NAT",
        default: true,
    }),
    existingVpc: optional(object({
        vpcId: string({ doc: "Id of an existing VPC to use instead of creating one", pattern: AWS_ID("vpc") }),
        vpcCidr: string({ doc: "CIDR of the existing VPC (admitted by the endpoint security group)", allowed: "an IPv4 CIDR", check: (s) => parseCidrNotation(s) !== undefined }),
        publicSubnetIds: stringList({ doc: "Public subnet ids of the existing VPC", pattern: AWS_ID("subnet"), minItems: 2, maxItems: 6 }),
        privateSubnetIds: stringList({ doc: "Private subnet ids of the existing VPC", pattern: AWS_ID("subnet"), minItems: 2, maxItems: 6 }),
        privateRouteTableIds: stringList({ doc: "Route tables of the private subnets (for the S3 gateway endpoint); empty: no gateway endpoint", pattern: AWS_ID("rtb"), default: [] }),
    }, "Use an existing VPC and subnets instead of creating them (discovery tags are added to the subnets)")),
}, "The VPC");

