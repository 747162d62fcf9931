/**
 * IAM documents of AgentCluster as plain JSON: trust policies of the cluster and node roles, the KMS
 * permissions of envelope encryption, the managed policies each role needs, and the Karpenter
 * controller policy (the Karpenter v1 reference policy, scoped by the cluster's tags).
 */
import { policyDocument, PolicyStatement, serviceTrustPolicy } from "../podIdentity/spec";

/** Trust policy of the EKS cluster role. */
export function clusterTrustPolicy() {
    return serviceTrustPolicy("eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"]);
}

/** Trust policy of node roles (system node group and Karpenter nodes). */
export function nodeTrustPolicy() {
    return serviceTrustPolicy("ec2.amazonaws.com", ["sts:AssumeRole"]);
}

/** What the cluster role needs on the envelope-encryption key (as the EKS encryption docs list it). */
export function clusterEncryptionPolicy(keyArn: string) {
    return policyDocument([{
        Sid: "EnvelopeEncryptionOfSecrets",
        Effect: "Allow",
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
        Resource: [keyArn],
    }]);
}

/** `arn:<partition>:iam::aws:policy/<name>` */
export function awsManagedPolicyArn(partition: string, name: string): string {
    return `arn:${partition}:iam::aws:policy/${name}`;
}

/** Managed policies of the cluster role: only AmazonEKSClusterPolicy (no Auto Mode, so none of its policies). */
export const CLUSTER_ROLE_POLICIES = ["AmazonEKSClusterPolicy"] as const;

/**
 * Managed policies of node roles: join the cluster, pull images, SSM Session Manager instead of SSH.
 * No AmazonEKS_CNI_Policy: vpc-cni gets it through its own Pod Identity role.
 */
export const NODE_ROLE_POLICIES = ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly", "AmazonSSMManagedInstanceCore"] as const;

/** Managed policy of the vpc-cni (aws-node) Pod Identity role. */
export const VPC_CNI_POLICY = "AmazonEKS_CNI_Policy";
/** Managed policy of the EBS CSI controller's Pod Identity role. */
export const EBS_CSI_POLICY = "service-role/AmazonEBSCSIDriverPolicy";

/** What the Karpenter controller policy is scoped to. */
export interface KarpenterPolicyScope {
    partition: string;
    region: string;
    accountId: string;
    clusterName: string;
    /** ARN of the node role Karpenter passes to instances. */
    nodeRoleArn: string;
    /** ARN of the interruption queue. */
    queueArn: string;
    /** ARN of the cluster. */
    clusterArn: string;
    /** Id of the VPC: subnets and security groups outside it are refused. */
    vpcId: string;
}

/**
 * The Karpenter controller policy, following the Karpenter v1 reference policy (getting-started
 * CloudFormation template, `KarpenterControllerPolicy`): creation and deletion scoped by the
 * `kubernetes.io/cluster/<name>: owned`, `eks:eks-cluster-name` and `karpenter.sh/nodepool` tags, instance
 * profiles by `karpenter.k8s.aws/ec2nodeclass` and region, reads limited to the region. Tightened here:
 * subnets and security groups must be in the cluster's VPC (`ec2:Vpc`).
 */
export function karpenterControllerPolicy(s: KarpenterPolicyScope) {
    const ec2 = (resource: string, account = "*") => `arn:${s.partition}:ec2:${s.region}:${account}:${resource}`;
    const owned = { [`aws:RequestTag/kubernetes.io/cluster/${s.clusterName}`]: "owned", "aws:RequestTag/eks:eks-cluster-name": s.clusterName };
    const resourceOwned = { [`aws:ResourceTag/kubernetes.io/cluster/${s.clusterName}`]: "owned" };
    const launchedResources = ["fleet/*", "instance/*", "volume/*", "network-interface/*", "launch-template/*", "spot-instances-request/*"].map((r) => ec2(r));
    const instanceProfiles = `arn:${s.partition}:iam::${s.accountId}:instance-profile/*`;
    const statements: PolicyStatement[] = [
        {
            Sid: "AllowScopedEC2InstanceAccessActions",
            Effect: "Allow",
            Action: ["ec2:RunInstances", "ec2:CreateFleet"],
            Resource: [`arn:${s.partition}:ec2:${s.region}::image/*`, `arn:${s.partition}:ec2:${s.region}::snapshot/*`, ec2("capacity-reservation/*")],
        },
        {
            Sid: "AllowEC2NetworkAccessInClusterVpc",
            Effect: "Allow",
            Action: ["ec2:RunInstances", "ec2:CreateFleet"],
            Resource: [ec2("security-group/*"), ec2("subnet/*")],
            Condition: { StringEquals: { "ec2:Vpc": ec2(`vpc/${s.vpcId}`, s.accountId) } },
        },
        {
            Sid: "AllowScopedEC2LaunchTemplateAccessActions",
            Effect: "Allow",
            Action: ["ec2:RunInstances", "ec2:CreateFleet"],
            Resource: [ec2("launch-template/*")],
            Condition: { StringEquals: resourceOwned, StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" } },
        },
        {
            Sid: "AllowScopedEC2InstanceActionsWithTags",
            Effect: "Allow",
            Action: ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
            Resource: launchedResources,
            Condition: { StringEquals: owned, StringLike: { "aws:RequestTag/karpenter.sh/nodepool": "*" } },
        },
        {
            Sid: "AllowScopedResourceCreationTagging",
            Effect: "Allow",
            Action: ["ec2:CreateTags"],
            Resource: launchedResources,
            Condition: {
                StringEquals: { ...owned, "ec2:CreateAction": ["RunInstances", "CreateFleet", "CreateLaunchTemplate"] },
                StringLike: { "aws:RequestTag/karpenter.sh/nodepool": "*" },
            },
        },
        {
            Sid: "AllowScopedResourceTagging",
            Effect: "Allow",
            Action: ["ec2:CreateTags"],
            Resource: [ec2("instance/*")],
            Condition: {
                StringEquals: resourceOwned,
                StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" },
                StringEqualsIfExists: { "aws:RequestTag/eks:eks-cluster-name": s.clusterName },
                "ForAllValues:StringEquals": { "aws:TagKeys": ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"] },
            },
        },
        {
            Sid: "AllowScopedDeletion",
            Effect: "Allow",
            Action: ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
            Resource: [ec2("instance/*"), ec2("launch-template/*")],
            Condition: { StringEquals: resourceOwned, StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" } },
        },
        {
            // Describe* calls support no resource-level permissions; limited to the cluster's region.
            Sid: "AllowRegionalReadActions",
            Effect: "Allow",
            Action: [
                "ec2:DescribeAvailabilityZones", "ec2:DescribeCapacityReservations", "ec2:DescribeImages", "ec2:DescribeInstances",
                "ec2:DescribeInstanceTypeOfferings", "ec2:DescribeInstanceTypes", "ec2:DescribeLaunchTemplates", "ec2:DescribePlacementGroups", "ec2:DescribeSecurityGroups",
                "ec2:DescribeSpotPriceHistory", "ec2:DescribeSubnets",
            ],
            Resource: "*",
            Condition: { StringEquals: { "aws:RequestedRegion": s.region } },
        },
        {
            Sid: "AllowSSMReadActions",
            Effect: "Allow",
            Action: ["ssm:GetParameter"],
            Resource: [`arn:${s.partition}:ssm:${s.region}::parameter/aws/service/*`],
        },
        {
            // The Price List API supports no resource-level permissions.
            Sid: "AllowPricingReadActions",
            Effect: "Allow",
            Action: ["pricing:GetProducts"],
            Resource: "*",
        },
        {
            Sid: "AllowInterruptionQueueActions",
            Effect: "Allow",
            Action: ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
            Resource: [s.queueArn],
        },
        {
            Sid: "AllowPassingInstanceRole",
            Effect: "Allow",
            Action: ["iam:PassRole"],
            Resource: [s.nodeRoleArn],
            Condition: { StringEquals: { "iam:PassedToService": "ec2.amazonaws.com" } },
        },
        {
            Sid: "AllowScopedInstanceProfileCreationActions",
            Effect: "Allow",
            Action: ["iam:CreateInstanceProfile"],
            Resource: [instanceProfiles],
            Condition: {
                StringEquals: { ...owned, "aws:RequestTag/topology.kubernetes.io/region": s.region },
                StringLike: { "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*" },
            },
        },
        {
            Sid: "AllowScopedInstanceProfileTagActions",
            Effect: "Allow",
            Action: ["iam:TagInstanceProfile"],
            Resource: [instanceProfiles],
            Condition: {
                StringEquals: { ...resourceOwned, "aws:ResourceTag/topology.kubernetes.io/region": s.region, ...owned, "aws:RequestTag/topology.kubernetes.io/region": s.region },
                StringLike: { "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*", "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*" },
            },
        },
        {
            Sid: "AllowScopedInstanceProfileActions",
            Effect: "Allow",
            Action: ["iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile"],
            Resource: [instanceProfiles],
            Condition: {
                StringEquals: { ...resourceOwned, "aws:ResourceTag/topology.kubernetes.io/region": s.region },
                StringLike: { "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*" },
            },
        },
        {
            Sid: "AllowInstanceProfileReadActions",
            Effect: "Allow",
            Action: ["iam:GetInstanceProfile"],
            Resource: [instanceProfiles],
        },
        {
            // The instance-profile garbage collector lists profiles; iam:ListInstanceProfiles supports no resource type.
            Sid: "AllowUnscopedInstanceProfileListAction",
            Effect: "Allow",
            Action: ["iam:ListInstanceProfiles"],
            Resource: "*",
        },
        {
            Sid: "AllowAPIServerEndpointDiscovery",
            Effect: "Allow",
            Action: ["eks:DescribeCluster"],
            Resource: [s.clusterArn],
        },
    ];
    return policyDocument(statements);
}

/**
 * Resource policy of the interruption queue: EventBridge (and SQS) may send to it, and nothing may use
 * it without TLS.
 */
export function interruptionQueuePolicy(queueArn: string) {
    return {
        Version: "2012-10-17",
        Id: "EC2InterruptionPolicy",
        Statement: [
            { Sid: "AllowEventBridge", Effect: "Allow", Principal: { Service: ["events.amazonaws.com", "sqs.amazonaws.com"] }, Action: "sqs:SendMessage", Resource: queueArn },
            {
                Sid: "DenyHTTP", Effect: "Deny", Principal: "*", Action: "sqs:*", Resource: queueArn,
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ],
    };
}
