import * as assert from "node:assert/strict";
import { gpuPodPlacement } from "../../components/shared/placement";
import { kubernetesObjects, ofType, one, RunResult } from "../../testing";
import { AWS_STACKS, runStack, sharedRender, stackConfig } from "../../stacks/offline";
import { assertConfigRejected } from "../support/config";

describe("AgentCluster in the stacks", () => {
    const results = new Map<string, RunResult>();
    before(async () => {
        for (const stack of AWS_STACKS) results.set(stack, await sharedRender(stack));
    });
    const of = (stack: string) => results.get(stack)!.resources;
    const clusterConfig = (stack: string) => stackConfig(stack)["agent-platform:cluster"] as Record<string, unknown>;

    for (const stack of AWS_STACKS) {
        it(`${stack}: encrypted, API-auth cluster with logs kept as configured and the system nodes sized from config`, () => {
            const cluster = one(of(stack), "aws:eks/cluster:Cluster");
            assert.equal(cluster.inputs.name, `agents-${stack}`);
            assert.equal(cluster.inputs.accessConfig.authenticationMode, "API");
            assert.deepEqual(cluster.inputs.encryptionConfig.resources, ["secrets"]);
            assert.equal(cluster.inputs.enabledClusterLogTypes.length, 5);
            assert.equal(one(of(stack), "aws:cloudwatch/logGroup:LogGroup", "platform-cluster-control-plane").inputs.retentionInDays, clusterConfig(stack).logRetentionDays);
            const sizes = (clusterConfig(stack).systemNodes as Record<string, number>);
            const ng = one(of(stack), "aws:eks/nodeGroup:NodeGroup");
            assert.deepEqual(ng.inputs.scalingConfig, { minSize: sizes.minSize, desiredSize: sizes.desiredSize, maxSize: sizes.maxSize });
            assert.equal(one(of(stack), "aws:ec2/launchTemplate:LaunchTemplate").inputs.metadataOptions.httpTokens, "required");
            assert.equal(ofType(of(stack), "aws:eks/addon:Addon").length, 6);
        });

        it(`${stack}: the platform's provider uses the cluster's secret kubeconfig, and the stack exports the cluster`, () => {
            const provider = one(of(stack), "pulumi:providers:kubernetes", "platform-k8s");
            assert.ok(provider.secretPaths.includes("kubeconfig"));
            assert.equal(provider.inputs.kubeconfig, one(of(stack), "pulumi:providers:kubernetes", "platform-cluster-k8s").inputs.kubeconfig);
            const outputs = results.get(stack)!.outputs;
            assert.equal(outputs.clusterEndpoint, one(of(stack), "aws:eks/cluster:Cluster").state.endpoint);
            assert.equal(outputs.clusterSecurityGroupId, one(of(stack), "aws:eks/cluster:Cluster").state.vpcConfig.clusterSecurityGroupId);
            assert.equal(outputs.kubeconfig, provider.inputs.kubeconfig);
        });

        it(`${stack}: GPU pool limits and families from config, pinned AMI alias, device plugin on GPU nodes`, () => {
            const gpuConfig = (stackConfig(stack)["agent-platform:nodePools"] as { gpu: Record<string, unknown> }).gpu;
            const gpu = kubernetesObjects(of(stack), "NodePool").find((p) => p.inputs.metadata.name === "gpu")!;
            assert.equal(gpu.inputs.spec.limits["nvidia.com/gpu"], String(gpuConfig.gpuLimit));
            assert.equal(gpu.inputs.spec.limits.cpu, String(gpuConfig.cpuLimit));
            assert.deepEqual(gpu.inputs.spec.template.spec.requirements.find((r: { key: string }) => r.key === "karpenter.k8s.aws/instance-family").values, gpuConfig.instanceFamilies);
            for (const c of kubernetesObjects(of(stack), "EC2NodeClass")) assert.match(c.inputs.spec.amiSelectorTerms[0].alias, /^al2023@v\d{8}$/);
            const plugin = one(of(stack), "kubernetes:helm.sh/v3:Release", "platform-cluster-nvidia-device-plugin");
            assert.deepEqual(plugin.inputs.values.tolerations, [{ key: "nvidia.com/gpu", operator: "Equal", value: "true", effect: "NoSchedule" }]);
        });
    }

    it("prod restricts the public endpoint to its CIDRs and runs at least two system nodes; dev keeps defaults", () => {
        const prod = one(of("prod"), "aws:eks/cluster:Cluster").inputs.vpcConfig;
        assert.deepEqual(prod.publicAccessCidrs, ["203.0.113.0/24"]);
        assert.ok(!prod.publicAccessCidrs.includes("0.0.0.0/0"));
        assert.equal(prod.endpointPrivateAccess, true);
        assert.ok(one(of("prod"), "aws:eks/nodeGroup:NodeGroup").inputs.scalingConfig.minSize >= 2);
        assert.equal(one(of("dev"), "aws:eks/cluster:Cluster").inputs.vpcConfig.endpointPrivateAccess, true);
    });

    it("rejects a bad cluster config before registering anything", async () => {
        const r = await runStack("dev", { "agent-platform:cluster": { kubernetesVersion: "1.20", systemNodes: { minSize: 3, desiredSize: 2 } } }, { captureError: true });
        assertConfigRejected(r, /agent-platform:cluster\.kubernetesVersion: got "1.20"/, /agent-platform:cluster\.systemNodes\.desiredSize: got 2/);
    });

    it("makes a workload able to reach a GPU: the GPU pool's label and taint match gpuPodPlacement", () => {
        const gpu = kubernetesObjects(of("prod"), "NodePool").find((p) => p.inputs.metadata.name === "gpu")!.inputs.spec.template;
        const placement = gpuPodPlacement();
        for (const [k, v] of Object.entries(placement.nodeSelector)) assert.equal(gpu.metadata.labels[k], v);
        for (const taint of gpu.spec.taints) {
            assert.ok(placement.tolerations.some((t) => t.key === taint.key && t.value === taint.value && t.effect === taint.effect), `tolerates ${taint.key}`);
        }
    });
});
