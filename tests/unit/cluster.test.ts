import * as assert from "node:assert/strict";
import { addonConfiguration, ADDONS_AFTER_NODES, ADDONS_BEFORE_NODES, architectureOf, EksAddon, eksAddonVersion, kubeconfigFor, systemNodeAmiType, systemNodeGroupPlacement } from "../../components/cluster/spec";
import { AgentClusterArgs, gp3StorageClassSpec, parseClusterArgs } from "../../components/cluster";
import { ec2NodeClassSpec, GENERAL_NODE_LABEL, generalNodePoolSpec, generalRequirements, gpuNodePoolSpec, gpuRequirements, interruptionEventPatterns, karpenterReplicas, karpenterValues, nvidiaDevicePluginValues } from "../../components/cluster/karpenterSpec";
import { enumValues } from "../../components/shared/constants";
import { al2023AmiAlias } from "../../components/cluster/karpenter";
import { GPU_NODE_LABEL, GPU_NODE_TAINT, SYSTEM_NODE_LABEL, SYSTEM_NODE_TAINT, systemPodPlacement } from "../../components/shared/placement";
import { AL2023_AMI_RELEASE, EKS_ADDON_VERSIONS, EKS_ADDON_VERSIONS_BY_KUBERNETES, KARPENTER_CHART, KUBERNETES_VERSION, NVIDIA_DEVICE_PLUGIN_CHART, SUPPORTED_KUBERNETES_VERSIONS } from "../../components/shared/versions";
import { validateKubernetesObject } from "../support/kubernetesSchema";

const base: AgentClusterArgs = { clusterName: "agents-test", vpcId: "vpc-123", privateSubnetIds: ["subnet-a", "subnet-b"] };

/** The Karpenter custom resources around a spec, as the cluster registers them. */
const nodePool = (name: string, spec: object) => ({ apiVersion: "karpenter.sh/v1", kind: "NodePool", metadata: { name }, spec });
const ec2NodeClass = (name: string, spec: object) => ({ apiVersion: "karpenter.k8s.aws/v1", kind: "EC2NodeClass", metadata: { name }, spec });

const gpuDefaults = parseClusterArgs(base).nodePools.gpu;
const gpuSpec = () => gpuNodePoolSpec({ ...gpuDefaults, capacityTypes: [...gpuDefaults.capacityTypes], instanceFamilies: ["g6", "g5"] });
const generalSpec = () => generalNodePoolSpec({ ...parseClusterArgs(base).nodePools.cpu, capacityTypes: ["spot", "on-demand"], instanceCategories: ["c", "m", "r"] });

describe("AgentCluster: arguments", () => {
    it("applies documented defaults", () => {
        const s = parseClusterArgs(base);
        assert.equal(s.kubernetesVersion, KUBERNETES_VERSION);
        assert.equal(s.logRetentionDays, 90);
        assert.deepEqual(s.systemNodes, { instanceTypes: ["m7i.large"], minSize: 2, desiredSize: 2, maxSize: 4, diskSizeGiB: 50 });
        assert.deepEqual(s.nodePools.gpu.instanceFamilies, ["g6", "g6e", "g5"]);
        assert.equal(s.nodePools.gpu.enabled, true);
        assert.deepEqual(s.adminPrincipalArns, []);
    });

    it("keeps desired and max sizes consistent with a larger minSize", () => {
        const s = parseClusterArgs({ ...base, systemNodes: { minSize: 5 } });
        assert.deepEqual([s.systemNodes.minSize, s.systemNodes.desiredSize, s.systemNodes.maxSize], [5, 5, 5]);
    });

    it("accepts the defaults and every supported Kubernetes version", () => {
        parseClusterArgs(base);
        for (const v of SUPPORTED_KUBERNETES_VERSIONS) parseClusterArgs({ ...base, kubernetesVersion: v });
    });

    const rejects: [string, Partial<AgentClusterArgs>, RegExp][] = [
        ["an unsupported Kubernetes version", { kubernetesVersion: "1.29" }, /kubernetesVersion: got "1.29"; allowed: one of "1.33"/],
        ["a bad cluster name", { clusterName: "-bad name" }, /clusterName: got "-bad name"/],
        ["desired outside min..max", { systemNodes: { minSize: 3, desiredSize: 2, maxSize: 4 } }, /systemNodes.desiredSize: got 2; allowed: minSize \(3\)/],
        ["mixed architectures", { systemNodes: { instanceTypes: ["m7i.large", "m7g.large"] } }, /one CPU architecture/],
        ["a bad CIDR", { publicAccessCidrs: ["10.0.0.0/33"] }, /publicAccessCidrs\[0\]: got "10.0.0.0\/33"/],
        ["an admin that is not an IAM role/user ARN", { adminPrincipalArns: ["arn:aws:sts::123456789012:assumed-role/x/y"] }, /adminPrincipalArns/],
        ["an unknown capacity type", { nodePools: { cpu: { capacityTypes: ["reserved"] } } }, /nodePools.cpu.capacityTypes\[0\]: got "reserved"; allowed: one of "spot", "on-demand"/],
        ["a GPU limit of zero", { nodePools: { gpu: { gpuLimit: 0 } } }, /nodePools.gpu.gpuLimit: got 0; allowed: an integer from 1/],
        ["a bad duration", { nodePools: { gpu: { consolidateAfter: "ten minutes" } } }, /nodePools.gpu.consolidateAfter/],
        ["a log retention out of range", { logRetentionDays: 0 }, /logRetentionDays: got 0/],
        ["a cluster name too long for the names derived from it", { clusterName: "a".repeat(51) }, /clusterName: got "a{51}"; allowed: 1–50/],
        ["a tag key Karpenter reserves", { tags: { "karpenter.sh/nodepool": "x" } }, /tags: got \{"karpenter.sh\/nodepool":"x"\}; allowed: keys outside the reserved prefixes/],
    ];
    for (const [what, args, message] of rejects) {
        it(`rejects ${what}, naming the argument and what is allowed`, () => {
            assert.throws(() => parseClusterArgs({ ...base, ...args }), (e: Error) => {
                assert.match(e.message, /^invalid AgentCluster arguments: /);
                assert.match(e.message, message);
                return true;
            });
        });
    }
});

describe("AgentCluster: derived values", () => {
    it("builds a kubeconfig with `aws eks get-token` exec auth and no credentials, identical for identical inputs", () => {
        const inputs = { clusterName: "agents-dev", endpoint: "https://ABC.gr7.us-west-2.eks.amazonaws.com", certificateAuthorityData: "Q0VSVA==", region: "us-west-2" };
        const text = kubeconfigFor(inputs);
        assert.equal(text, kubeconfigFor({ ...inputs }));
        const k = JSON.parse(text);
        assert.equal(k["current-context"], "agents-dev");
        assert.equal(k.clusters[0].cluster.server, inputs.endpoint);
        assert.equal(k.clusters[0].cluster["certificate-authority-data"], "Q0VSVA==");
        const exec = k.users[0].user.exec;
        assert.equal(exec.command, "aws");
        assert.deepEqual(exec.args, ["eks", "get-token", "--cluster-name", "agents-dev", "--region", "us-west-2", "--output", "json"]);
        assert.equal(exec.apiVersion, "client.authentication.k8s.io/v1beta1");
        assert.equal(k.users[0].user.token, undefined);
        assert.doesNotMatch(text, /AWS_PROFILE|"token"|password/);
    });

    it("chooses the AL2023 AMI type by architecture", () => {
        assert.equal(architectureOf("m7i.large"), "x86_64");
        assert.equal(architectureOf("m7g.large"), "arm64");
        assert.equal(architectureOf("c8gd.xlarge"), "arm64");
        assert.equal(architectureOf("g6.xlarge"), "x86_64");
        assert.equal(architectureOf("t3.large"), "x86_64");
        assert.equal(systemNodeAmiType(["m7i.large"]), "AL2023_x86_64_STANDARD");
        assert.equal(systemNodeAmiType(["m7g.large", "c7g.large"]), "AL2023_ARM_64_STANDARD");
    });

    it("labels and taints the system nodes with the placement conventions, in EKS spelling", () => {
        assert.deepEqual(systemNodeGroupPlacement(), {
            labels: { [SYSTEM_NODE_LABEL.key]: SYSTEM_NODE_LABEL.value },
            taints: [{ key: SYSTEM_NODE_TAINT.key, value: SYSTEM_NODE_TAINT.value, effect: "NO_SCHEDULE" }],
        });
    });

    it("pins a version of every add-on for every supported Kubernetes version, kube-proxy matching the minor", () => {
        assert.deepEqual([...ADDONS_BEFORE_NODES, ...ADDONS_AFTER_NODES].sort(), enumValues(EksAddon).sort());
        for (const k8s of SUPPORTED_KUBERNETES_VERSIONS) {
            for (const addon of enumValues(EksAddon)) assert.match(eksAddonVersion(addon, k8s), /^v\d+\.\d+\.\d+-eksbuild\.\d+$/, `${addon} on ${k8s}`);
            assert.ok(eksAddonVersion(EksAddon.KubeProxy, k8s).startsWith(`v${k8s}.`), `kube-proxy on ${k8s}`);
        }
        assert.deepEqual(Object.keys(EKS_ADDON_VERSIONS_BY_KUBERNETES).sort(), [...SUPPORTED_KUBERNETES_VERSIONS].sort());
        assert.equal(Object.keys(EKS_ADDON_VERSIONS).length, 4);
        assert.throws(() => eksAddonVersion(EksAddon.CoreDns, "1.20"), /no coredns version is pinned for Kubernetes 1.20/);
    });

    it("enables network policy enforcement in vpc-cni and keeps add-on Deployments on the system nodes", () => {
        assert.deepEqual(addonConfiguration(EksAddon.VpcCni), { enableNetworkPolicy: "true" });
        const placement = systemPodPlacement();
        assert.deepEqual(addonConfiguration(EksAddon.CoreDns), placement);
        assert.deepEqual(addonConfiguration(EksAddon.MetricsServer), placement);
        assert.deepEqual(addonConfiguration(EksAddon.EbsCsiDriver), { controller: placement });
        assert.equal(addonConfiguration(EksAddon.KubeProxy), undefined);
        assert.equal(addonConfiguration(EksAddon.PodIdentityAgent), undefined);
    });

    it("makes an encrypted gp3 StorageClass the default, valid against the Kubernetes schema", async () => {
        const sc = { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", ...gp3StorageClassSpec() };
        await validateKubernetesObject(sc);
        assert.equal(sc.metadata.annotations["storageclass.kubernetes.io/is-default-class"], "true");
        assert.deepEqual([sc.provisioner, sc.parameters.type, sc.parameters.encrypted, sc.volumeBindingMode], ["ebs.csi.aws.com", "gp3", "true", "WaitForFirstConsumer"]);
    });
});

describe("Karpenter: derived values", () => {
    it("pins the chart, the device plugin chart and an AL2023 AMI release (never @latest)", () => {
        assert.equal(KARPENTER_CHART.chart, "oci://public.ecr.aws/karpenter/karpenter");
        assert.match(KARPENTER_CHART.version, /^1\.\d+\.\d+$/);
        assert.match(NVIDIA_DEVICE_PLUGIN_CHART.version, /^\d+\.\d+\.\d+$/);
        assert.match(AL2023_AMI_RELEASE, /^v20\d{6}$/);
        assert.match(al2023AmiAlias(), /^al2023@v\d{8}$/, "the alias format Karpenter accepts: al2023@vYYYYMMDD");
        assert.equal(al2023AmiAlias(), `al2023@${AL2023_AMI_RELEASE}`);
        assert.doesNotMatch(al2023AmiAlias(), /latest/);
    });

    it("configures the controller with the cluster, its endpoint and the interruption queue, on the system nodes", () => {
        const v = karpenterValues({ clusterName: "agents-dev", clusterEndpoint: "https://x.eks.amazonaws.com", interruptionQueueName: "agents-dev-karpenter", systemNodes: 3, region: "eu-west-1" });
        assert.deepEqual(v.controller.env, [{ name: "AWS_REGION", value: "eu-west-1" }], "the region without IMDS");
        assert.deepEqual(v.settings, { clusterName: "agents-dev", clusterEndpoint: "https://x.eks.amazonaws.com", interruptionQueue: "agents-dev-karpenter" });
        assert.deepEqual({ nodeSelector: v.nodeSelector, tolerations: v.tolerations }, systemPodPlacement());
        assert.equal(v.serviceAccount.name, "karpenter");
        assert.equal(v.replicas, 2);
        assert.deepEqual([1, 2, 3, 6].map(karpenterReplicas), [1, 2, 2, 2], "no more replicas than system nodes (required anti-affinity)");
        assert.equal(JSON.stringify(v).includes("eks.amazonaws.com/role-arn"), false, "no IRSA annotation: Pod Identity");
    });

    it("requires NVIDIA instances of the configured families for the GPU pool", () => {
        const req = gpuRequirements({ capacityTypes: ["on-demand"], instanceFamilies: ["g6", "g6e"] });
        const byKey = Object.fromEntries(req.map((r) => [r.key, r]));
        assert.deepEqual(byKey["karpenter.k8s.aws/instance-family"], { key: "karpenter.k8s.aws/instance-family", operator: "In", values: ["g6", "g6e"] });
        assert.deepEqual(byKey["karpenter.k8s.aws/instance-gpu-manufacturer"].values, ["nvidia"]);
        assert.deepEqual(byKey["karpenter.sh/capacity-type"].values, ["on-demand"]);
        const cpu = Object.fromEntries(generalRequirements({ capacityTypes: ["spot"], instanceCategories: ["c", "m"] }).map((r) => [r.key, r]));
        assert.deepEqual(cpu["karpenter.sh/capacity-type"].values, ["spot"]);
        assert.deepEqual(cpu["karpenter.k8s.aws/instance-category"].values, ["c", "m"]);
    });

    it("taints, labels and limits the GPU pool, removes only empty nodes and never disrupts running model servers", () => {
        const spec = gpuSpec();
        assert.deepEqual(spec.template.spec.taints, [{ key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" }]);
        assert.deepEqual(spec.template.spec.taints[0], { ...GPU_NODE_TAINT });
        assert.deepEqual(spec.template.metadata.labels, { [GPU_NODE_LABEL.key]: GPU_NODE_LABEL.value });
        assert.deepEqual(spec.limits, { cpu: String(gpuDefaults.cpuLimit), "nvidia.com/gpu": String(gpuDefaults.gpuLimit) });
        assert.equal(spec.disruption.consolidationPolicy, "WhenEmpty");
        assert.equal(spec.disruption.consolidateAfter, gpuDefaults.consolidateAfter);
        assert.deepEqual(spec.disruption.budgets[0], { nodes: "0", reasons: ["Drifted", "Underutilized"] });
        assert.equal(spec.template.spec.expireAfter, "Never");
        assert.equal("replicas" in spec, false, "scale to zero: a NodePool has no minimum size");
        assert.equal(spec.template.spec.nodeClassRef.name, "gpu");
    });

    it("consolidates the CPU pool and labels it general", () => {
        const spec = generalSpec();
        assert.equal(spec.disruption.consolidationPolicy, "WhenEmptyOrUnderutilized");
        assert.deepEqual(spec.template.metadata.labels, { [GENERAL_NODE_LABEL.key]: "general" });
        assert.deepEqual(spec.limits, { cpu: "64", memory: "256Gi" });
        assert.equal("taints" in spec.template.spec, false);
    });

    it("produces NodePools and EC2NodeClasses that validate against the Karpenter CRD schemas", async () => {
        for (const spec of [gpuSpec(), generalSpec()]) await validateKubernetesObject(nodePool("p", spec));
        const nodeClass = ec2NodeClassSpec({ clusterName: "agents-dev", nodeRoleName: "node-role", amiAlias: al2023AmiAlias(), diskSizeGiB: 200, tags: { team: "ai" } });
        await validateKubernetesObject(ec2NodeClass("gpu", nodeClass));
        // The schemas really are enforced: a wrong field fails.
        await assert.rejects(validateKubernetesObject(nodePool("p", { ...gpuSpec(), disruption: { consolidationPolicy: "Sometimes" } })), /consolidationPolicy/);
        await assert.rejects(validateKubernetesObject(ec2NodeClass("x", { ...nodeClass, metadataOptions: { httpTokens: "sometimes" } })), /httpTokens/);
        await assert.rejects(validateKubernetesObject(nodePool("p", { ...gpuSpec(), disruption: { ...gpuSpec().disruption, budgets: [{ nodes: "0", reasons: ["Idle"] }] } })), /reasons/);
    });

    it("finds subnets and security groups by discovery tag, requires IMDSv2 and encrypts a large root volume", () => {
        const s = ec2NodeClassSpec({ clusterName: "agents-dev", nodeRoleName: "node-role", amiAlias: al2023AmiAlias(), diskSizeGiB: 200, tags: {} });
        assert.deepEqual(s.subnetSelectorTerms, [{ tags: { "karpenter.sh/discovery": "agents-dev" } }]);
        assert.deepEqual(s.securityGroupSelectorTerms, [{ tags: { "karpenter.sh/discovery": "agents-dev" } }]);
        assert.equal(s.metadataOptions.httpTokens, "required");
        assert.equal(s.metadataOptions.httpPutResponseHopLimit, 1);
        assert.deepEqual(s.blockDeviceMappings[0].ebs, { volumeSize: "200Gi", volumeType: "gp3", encrypted: true, deleteOnTermination: true });
        assert.equal(s.role, "node-role");
    });

    it("lands the NVIDIA device plugin on the GPU pool: replaces the NFD-label affinity and tolerates the GPU taint", () => {
        const v = nvidiaDevicePluginValues();
        const terms = v.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
        assert.deepEqual(terms, [{ matchExpressions: [{ key: GPU_NODE_LABEL.key, operator: "In", values: [GPU_NODE_LABEL.value] }] }]);
        assert.doesNotMatch(JSON.stringify(v), /feature\.node\.kubernetes\.io|nvidia\.com\/gpu\.present/);
        // The GPU pool's nodes carry exactly the label the plugin requires.
        assert.equal(gpuSpec().template.metadata.labels[GPU_NODE_LABEL.key], terms[0].matchExpressions[0].values[0]);
        assert.deepEqual(v.tolerations, [{ key: "nvidia.com/gpu", operator: "Equal", value: "true", effect: "NoSchedule" }]);
        assert.equal(v.gfd.enabled, false);
        assert.equal(v.nfd.enabled, false);
    });

    it("routes the four EC2 interruption event kinds to the queue", () => {
        const p = interruptionEventPatterns();
        assert.deepEqual(Object.values(p).map((x) => x["detail-type"][0]).sort(), [
            "AWS Health Event", "EC2 Instance Rebalance Recommendation", "EC2 Instance State-change Notification", "EC2 Spot Instance Interruption Warning",
        ]);
        assert.deepEqual(p["scheduled-change"].source, ["aws.health"]);
    });
});
