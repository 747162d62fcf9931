/**
 * What waits for what in a `pulumi up` of each stack, read from the render (dependencies, parents and
 * providers, as the engine orders them): every ordering that matters is there, objects that need only
 * the API server or AWS do not wait for nodes, and the estimated critical path is the chain of true
 * dependencies from the EKS control plane to the first workloads.
 */
import * as assert from "node:assert/strict";
import { KARPENTER_NAMESPACE, KARPENTER_SERVICE_ACCOUNT } from "../../components/cluster/karpenterSpec";
import { KEDA_NAMESPACE, KEDA_OPERATOR_SERVICE_ACCOUNT } from "../../components/keda/spec";
import { EXTERNAL_SECRETS_NAMESPACE, EXTERNAL_SECRETS_SERVICE_ACCOUNT } from "../../components/secrets/spec";
import { GPU_NODE_LABEL } from "../../components/shared/placement";
import { EXTERNAL_SECRETS_CHART, GRAFANA_CHART, KARPENTER_CHART, KEDA_CHART, NVIDIA_DEVICE_PLUGIN_CHART, PROMETHEUS_CHART, TEMPO_CHART } from "../../components/shared/versions";
import { GRAFANA_SERVICE_ACCOUNT } from "../../components/tracing/grafana";
import { PROMETHEUS_SERVER } from "../../components/tracing/prometheus";
import { TEMPO_SERVICE_ACCOUNT } from "../../components/tracing/values";
import { criticalPath, waitsFor } from "../../scripts/criticalPath";
import { CREATE_TIMES } from "../../scripts/criticalPath/createTimes";
import { kubernetesObjects, ofType, one, Registered } from "../../testing";
import { AWS_STACKS, sharedRender, STACKS } from "../../stacks/offline";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const ADDON = "aws:eks/addon:Addon";
const WORKLOADS = ["Deployment", "StatefulSet"];

/** The release that installs (and admits, with its webhooks) the custom resources of an API group. */
const CRD_RELEASES: Record<string, string> = {
    "karpenter.sh": KARPENTER_CHART.crdChart,
    "karpenter.k8s.aws": KARPENTER_CHART.crdChart,
    "external-secrets.io": EXTERNAL_SECRETS_CHART.chart,
    "keda.sh": KEDA_CHART.chart,
};
/** Whose pods run under the service account of a Pod Identity association, besides Deployments and StatefulSets. */
const ASSOCIATION_USERS: Record<string, { addon?: string; chart?: string }> = {
    "kube-system/aws-node": { addon: "vpc-cni" },
    "kube-system/ebs-csi-controller-sa": { addon: "aws-ebs-csi-driver" },
    [`${KARPENTER_NAMESPACE}/${KARPENTER_SERVICE_ACCOUNT}`]: { chart: KARPENTER_CHART.chart },
    [`${EXTERNAL_SECRETS_NAMESPACE}/${EXTERNAL_SECRETS_SERVICE_ACCOUNT}`]: { chart: EXTERNAL_SECRETS_CHART.chart },
    [`${KEDA_NAMESPACE}/${KEDA_OPERATOR_SERVICE_ACCOUNT}`]: { chart: KEDA_CHART.chart },
    [`observability/${TEMPO_SERVICE_ACCOUNT}`]: { chart: TEMPO_CHART.chart },
    [`observability/${PROMETHEUS_SERVER}`]: { chart: PROMETHEUS_CHART.chart },
    [`observability/${GRAFANA_SERVICE_ACCOUNT}`]: { chart: GRAFANA_CHART.chart },
};
/** Releases with no pods to wait for on the system nodes: CRDs only, or a DaemonSet of GPU nodes. */
const API_ONLY_CHARTS = [KARPENTER_CHART.crdChart, NVIDIA_DEVICE_PLUGIN_CHART.chart];
/** Kinds that need only the API server. */
const API_ONLY_KINDS = ["Namespace", "ServiceAccount", "ConfigMap", "NetworkPolicy", "PodDisruptionBudget", "Service", "StorageClass"];

/** Names of the Secrets a pod spec reads (env and envFrom, containers and init containers). */
function secretNamesIn(value: unknown, out = new Set<string>()): Set<string> {
    if (Array.isArray(value)) value.forEach((v) => secretNamesIn(v, out));
    else if (value && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) {
            if ((k === "secretKeyRef" || k === "secretRef") && typeof (v as { name?: unknown }).name === "string") out.add((v as { name: string }).name);
            else secretNamesIn(v, out);
        }
    }
    return out;
}

const group = (r: Registered) => r.type.split(":")[1].split("/")[0];
const chartOf = (rs: Registered[], chart: string) => ofType(rs, RELEASE).filter((r) => r.inputs.chart === chart);
const addonOf = (rs: Registered[], name: string) => ofType(rs, ADDON).find((a) => a.inputs.addonName === name)!;
const nodePool = (rs: Registered[], name: string) => kubernetesObjects(rs, "NodePool").find((p) => p.inputs.metadata.name === name)!;

describe("deploy order of the stacks (what waits for what)", () => {
    for (const stack of STACKS) {
        describe(stack, () => {
            let resources: Registered[];
            let waitsOn: (urn: string, on: string) => boolean;
            before(async () => {
                resources = (await sharedRender(stack)).resources;
                waitsOn = waitsFor(resources);
            });
            const onAws = (AWS_STACKS as readonly string[]).includes(stack);
            const rs = () => resources;
            const waits = () => waitsOn;
            const nodeGroup = () => one(rs(), "aws:eks/nodeGroup:NodeGroup");

            it("creates custom resources after the release that installs their CRDs and admission webhooks (awaited)", () => {
                // Custom resources: API groups with a dot that Kubernetes itself does not serve (*.k8s.io).
                const crs = kubernetesObjects(rs()).filter((r) => group(r).includes(".") && !group(r).endsWith(".k8s.io"));
                assert.ok(crs.length >= 6);
                for (const cr of crs) {
                    const chart = CRD_RELEASES[group(cr)];
                    assert.ok(chart, `${cr.type} comes from a known release`);
                    for (const release of chartOf(rs(), chart)) {
                        assert.ok(waits()(cr.urn, release.urn), `${cr.name} waits for ${release.name}`);
                        assert.notEqual(release.inputs.skipAwait, true, `${release.name} is awaited, so its webhooks are ready`);
                    }
                }
                for (const cr of [...kubernetesObjects(rs(), "NodePool"), ...kubernetesObjects(rs(), "EC2NodeClass")]) {
                    assert.ok(waits()(cr.urn, one(rs(), RELEASE, "platform-cluster-karpenter").urn), `${cr.name} waits for the controller (and any conversion webhook)`);
                }
            });

            it("starts no pod before the Pod Identity association of its service account exists", () => {
                for (const a of ofType(rs(), "aws:eks/podIdentityAssociation:PodIdentityAssociation")) {
                    const key = `${a.inputs.namespace}/${a.inputs.serviceAccount}`;
                    const known = ASSOCIATION_USERS[key];
                    const users = [
                        ...(known?.addon ? [addonOf(rs(), known.addon)] : []),
                        ...(known?.chart ? chartOf(rs(), known.chart) : []),
                        ...WORKLOADS.flatMap((k) => kubernetesObjects(rs(), k)).filter((w) =>
                            w.inputs.metadata.namespace === a.inputs.namespace && w.inputs.spec.template.spec.serviceAccountName === a.inputs.serviceAccount),
                    ];
                    assert.ok(users.length > 0, `the pods of ${key} are found`);
                    for (const u of users) assert.ok(waits()(u.urn, a.urn), `${u.name} waits for the association of ${key}`);
                }
            });

            if (onAws) it("installs controllers after the system nodes, DNS included, and workloads after Karpenter's capacity", () => {
                const coredns = addonOf(rs(), "coredns");
                for (const r of ofType(rs(), RELEASE)) {
                    const needsNodes = !API_ONLY_CHARTS.includes(r.inputs.chart);
                    assert.equal(waits()(r.urn, nodeGroup().urn), needsNodes, `${r.name} ${needsNodes ? "waits" : "need not wait"} for the nodes`);
                    if (needsNodes) assert.ok(waits()(r.urn, coredns.urn), `${r.name} waits for DNS`);
                }
                for (const w of WORKLOADS.flatMap((k) => kubernetesObjects(rs(), k))) {
                    const gpu = w.inputs.spec.template.spec.nodeSelector?.[GPU_NODE_LABEL.key] === GPU_NODE_LABEL.value;
                    const needs = [one(rs(), RELEASE, "platform-cluster-karpenter"), nodePool(rs(), gpu ? "gpu" : "general"),
                        ...(gpu ? chartOf(rs(), NVIDIA_DEVICE_PLUGIN_CHART.chart) : [])];
                    for (const n of needs) assert.ok(waits()(w.urn, n.urn), `${w.name} waits for ${n.name}`);
                    if (w.inputs.spec.volumeClaimTemplates) {
                        for (const n of [addonOf(rs(), "aws-ebs-csi-driver"), one(rs(), "kubernetes:storage.k8s.io/v1:StorageClass")]) {
                            assert.ok(waits()(w.urn, n.urn), `${w.name}'s volumes wait for ${n.name}`);
                        }
                    }
                }
            });

            it("starts pods after the ExternalSecrets that create the Secrets they read", () => {
                const externalSecrets = kubernetesObjects(rs(), "ExternalSecret");
                const producer = (namespace: string, name: string) =>
                    externalSecrets.find((e) => e.inputs.metadata.namespace === namespace && e.inputs.spec.target.name === name);
                let checked = 0;
                for (const w of WORKLOADS.flatMap((k) => kubernetesObjects(rs(), k))) {
                    for (const secret of secretNamesIn(w.inputs.spec.template.spec)) {
                        const e = producer(w.inputs.metadata.namespace, secret);
                        if (!e) continue; // created out of band (e.g. an optional key set later)
                        assert.ok(waits()(w.urn, e.urn), `${w.name} waits for the ExternalSecret of ${secret}`);
                        checked++;
                    }
                }
                for (const grafana of ofType(rs(), RELEASE).filter((r) => r.inputs.values?.admin?.existingSecret)) {
                    const e = producer(grafana.inputs.namespace, grafana.inputs.values.admin.existingSecret)!;
                    assert.ok(e && waits()(grafana.urn, e.urn), "Grafana waits for its admin Secret");
                    checked++;
                }
                assert.ok(checked >= 2);
            });

            it("creates objects in a namespace after it", () => {
                const namespaces = kubernetesObjects(rs(), "Namespace");
                let checked = 0;
                for (const o of kubernetesObjects(rs()).filter((r) => r.inputs.metadata?.namespace)) {
                    const ns = namespaces.find((n) => n.inputs.metadata.name === o.inputs.metadata.namespace);
                    if (!ns) continue; // a namespace the program does not create
                    assert.ok(waits()(o.urn, ns.urn), `${o.name} waits for namespace ${ns.inputs.metadata.name}`);
                    checked++;
                }
                assert.ok(checked > 0);
            });

            if (onAws) it("keeps objects that need only the API server off the nodes", () => {
                const capacity = [nodeGroup(), ...kubernetesObjects(rs(), "NodePool")];
                for (const o of API_ONLY_KINDS.flatMap((k) => kubernetesObjects(rs(), k))) {
                    for (const c of capacity) assert.ok(!waits()(o.urn, c.urn), `${o.type} ${o.name} does not wait for ${c.name}`);
                }
            });

            if (onAws) it("creates AWS resources of in-cluster components (keys, secrets, roles, buckets) without waiting for nodes", () => {
                const awsSide = rs().filter((r) => r.custom && /^(aws|random):/.test(r.type) && r.type !== ADDON);
                assert.ok(awsSide.some((r) => r.type === "random:index/randomPassword:RandomPassword"));
                for (const r of awsSide) assert.ok(!waits()(r.urn, nodeGroup().urn), `${r.type} ${r.name} does not wait for the nodes`);
                const password = one(rs(), "random:index/randomPassword:RandomPassword", "platform-secrets-redis-auth");
                assert.ok(!waits()(password.urn, one(rs(), "aws:eks/cluster:Cluster").urn), "the Redis password (and the cache built with it) does not wait for EKS");
            });

            if (!onAws) it("estimates the deploy as the chain image builds → the fake LLM → the agents (no cloud resource to wait for)", () => {
                const path = criticalPath(rs());
                const m = (type: string) => CREATE_TIMES[type].minutes;
                // Hand-computed from the table: the fake LLM's image, its Deployment (the agents start after
                // it), a worker's Deployment and its ScaledObject.
                const expected = m("docker:index/image:Image") + 2 * m("kubernetes:apps/v1:Deployment") + m("kubernetes:keda.sh/v1alpha1:ScaledObject");
                assert.ok(Math.abs(path.minutes - expected) < 1e-9, `${path.minutes} min, expected ${expected}:\n${path.steps.map((st) => `${st.type} ${st.name}`).join("\n")}`);
                assert.ok(!path.steps.some((st) => st.type.startsWith("aws:")));
                assert.deepEqual(path.unlistedTypes, [], "every type of the stack has a create time");
            });

            if (onAws) it("estimates the deploy as the chain EKS → add-ons → system nodes → CoreDNS → Karpenter → node pool → first workloads", () => {
                const path = criticalPath(rs());
                const m = (type: string) => CREATE_TIMES[type].minutes;
                // Hand-computed from the table: VPC and a subnet, the control plane, vpc-cni's Pod Identity role
                // (its trust policy names the cluster) and policy, vpc-cni (the longest of the three parallel
                // add-ons), the node group, CoreDNS, Karpenter (its CRDs were installed meanwhile), a node class
                // and pool, a Deployment and its ScaledObject.
                const expected = m("aws:ec2/vpc:Vpc") + m("aws:ec2/subnet:Subnet") + m("aws:eks/cluster:Cluster")
                    + m("aws:iam/role:Role") + m("aws:iam/rolePolicyAttachment:RolePolicyAttachment") + m(ADDON) + m("aws:eks/nodeGroup:NodeGroup")
                    + m(ADDON) + m(RELEASE) + m("kubernetes:karpenter.k8s.aws/v1:EC2NodeClass") + m("kubernetes:karpenter.sh/v1:NodePool")
                    + m("kubernetes:apps/v1:Deployment") + m("kubernetes:keda.sh/v1alpha1:ScaledObject");
                assert.ok(Math.abs(path.minutes - expected) < 1e-9, `${path.minutes} min, expected ${expected}:\n${path.steps.map((s) => `${s.type} ${s.name}`).join("\n")}`);
                const types = path.steps.filter((s) => s.custom).map((s) => s.type);
                assert.deepEqual(types.slice(0, 3), ["aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:eks/cluster:Cluster"]);
                assert.ok(types.includes("aws:eks/nodeGroup:NodeGroup") && types.includes("kubernetes:karpenter.sh/v1:NodePool"));
                assert.deepEqual(path.unlistedTypes, [], "every type of the stack has a create time");
            });
        });
    }
});
