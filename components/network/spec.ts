/**
 * Pure, derived values of AgentNetwork: discovery tags, endpoint service names, flow-log IAM
 * documents. Exported for tests and for other components.
 */

/** Subnet tiers and the tags that AWS Load Balancer Controller and Karpenter discover them by. */
export const SubnetTier = {
    Public: "public",
    Private: "private",
} as const;
export type SubnetTier = (typeof SubnetTier)[keyof typeof SubnetTier];

/** Interface endpoints that keep AWS API traffic from nodes and pods off the NAT gateway. */
export const INTERFACE_ENDPOINT_SERVICES = ["ecr.api", "ecr.dkr", "sts", "sqs", "secretsmanager", "logs"] as const;

/** One discovery tag of a subnet; `slug` is stable across cluster names (it names the tag resource). */
export interface DiscoveryTag {
    slug: string;
    key: string;
    value: string;
}

/**
 * Discovery tags of a subnet: public subnets take internet-facing load balancers, private ones
 * internal load balancers and Karpenter nodes (`karpenter.sh/discovery: <cluster>`).
 */
export function subnetDiscoveryTagList(tier: SubnetTier, clusterName: string): DiscoveryTag[] {
    const shared = { slug: "cluster", key: `kubernetes.io/cluster/${clusterName}`, value: "shared" };
    return tier === SubnetTier.Public
        ? [shared, { slug: "elb", key: "kubernetes.io/role/elb", value: "1" }]
        : [shared, { slug: "internal-elb", key: "kubernetes.io/role/internal-elb", value: "1" }, { slug: "karpenter", key: "karpenter.sh/discovery", value: clusterName }];
}

/** The discovery tags of a subnet as a tag map. */
export function subnetDiscoveryTags(tier: SubnetTier, clusterName: string): Record<string, string> {
    return Object.fromEntries(subnetDiscoveryTagList(tier, clusterName).map((t) => [t.key, t.value]));
}

/** `com.amazonaws.<region>.<service>` */
export function endpointServiceName(region: string, service: string): string {
    return `com.amazonaws.${region}.${service}`;
}

/** Trust policy of the flow-log delivery role, limited to this account's flow logs (confused-deputy guard). */
export function flowLogTrustPolicy(accountId: string, partition: string, region: string) {
    return {
        Version: "2012-10-17",
        Statement: [{
            Effect: "Allow",
            Principal: { Service: "vpc-flow-logs.amazonaws.com" },
            Action: "sts:AssumeRole",
            Condition: {
                StringEquals: { "aws:SourceAccount": accountId },
                ArnLike: { "aws:SourceArn": `arn:${partition}:ec2:${region}:${accountId}:vpc-flow-log/*` },
            },
        }],
    };
}

/** Permissions of the flow-log delivery role: write to its one log group. */
export function flowLogDeliveryPolicy(logGroupArn: string) {
    return {
        Version: "2012-10-17",
        Statement: [{
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            Resource: [logGroupArn, `${logGroupArn}:*`],
        }],
    };
}
