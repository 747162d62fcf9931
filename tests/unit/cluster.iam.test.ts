import * as assert from "node:assert/strict";
import { CLUSTER_ROLE_POLICIES, clusterEncryptionPolicy, clusterTrustPolicy, interruptionQueuePolicy, karpenterControllerPolicy, KarpenterPolicyScope, NODE_ROLE_POLICIES, nodeTrustPolicy } from "../../components/cluster/iam";
import { podIdentityTrustPolicy } from "../../components/podIdentity/spec";
import { sharedRender } from "../../stacks/offline";
import { assertRealNarrowActions, defaultKeyPolicy, PolicyDoc, simulate } from "../support/iam";
import { json, MOCK_ACCOUNT, ofType } from "../../testing";

const REGION = "us-west-2";
const CLUSTER = "agents-dev";
const VPC = "vpc-0123456789abcdef0";
const ec2Arn = (resource: string) => `arn:aws:ec2:${REGION}:${MOCK_ACCOUNT}:${resource}`;
const scope: KarpenterPolicyScope = {
    partition: "aws", region: REGION, accountId: MOCK_ACCOUNT, clusterName: CLUSTER,
    nodeRoleArn: `arn:aws:iam::${MOCK_ACCOUNT}:role/agents-dev-karpenter-node`,
    queueArn: `arn:aws:sqs:${REGION}:${MOCK_ACCOUNT}:${CLUSTER}-karpenter`,
    clusterArn: `arn:aws:eks:${REGION}:${MOCK_ACCOUNT}:cluster/${CLUSTER}`,
    vpcId: VPC,
};

const KARPENTER = `arn:aws:iam::${MOCK_ACCOUNT}:role/karpenter`;

/** Decides a request of the Karpenter controller role. */
const decide = (policy: PolicyDoc, action: string, resource: string, context: Record<string, string | string[]> = {}, resourcePolicy?: PolicyDoc) =>
    simulate(policy, action, resource, { context, resourcePolicy, principal: KARPENTER });

describe("AgentCluster IAM: documents", () => {
    it("trusts exactly EKS for the cluster role and EC2 for node roles", () => {
        assert.deepEqual(clusterTrustPolicy(), {
            Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
        });
        assert.deepEqual(nodeTrustPolicy(), {
            Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: ["sts:AssumeRole"] }],
        });
        // IAM refuses a Resource element in a trust policy ("Has prohibited field Resource").
        for (const doc of [clusterTrustPolicy(), nodeTrustPolicy()]) for (const st of doc.Statement) assert.equal("Resource" in st, false);
    });

    it("gives roles only the managed policies they need (no CNI policy on nodes: vpc-cni has its own Pod Identity role)", () => {
        assert.deepEqual([...CLUSTER_ROLE_POLICIES], ["AmazonEKSClusterPolicy"]);
        assert.deepEqual([...NODE_ROLE_POLICIES].sort(), ["AmazonEC2ContainerRegistryPullOnly", "AmazonEKSWorkerNodePolicy", "AmazonSSMManagedInstanceCore"]);
    });

    it("names real actions, no wildcard action, and Resource \"*\" only where nothing narrower exists", async () => {
        await assertRealNarrowActions(karpenterControllerPolicy(scope), "karpenter");
        await assertRealNarrowActions(clusterEncryptionPolicy("arn:aws:kms:us-west-2:123456789012:key/k"), "encryption");
        await assertRealNarrowActions(interruptionQueuePolicy(scope.queueArn), "queue policy");
    });

    it("lets the cluster role use only its own encryption key", async () => {
        const key = `arn:aws:kms:${REGION}:${MOCK_ACCOUNT}:key/1111`;
        const policy = clusterEncryptionPolicy(key);
        // The key keeps the default key policy, which delegates to IAM policies of the account.
        for (const action of ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey", "kms:ListGrants"]) assert.equal(await decide(policy, action, key, {}, defaultKeyPolicy()), "Allowed", action);
        const other = `arn:aws:kms:${REGION}:${MOCK_ACCOUNT}:key/2222`;
        assert.equal(await decide(policy, "kms:Decrypt", other, {}, defaultKeyPolicy()), "ImplicitlyDenied");
        assert.equal(await decide(policy, "kms:ScheduleKeyDeletion", key, {}, defaultKeyPolicy()), "ImplicitlyDenied");
    });

    it("accepts interruption events from EventBridge and refuses plain HTTP", () => {
        const p = interruptionQueuePolicy(scope.queueArn);
        const allow = p.Statement.find((s) => s.Effect === "Allow")!;
        assert.deepEqual(allow.Principal, { Service: ["events.amazonaws.com", "sqs.amazonaws.com"] });
        assert.equal(allow.Action, "sqs:SendMessage");
        const deny = p.Statement.find((s) => s.Effect === "Deny")!;
        assert.deepEqual(deny.Condition, { Bool: { "aws:SecureTransport": "false" } });
    });
});

describe("AgentCluster IAM: Karpenter controller (simulated)", () => {
    const policy = karpenterControllerPolicy(scope);
    const owned = {
        [`aws:RequestTag/kubernetes.io/cluster/${CLUSTER}`]: "owned", "aws:RequestTag/eks:eks-cluster-name": CLUSTER, "aws:RequestTag/karpenter.sh/nodepool": "gpu",
    };
    const ownedInstance = { [`aws:ResourceTag/kubernetes.io/cluster/${CLUSTER}`]: "owned", "aws:ResourceTag/karpenter.sh/nodepool": "gpu" };

    it("launches tagged instances and volumes for its node pools", async () => {
        assert.equal(await decide(policy, "ec2:RunInstances", ec2Arn("instance/*"), { ...owned, "aws:TagKeys": Object.keys(owned).map((k) => k.replace("aws:RequestTag/", "")) }), "Allowed");
        assert.equal(await decide(policy, "ec2:CreateFleet", ec2Arn("fleet/*"), owned), "Allowed");
        assert.equal(await decide(policy, "ec2:CreateLaunchTemplate", ec2Arn("launch-template/*"), owned), "Allowed");
        assert.equal(await decide(policy, "ec2:CreateTags", ec2Arn("volume/vol-1"), { ...owned, "ec2:CreateAction": "RunInstances" }), "Allowed");
    });

    it("refuses to launch without the cluster and node-pool tags, or for another cluster", async () => {
        assert.equal(await decide(policy, "ec2:RunInstances", ec2Arn("instance/*"), {}), "ImplicitlyDenied");
        const { ["aws:RequestTag/karpenter.sh/nodepool"]: _pool, ...noPool } = owned;
        assert.equal(await decide(policy, "ec2:RunInstances", ec2Arn("instance/*"), noPool), "ImplicitlyDenied");
        assert.equal(await decide(policy, "ec2:RunInstances", ec2Arn("instance/*"), {
            "aws:RequestTag/kubernetes.io/cluster/other": "owned", "aws:RequestTag/eks:eks-cluster-name": "other", "aws:RequestTag/karpenter.sh/nodepool": "gpu",
        }), "ImplicitlyDenied");
        assert.equal(await decide(policy, "ec2:CreateTags", ec2Arn("volume/vol-1"), { ...owned, "ec2:CreateAction": "CreateVolume" }), "ImplicitlyDenied");
    });

    it("uses subnets and security groups of the cluster's VPC only", async () => {
        const inVpc = { "ec2:Vpc": ec2Arn(`vpc/${VPC}`) };
        assert.equal(await decide(policy, "ec2:RunInstances", ec2Arn("subnet/subnet-1"), inVpc), "Allowed");
        assert.equal(await decide(policy, "ec2:RunInstances", ec2Arn("security-group/sg-1"), inVpc), "Allowed");
        assert.equal(await decide(policy, "ec2:RunInstances", ec2Arn("subnet/subnet-1"), { "ec2:Vpc": ec2Arn("vpc/vpc-other") }), "ImplicitlyDenied");
        assert.equal(await decide(policy, "ec2:RunInstances", `arn:aws:ec2:${REGION}::image/ami-1`), "Allowed");
    });

    it("terminates only its own nodes", async () => {
        assert.equal(await decide(policy, "ec2:TerminateInstances", ec2Arn("instance/i-1"), ownedInstance), "Allowed");
        assert.equal(await decide(policy, "ec2:TerminateInstances", ec2Arn("instance/i-1"), { [`aws:ResourceTag/kubernetes.io/cluster/${CLUSTER}`]: "owned" }), "ImplicitlyDenied");
        assert.equal(await decide(policy, "ec2:TerminateInstances", ec2Arn("instance/i-1"), { "aws:ResourceTag/kubernetes.io/cluster/other": "owned", "aws:ResourceTag/karpenter.sh/nodepool": "gpu" }), "ImplicitlyDenied");
    });

    it("passes only the node role, only to EC2", async () => {
        assert.equal(await decide(policy, "iam:PassRole", scope.nodeRoleArn, { "iam:PassedToService": "ec2.amazonaws.com" }), "Allowed");
        assert.equal(await decide(policy, "iam:PassRole", scope.nodeRoleArn, { "iam:PassedToService": "lambda.amazonaws.com" }), "ImplicitlyDenied");
        assert.equal(await decide(policy, "iam:PassRole", `arn:aws:iam::${MOCK_ACCOUNT}:role/admin`, { "iam:PassedToService": "ec2.amazonaws.com" }), "ImplicitlyDenied");
    });

    it("manages only instance profiles it tagged for this cluster and region", async () => {
        const profile = `arn:aws:iam::${MOCK_ACCOUNT}:instance-profile/agents-dev_123`;
        assert.equal(await decide(policy, "iam:CreateInstanceProfile", profile, {
            ...owned, "aws:RequestTag/topology.kubernetes.io/region": REGION, "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "gpu",
        }), "Allowed");
        assert.equal(await decide(policy, "iam:CreateInstanceProfile", profile, { "aws:RequestTag/topology.kubernetes.io/region": REGION }), "ImplicitlyDenied");
        const tagged = { [`aws:ResourceTag/kubernetes.io/cluster/${CLUSTER}`]: "owned", "aws:ResourceTag/topology.kubernetes.io/region": REGION, "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "gpu" };
        assert.equal(await decide(policy, "iam:DeleteInstanceProfile", profile, tagged), "Allowed");
        assert.equal(await decide(policy, "iam:DeleteInstanceProfile", profile, {}), "ImplicitlyDenied");
    });

    it("reads its queue and cluster only, and describes EC2 only in its region", async () => {
        assert.equal(await decide(policy, "sqs:ReceiveMessage", scope.queueArn), "Allowed");
        assert.equal(await decide(policy, "sqs:ReceiveMessage", `arn:aws:sqs:${REGION}:${MOCK_ACCOUNT}:other`), "ImplicitlyDenied");
        assert.equal(await decide(policy, "sqs:SendMessage", scope.queueArn), "ImplicitlyDenied");
        assert.equal(await decide(policy, "eks:DescribeCluster", scope.clusterArn), "Allowed");
        assert.equal(await decide(policy, "eks:DescribeCluster", `arn:aws:eks:${REGION}:${MOCK_ACCOUNT}:cluster/other`), "ImplicitlyDenied");
        assert.equal(await decide(policy, "ec2:DescribeInstances", "*", { "aws:RequestedRegion": REGION }), "Allowed");
        assert.equal(await decide(policy, "ec2:DescribeInstances", "*", { "aws:RequestedRegion": "eu-west-1" }), "ImplicitlyDenied");
        assert.equal(await decide(policy, "ssm:GetParameter", `arn:aws:ssm:${REGION}:${MOCK_ACCOUNT}:parameter/app/secret`), "ImplicitlyDenied");
        // Public AMI parameters have no account in their ARN (the simulator cannot parse those): checked structurally.
        const ssm = policy.Statement.find((s) => s.Sid === "AllowSSMReadActions")!;
        assert.deepEqual(ssm.Resource, [`arn:aws:ssm:${REGION}::parameter/aws/service/*`]);
    });
});

describe("AgentCluster IAM: every document in the rendered stacks", () => {
    for (const stack of ["dev", "prod"]) {
        it(`${stack}: passes the catalogue checks and trusts the right principals`, async () => {
            const { resources } = await sharedRender(stack);
            const mine = resources.filter((r) => r.name.startsWith("platform-cluster"));
            const roles = ofType(mine, "aws:iam/role:Role");
            assert.ok(roles.length >= 6);
            const trusts = new Map(roles.map((r) => [r.name, json(r.inputs.assumeRolePolicy)]));
            assert.deepEqual(trusts.get("platform-cluster-cluster"), clusterTrustPolicy());
            assert.deepEqual(trusts.get("platform-cluster-system-node"), nodeTrustPolicy());
            assert.deepEqual(trusts.get("platform-cluster-karpenter-node"), nodeTrustPolicy());
            for (const pod of ["platform-cluster-karpenter", "platform-cluster-vpc-cni", "platform-cluster-ebs-csi"]) {
                const role = roles.find((r) => r.name === pod)!;
                const association = ofType(resources, "aws:eks/podIdentityAssociation:PodIdentityAssociation").find((a) => a.inputs.roleArn === role.state.arn)!;
                const { clusterName, namespace, serviceAccount } = association.inputs;
                assert.deepEqual(trusts.get(pod), podIdentityTrustPolicy({ clusterName, namespace, serviceAccount }), `${pod} trusts exactly its association's service account`);
            }
            assert.equal(ofType(mine, "aws:iam/rolePolicy:RolePolicy").length, 2);
            assert.equal(ofType(mine, "aws:sqs/queuePolicy:QueuePolicy").length, 1);
            for (const p of ofType(mine, "aws:iam/rolePolicy:RolePolicy")) await assertRealNarrowActions(json(p.inputs.policy), p.name);
            for (const p of ofType(mine, "aws:sqs/queuePolicy:QueuePolicy")) await assertRealNarrowActions(json(p.inputs.policy), p.name);
            const attached = ofType(mine, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((a) => a.inputs.policyArn as string);
            assert.ok(attached.every((a) => a.startsWith("arn:aws:iam::aws:policy/")), "only AWS managed policies are attached");
            assert.ok(!attached.some((a) => /AdministratorAccess|PowerUser|FullAccess/.test(a)), attached.join());
        });
    }
});
