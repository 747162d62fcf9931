import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { podIdentityTrustPolicy, policyDocument } from "../../components/podIdentity/spec";
import { PodIdentityRole } from "../../components/podIdentity";
import { json, ofType, one, runProgram } from "../../testing";

// The Pod Identity helper every component uses (the cluster's vpc-cni, EBS CSI and Karpenter roles included).
describe("PodIdentityRole", () => {
    it("trusts exactly the EKS Pod Identity service, with AssumeRole and TagSession, for one service account of one cluster", () => {
        const trust = podIdentityTrustPolicy({ clusterName: "agents-dev", namespace: "agents", serviceAccount: "job-worker" });
        assert.equal(trust.Version, "2012-10-17");
        assert.equal(trust.Statement.length, 1);
        const [s] = trust.Statement;
        assert.deepEqual([s.Effect, s.Principal, s.Action], ["Allow", { Service: "pods.eks.amazonaws.com" }, ["sts:AssumeRole", "sts:TagSession"]]);
        // The session tags EKS Pod Identity sets: another cluster, namespace or service account cannot assume it.
        assert.deepEqual(s.Condition, { StringEquals: {
            "aws:RequestTag/eks-cluster-name": "agents-dev", "aws:RequestTag/kubernetes-namespace": "agents", "aws:RequestTag/kubernetes-service-account": "job-worker",
        } });
        // IAM rejects a trust policy with a Resource element ("MalformedPolicyDocument: Has prohibited field Resource").
        assert.equal("Resource" in s, false);
    });

    it("creates the role, its permissions and the association for one namespace/service account", async () => {
        const policy = pulumi.jsonStringify(policyDocument([{ Effect: "Allow", Action: ["sqs:ReceiveMessage"], Resource: ["arn:aws:sqs:us-west-2:123456789012:jobs"] }]));
        const { resources } = await runProgram(() => new PodIdentityRole("worker", {
            clusterName: "agents-dev", namespace: "agents", serviceAccount: "job-worker", policy,
            managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"], tags: { team: "ai" },
        }));
        const role = one(resources, "aws:iam/role:Role");
        assert.deepEqual(json(role.inputs.assumeRolePolicy), podIdentityTrustPolicy({ clusterName: "agents-dev", namespace: "agents", serviceAccount: "job-worker" }));
        const association = one(resources, "aws:eks/podIdentityAssociation:PodIdentityAssociation");
        assert.deepEqual([association.inputs.clusterName, association.inputs.namespace, association.inputs.serviceAccount], ["agents-dev", "agents", "job-worker"]);
        assert.equal(association.inputs.roleArn, role.state.arn);
        assert.deepEqual(json(one(resources, "aws:iam/rolePolicy:RolePolicy").inputs.policy).Statement[0].Action, ["sqs:ReceiveMessage"]);
        assert.deepEqual(ofType(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((a) => a.inputs.policyArn), ["arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"]);
        for (const r of resources.filter((x) => x.custom)) assert.equal(r.parent.endsWith("::worker"), true, `${r.name} is a child of the component`);
    });

    it("creates no inline policy and no attachment when none is given", async () => {
        const { resources } = await runProgram(() => new PodIdentityRole("bare", { clusterName: "c", namespace: "n", serviceAccount: "s" }));
        assert.equal(ofType(resources, "aws:iam/rolePolicy:RolePolicy").length, 0);
        assert.equal(ofType(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").length, 0);
        assert.equal(ofType(resources, "aws:eks/podIdentityAssociation:PodIdentityAssociation").length, 1);
    });
});
