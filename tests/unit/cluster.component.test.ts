import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { AgentCluster, AgentClusterArgs } from "../../components/cluster";
import { CONTROL_PLANE_LOG_TYPES, EksAddon, eksAddonVersion } from "../../components/cluster/spec";
import { enumValues } from "../../components/shared/constants";
import { al2023AmiAlias } from "../../components/cluster/karpenter";
import { GPU_NODE_LABEL, GPU_NODE_TAINT, SYSTEM_NODE_LABEL, SYSTEM_NODE_TAINT, systemPodPlacement } from "../../components/shared/placement";
import { KARPENTER_CHART, KUBERNETES_VERSION, NVIDIA_DEVICE_PLUGIN_CHART } from "../../components/shared/versions";
import { kubernetesObjects, ofType, one, Registered, runProgram, RunResult } from "../../testing";
import { validateKubernetesObject } from "../support/kubernetesSchema";

const ADMIN = "arn:aws:iam::123456789012:role/platform-admins";
const args: AgentClusterArgs = {
    clusterName: "agents-test",
    vpcId: "vpc-0aaaaaaaaaaaaaaaa",
    privateSubnetIds: ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"],
    endpointPublicAccess: true,
    publicAccessCidrs: ["198.51.100.0/24"],
    adminPrincipalArns: [ADMIN],
    logRetentionDays: 30,
    systemNodes: { instanceTypes: ["m7i.large"], minSize: 2, desiredSize: 2, maxSize: 3, diskSizeGiB: 60 },
    nodePools: { gpu: { instanceFamilies: ["g6e"], gpuLimit: 2, cpuLimit: 64, diskSizeGiB: 300 } },
    tags: { team: "ai" },
};

const depends = (r: Registered, on: Registered) => r.dependencies.includes(on.urn);
const byName = (rs: Registered[], re: RegExp) => rs.filter((r) => re.test(r.name));

describe("AgentCluster under mocks", () => {
    let result: RunResult;
    let kubeconfigSecret: boolean;
    let storageReady: string[];
    before(async () => {
        result = await runProgram(async () => {
            const cluster = new AgentCluster("c", args);
            kubeconfigSecret = await (cluster.kubeconfig as unknown as { isSecret: Promise<boolean> }).isSecret;
            storageReady = await new Promise((resolve) => pulumi.all(cluster.storageReady.map((r) => r.urn)).apply(resolve));
        });
    });
    const res = () => result.resources;

    it("creates an API-auth, KMS-encrypted cluster with all control-plane logs into a pre-created log group", () => {
        const cluster = one(res(), "aws:eks/cluster:Cluster");
        const key = one(res(), "aws:kms/key:Key");
        const logs = one(res(), "aws:cloudwatch/logGroup:LogGroup");
        assert.equal(cluster.inputs.name, "agents-test");
        assert.equal(cluster.inputs.version, KUBERNETES_VERSION);
        assert.equal(cluster.inputs.accessConfig.authenticationMode, "API");
        assert.deepEqual(cluster.inputs.encryptionConfig, { resources: ["secrets"], provider: { keyArn: key.state.arn } });
        assert.equal(key.inputs.enableKeyRotation, true);
        assert.deepEqual([...cluster.inputs.enabledClusterLogTypes].sort(), [...CONTROL_PLANE_LOG_TYPES].sort());
        assert.equal(CONTROL_PLANE_LOG_TYPES.length, 5);
        assert.equal(logs.inputs.name, "/aws/eks/agents-test/cluster");
        assert.equal(logs.inputs.retentionInDays, 30);
        assert.ok(depends(cluster, logs), "the log group exists before EKS would create it without retention");
        assert.equal(cluster.inputs.bootstrapSelfManagedAddons, false);
    });

    it("keeps the private endpoint on and limits the public one to the configured CIDRs", () => {
        const vpc = one(res(), "aws:eks/cluster:Cluster").inputs.vpcConfig;
        assert.equal(vpc.endpointPrivateAccess, true);
        assert.equal(vpc.endpointPublicAccess, true);
        assert.deepEqual(vpc.publicAccessCidrs, ["198.51.100.0/24"]);
        assert.deepEqual(vpc.subnetIds, args.privateSubnetIds);
    });

    it("gives the cluster role only AmazonEKSClusterPolicy plus use of its key", () => {
        const attachments = byName(ofType(res(), "aws:iam/rolePolicyAttachment:RolePolicyAttachment"), /^c-cluster-/);
        assert.deepEqual(attachments.map((a) => a.inputs.policyArn), ["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"]);
        const encryption = one(res(), "aws:iam/rolePolicy:RolePolicy", "c-cluster-encryption");
        assert.deepEqual(JSON.parse(encryption.inputs.policy).Statement[0].Resource, [one(res(), "aws:kms/key:Key").state.arn]);
    });

    it("grants admins cluster-admin through access entries and Karpenter nodes an EC2_LINUX entry", () => {
        const entries = ofType(res(), "aws:eks/accessEntry:AccessEntry");
        const admin = entries.find((e) => e.inputs.principalArn === ADMIN)!;
        assert.equal(admin.inputs.type, "STANDARD");
        const association = one(res(), "aws:eks/accessPolicyAssociation:AccessPolicyAssociation");
        assert.equal(association.inputs.policyArn, "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy");
        assert.deepEqual(association.inputs.accessScope, { type: "cluster" });
        const karpenterNode = one(res(), "aws:iam/role:Role", "c-karpenter-node");
        const nodeEntry = entries.find((e) => e.inputs.principalArn === karpenterNode.state.arn)!;
        assert.equal(nodeEntry.inputs.type, "EC2_LINUX");
        assert.equal(entries.length, 2, "managed node groups create their own entry");
    });

    it("runs an on-demand system node group: IMDSv2, encrypted gp3, no SSH, labelled and tainted", () => {
        const lt = one(res(), "aws:ec2/launchTemplate:LaunchTemplate");
        assert.equal(lt.inputs.metadataOptions.httpTokens, "required");
        assert.equal(lt.inputs.metadataOptions.httpPutResponseHopLimit, 1);
        assert.deepEqual(lt.inputs.blockDeviceMappings[0].ebs, { volumeSize: 60, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" });
        assert.equal(lt.inputs.keyName, undefined);
        assert.equal(lt.inputs.vpcSecurityGroupIds, undefined, "no own security group: EKS attaches the cluster security group");
        const ng = one(res(), "aws:eks/nodeGroup:NodeGroup");
        assert.equal(ng.inputs.capacityType, "ON_DEMAND");
        assert.equal(ng.inputs.amiType, "AL2023_x86_64_STANDARD");
        assert.deepEqual(ng.inputs.subnetIds, args.privateSubnetIds);
        assert.deepEqual(ng.inputs.scalingConfig, { minSize: 2, desiredSize: 2, maxSize: 3 });
        assert.equal(ng.inputs.remoteAccess, undefined);
        assert.equal(ng.inputs.launchTemplate.id, lt.state.id ?? lt.inputs.id ?? ng.inputs.launchTemplate.id);
        assert.deepEqual(ng.inputs.labels, { [SYSTEM_NODE_LABEL.key]: SYSTEM_NODE_LABEL.value });
        assert.deepEqual(ng.inputs.taints, [{ key: SYSTEM_NODE_TAINT.key, value: SYSTEM_NODE_TAINT.value, effect: "NO_SCHEDULE" }]);
    });

    it("installs the six add-ons at pinned versions, networking before the nodes and coredns after them", () => {
        const addons = ofType(res(), "aws:eks/addon:Addon");
        assert.deepEqual(addons.map((a) => a.inputs.addonName).sort(), enumValues(EksAddon).sort());
        for (const a of addons) assert.equal(a.inputs.addonVersion, eksAddonVersion(a.inputs.addonName, KUBERNETES_VERSION));
        const addon = (n: string) => addons.find((a) => a.inputs.addonName === n)!;
        assert.deepEqual(JSON.parse(addon("vpc-cni").inputs.configurationValues), { enableNetworkPolicy: "true" });
        const ng = one(res(), "aws:eks/nodeGroup:NodeGroup");
        for (const early of ["vpc-cni", "kube-proxy", "eks-pod-identity-agent"]) assert.ok(depends(ng, addon(early)), `node group waits for ${early}`);
        for (const late of ["coredns", "aws-ebs-csi-driver", "metrics-server"]) assert.ok(depends(addon(late), ng), `${late} waits for the nodes`);
        assert.deepEqual(JSON.parse(addon("coredns").inputs.configurationValues), systemPodPlacement());
    });

    it("gives vpc-cni, the EBS CSI controller and Karpenter Pod Identity roles", () => {
        const associations = ofType(res(), "aws:eks/podIdentityAssociation:PodIdentityAssociation");
        const sa = associations.map((a) => `${a.inputs.namespace}/${a.inputs.serviceAccount}`).sort();
        assert.deepEqual(sa, ["kube-system/aws-node", "kube-system/ebs-csi-controller-sa", "kube-system/karpenter"]);
        const attachments = ofType(res(), "aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((a) => a.inputs.policyArn);
        assert.ok(attachments.includes("arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"));
        assert.ok(attachments.includes("arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"));
        assert.ok(depends(ofType(res(), "aws:eks/addon:Addon").find((a) => a.inputs.addonName === "vpc-cni")!, one(res(), "aws:eks/podIdentityAssociation:PodIdentityAssociation", "c-vpc-cni")),
            "vpc-cni starts after its association exists (dependsOn on a component expands to its children)");
    });

    it("adds a default encrypted gp3 StorageClass; volumes of it wait for the class and the EBS CSI driver (storageReady)", async () => {
        const sc = one(res(), "kubernetes:storage.k8s.io/v1:StorageClass");
        await validateKubernetesObject({ apiVersion: "storage.k8s.io/v1", kind: "StorageClass", ...sc.inputs });
        assert.equal(sc.inputs.parameters.encrypted, "true");
        const driver = ofType(res(), "aws:eks/addon:Addon").find((a) => a.inputs.addonName === "aws-ebs-csi-driver")!;
        assert.deepEqual([...storageReady].sort(), [driver.urn, sc.urn].sort());
        assert.deepEqual(sc.dependencies, [], "the class itself needs only the API server");
    });

    it("installs Karpenter from the pinned OCI chart on the system nodes, after the nodes, its CRDs and its Pod Identity role", () => {
        const release = one(res(), "kubernetes:helm.sh/v3:Release", "c-karpenter");
        const crds = one(res(), "kubernetes:helm.sh/v3:Release", "c-karpenter-crd");
        assert.equal(release.inputs.chart, KARPENTER_CHART.chart);
        assert.equal(release.inputs.version, KARPENTER_CHART.version);
        assert.equal(crds.inputs.chart, "oci://public.ecr.aws/karpenter/karpenter-crd");
        assert.equal(crds.inputs.version, KARPENTER_CHART.version, "CRDs and controller move together");
        assert.equal(release.inputs.skipCrds, true);
        assert.ok(depends(release, crds));
        assert.equal(release.inputs.namespace, "kube-system");
        const values = release.inputs.values;
        const queue = one(res(), "aws:sqs/queue:Queue");
        assert.deepEqual(values.settings, { clusterName: "agents-test", clusterEndpoint: one(res(), "aws:eks/cluster:Cluster").state.endpoint, interruptionQueue: queue.state.name });
        assert.deepEqual(values.nodeSelector, systemPodPlacement().nodeSelector);
        assert.ok(depends(release, one(res(), "aws:eks/nodeGroup:NodeGroup")));
        const addon = (n: string) => ofType(res(), "aws:eks/addon:Addon").find((x) => x.inputs.addonName === n)!;
        assert.ok(depends(release, addon("coredns")), "Karpenter needs DNS");
        assert.ok(!depends(release, addon("metrics-server")), "a settling metrics-server must not hold back capacity");
        assert.ok(depends(release, one(res(), "aws:eks/podIdentityAssociation:PodIdentityAssociation", "c-karpenter")));
    });

    it("routes spot interruption, rebalance, state-change and scheduled-change events to an encrypted queue", () => {
        const queue = one(res(), "aws:sqs/queue:Queue");
        assert.equal(queue.inputs.sqsManagedSseEnabled, true);
        const rules = ofType(res(), "aws:cloudwatch/eventRule:EventRule");
        assert.equal(rules.length, 4);
        const targets = ofType(res(), "aws:cloudwatch/eventTarget:EventTarget");
        assert.equal(targets.length, 4);
        for (const t of targets) assert.equal(t.inputs.arn, queue.state.arn);
        assert.deepEqual(rules.map((r) => JSON.parse(r.inputs.eventPattern)["detail-type"][0]).sort(), [
            "AWS Health Event", "EC2 Instance Rebalance Recommendation", "EC2 Instance State-change Notification", "EC2 Spot Instance Interruption Warning",
        ]);
    });

    it("creates EC2NodeClasses and NodePools that validate against the CRDs and wait for the CRD and Karpenter releases", async () => {
        const release = one(res(), "kubernetes:helm.sh/v3:Release", "c-karpenter");
        const crds = one(res(), "kubernetes:helm.sh/v3:Release", "c-karpenter-crd");
        const classes = kubernetesObjects(res(), "EC2NodeClass");
        const pools = kubernetesObjects(res(), "NodePool");
        assert.deepEqual(classes.map((c) => c.inputs.metadata.name).sort(), ["general", "gpu"]);
        assert.deepEqual(pools.map((p) => p.inputs.metadata.name).sort(), ["general", "gpu"]);
        for (const c of classes) {
            await validateKubernetesObject(c.inputs);
            assert.equal(c.inputs.apiVersion, "karpenter.k8s.aws/v1");
            assert.deepEqual(c.inputs.spec.amiSelectorTerms, [{ alias: al2023AmiAlias() }]);
            assert.equal(c.inputs.spec.role, one(res(), "aws:iam/role:Role", "c-karpenter-node").state.name);
            assert.equal(c.inputs.spec.metadataOptions.httpTokens, "required");
            assert.ok(depends(c, release) && depends(c, crds));
        }
        for (const p of pools) {
            await validateKubernetesObject(p.inputs);
            assert.equal(p.inputs.apiVersion, "karpenter.sh/v1");
            assert.ok(depends(p, release) && depends(p, crds));
        }
        const gpuClass = classes.find((c) => c.inputs.metadata.name === "gpu")!;
        assert.equal(gpuClass.inputs.spec.blockDeviceMappings[0].ebs.volumeSize, "300Gi");
        const gpu = pools.find((p) => p.inputs.metadata.name === "gpu")!.inputs.spec;
        assert.deepEqual(gpu.template.spec.taints, [{ ...GPU_NODE_TAINT }]);
        assert.equal(gpu.template.metadata.labels[GPU_NODE_LABEL.key], GPU_NODE_LABEL.value);
        assert.deepEqual(gpu.limits, { cpu: "64", "nvidia.com/gpu": "2" });
        assert.deepEqual(gpu.template.spec.requirements.find((r: { key: string }) => r.key === "karpenter.k8s.aws/instance-family").values, ["g6e"]);
    });

    it("tags the cluster security group for Karpenter's discovery", () => {
        const tag = one(res(), "aws:ec2/tag:Tag");
        assert.equal(tag.inputs.resourceId, one(res(), "aws:eks/cluster:Cluster").state.vpcConfig.clusterSecurityGroupId);
        assert.deepEqual([tag.inputs.key, tag.inputs.value], ["karpenter.sh/discovery", "agents-test"]);
    });

    it("places the NVIDIA device plugin on GPU nodes with the pinned chart", () => {
        const plugin = one(res(), "kubernetes:helm.sh/v3:Release", "c-nvidia-device-plugin");
        assert.equal(plugin.inputs.version, NVIDIA_DEVICE_PLUGIN_CHART.version);
        assert.equal(plugin.inputs.repositoryOpts.repo, NVIDIA_DEVICE_PLUGIN_CHART.repository);
        assert.deepEqual(plugin.inputs.values.nodeSelector, { [GPU_NODE_LABEL.key]: GPU_NODE_LABEL.value });
        assert.deepEqual(plugin.inputs.values.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key, GPU_NODE_LABEL.key);
        assert.deepEqual(plugin.inputs.values.tolerations[0].key, GPU_NODE_TAINT.key);
    });

    it("builds in-cluster objects with its own provider, whose kubeconfig is a secret", () => {
        const provider = one(res(), "pulumi:providers:kubernetes");
        assert.ok(provider.secretPaths.includes("kubeconfig"));
        assert.equal(kubeconfigSecret, true);
        for (const k of res().filter((r) => r.type.startsWith("kubernetes:"))) assert.ok(k.provider.includes("c-k8s"), `${k.name} uses the cluster's provider`);
        const kc = JSON.parse(provider.inputs.kubeconfig);
        assert.equal(kc.users[0].user.exec.command, "aws");
        assert.equal(kc.clusters[0].cluster.server, one(res(), "aws:eks/cluster:Cluster").state.endpoint);
    });

    it("renders the same kubeconfig on a second run (the provider is not replaced)", async () => {
        const again = await runProgram(() => new AgentCluster("c", args));
        assert.equal(one(again.resources, "pulumi:providers:kubernetes").inputs.kubeconfig, one(res(), "pulumi:providers:kubernetes").inputs.kubeconfig);
    });

    it("drops the GPU pool and the device plugin when the GPU pool is disabled", async () => {
        const r = await runProgram(() => new AgentCluster("c", { ...args, nodePools: { gpu: { enabled: false } } }));
        assert.deepEqual(kubernetesObjects(r.resources, "NodePool").map((p) => p.inputs.metadata.name), ["general"]);
        assert.equal(r.resources.some((x) => x.name === "c-nvidia-device-plugin"), false);
    });

    it("fails before registering any child on invalid arguments", async () => {
        await assert.rejects(runProgram(() => new AgentCluster("c", { ...args, kubernetesVersion: "1.20" })), /kubernetesVersion: got "1.20"/);
    });
});
