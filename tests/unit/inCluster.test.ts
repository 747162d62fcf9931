import * as assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AgentSecrets } from "../../components/secrets";
import { dependsOnFor, InClusterDependencies } from "../../components/shared/inCluster";
import { AgentWorkload } from "../../components/workload";
import { waitsFor } from "../../scripts/criticalPath";
import { kubernetesObjects, ofType, one, Registered, runProgram } from "../../testing";

/** Stand-ins for what the platform hands down: one ConfigMap per kind, so each wait is visible. */
function markers(provider: k8s.Provider): Required<InClusterDependencies> {
    const marker = (kind: string) => [new k8s.core.v1.ConfigMap(`marker-${kind}`, { metadata: { name: kind, namespace: "default" } }, { provider })];
    return { namespaces: marker("namespaces"), pods: marker("pods"), secrets: marker("secrets"), customResources: marker("custom-resources") };
}

const markerUrn = (resources: Registered[], kind: string) => one(resources, "kubernetes:core/v1:ConfigMap", `marker-${kind}`).urn;

describe("in-cluster dependencies (components/shared/inCluster.ts)", () => {
    it("lists the given kinds, then the object's own dependencies", () => {
        const [a, b, c] = ["a", "b", "c"].map((n) => ({ n }) as unknown as pulumi.Resource);
        assert.deepEqual(dependsOnFor({ namespaces: [a], pods: [b] }, ["pods", "namespaces"], [c]), [b, a, c]);
        assert.deepEqual(dependsOnFor(undefined, ["pods"], [c]), [c]);
        assert.deepEqual(dependsOnFor({ secrets: [a] }, ["pods"]), []);
    });

    it("AgentWorkload: objects wait for the namespace, the Deployment also for pods and secrets, the ScaledObject for KEDA; its IAM role for none", async () => {
        const { resources } = await runProgram(() => {
            const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
            new AgentWorkload("worker", {
                workloadName: "worker", role: "worker", environment: "dev", clusterName: "agents-dev", image: "repo/agent@sha256:" + "a".repeat(64),
                region: "us-west-2", queue: { url: "https://sqs.us-west-2.amazonaws.com/123456789012/jobs", arn: "arn:aws:sqs:us-west-2:123456789012:jobs", maxJobDurationSeconds: 300 },
                llm: { baseUrl: "https://api.openai.com/v1", model: "gpt-4o-mini" },
                inClusterDependsOn: markers(provider),
            }, { providers: { kubernetes: provider } });
        });
        const waits = waitsFor(resources);
        const marker = (kind: string) => markerUrn(resources, kind);
        for (const o of [...kubernetesObjects(resources, "ServiceAccount"), ...kubernetesObjects(resources, "ConfigMap").filter((c) => c.name === "worker"),
            ...kubernetesObjects(resources, "NetworkPolicy"), ...kubernetesObjects(resources, "PodDisruptionBudget")]) {
            assert.ok(waits(o.urn, marker("namespaces")), `${o.type} waits for the namespace`);
            assert.ok(!waits(o.urn, marker("pods")) && !waits(o.urn, marker("secrets")), `${o.type} does not wait for nodes or secrets`);
        }
        const deployment = one(resources, "kubernetes:apps/v1:Deployment");
        for (const kind of ["namespaces", "pods", "secrets"]) assert.ok(waits(deployment.urn, marker(kind)), `the Deployment waits for ${kind}`);
        assert.ok(!waits(deployment.urn, marker("custom-resources")));
        assert.ok(waits(one(resources, "kubernetes:keda.sh/v1alpha1:ScaledObject").urn, marker("custom-resources")), "the ScaledObject waits for KEDA");
        for (const r of [one(resources, "aws:iam/rolePolicy:RolePolicy"), one(resources, "aws:iam/role:Role")]) {
            assert.ok(!waits(r.urn, marker("pods")), `${r.type} does not wait for nodes`);
        }
    });

    it("AgentSecrets: ESO and Reloader wait for pods, ExternalSecrets for the namespaces; keys, secrets and passwords for neither", async () => {
        const { resources } = await runProgram(() => {
            const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
            new AgentSecrets("sec", {
                clusterName: "agents-dev", environment: "dev", secrets: [{ name: "llm", keys: ["OPENAI_API_KEY"] }],
                generatedSecrets: [{ name: "redis-auth", key: "password", namespaces: ["agents"] }], namespaces: ["agents"],
                inClusterDependsOn: markers(provider),
            }, { providers: { kubernetes: provider } });
        }, { config: { "aws:region": "eu-west-1" } });
        const waits = waitsFor(resources);
        const marker = (kind: string) => markerUrn(resources, kind);
        for (const release of ofType(resources, "kubernetes:helm.sh/v3:Release")) assert.ok(waits(release.urn, marker("pods")), `${release.name} waits for nodes`);
        const externalSecrets = kubernetesObjects(resources, "ExternalSecret");
        assert.equal(externalSecrets.length, 2);
        for (const e of externalSecrets) assert.ok(waits(e.urn, marker("namespaces")), `${e.name} waits for its namespace`);
        const awsSide = resources.filter((r) => r.custom && /^(aws|random):/.test(r.type));
        assert.ok(awsSide.length >= 8);
        for (const r of awsSide) {
            for (const kind of ["namespaces", "pods"]) assert.ok(!waits(r.urn, marker(kind)), `${r.type} ${r.name} does not wait for ${kind}`);
        }
    });
});
