import * as assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AgentSecrets, AgentSecretsArgs } from "../../components/secrets";
import { kubernetesStoreSpec, SECRET_STORE_NAMESPACE, SECRET_STORE_READER } from "../../components/secrets/kubernetesStore";
import { externalSecretsValues, reloaderValues } from "../../components/secrets/spec";
import { besidesStack, kubernetesObjects, ofType, one, runProgram, RunResult } from "../../testing";
import { assertKnownFields } from "../fixtures/eso/models";
import { validateKubernetesObject } from "../support/kubernetesSchema";
import { assertNowherePlain } from "../support/secrets";

const KNOWN_VALUE = "sk-test-KNOWN-kubernetes-store-42";
const EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret";
const SOURCE = (name: string) => `sec-source-${name}`;

const args = (): AgentSecretsArgs => ({
    environment: "local",
    store: "kubernetes",
    onSystemNodes: false,
    secrets: [
        { name: "llm", keys: ["OPENAI_API_KEY"], values: pulumi.secret({ OPENAI_API_KEY: KNOWN_VALUE }) },
        { name: "hf", keys: ["HF_TOKEN"] },
    ],
    generatedSecrets: [{ name: "redis-auth", key: "password", namespaces: ["agents"] }],
    namespaces: ["agents"],
    refreshInterval: "1m",
});

function render(a: AgentSecretsArgs): Promise<RunResult> {
    return runProgram(() => {
        const component = new AgentSecrets("sec", a, { providers: { kubernetes: new k8s.Provider("k8s", { context: "kind-test" }) } });
        return { secretNames: component.secretNames, kmsKeyArn: component.kmsKeyArn, roleArn: component.externalSecretsRoleArn, secretArns: component.secretArns };
    }, { captureError: true });
}

describe("AgentSecrets: the kubernetes store (no AWS)", () => {
    let r: RunResult;
    before(async () => { r = await render(args()); assert.equal(r.error, undefined); });

    it("registers no AWS resource and calls no AWS function", () => {
        assert.deepEqual(r.resources.filter((x) => x.type.startsWith("aws:")).map((x) => `${x.type} ${x.name}`), []);
        assert.deepEqual(r.invokes.filter((i) => i.token.startsWith("aws:")), []);
        assert.deepEqual(r.outputs, { secretNames: { llm: `${SECRET_STORE_NAMESPACE}/llm`, hf: `${SECRET_STORE_NAMESPACE}/hf`, "redis-auth": `${SECRET_STORE_NAMESPACE}/redis-auth` }, secretArns: {}, kmsKeyArn: undefined, roleArn: undefined });
    });

    it("keeps each value in a source Secret of the store namespace, held as a secret; an entry without a value gets an empty one to set out of band", () => {
        const llm = one(r.resources, "kubernetes:core/v1:Secret", SOURCE("llm"));
        assert.deepEqual(llm.inputs.metadata.namespace, SECRET_STORE_NAMESPACE);
        assert.deepEqual(llm.inputs.stringData, { OPENAI_API_KEY: KNOWN_VALUE });
        assert.deepEqual(llm.secretPaths, ["stringData"]);
        const redis = one(r.resources, "kubernetes:core/v1:Secret", SOURCE("redis-auth"));
        assert.deepEqual(Object.keys(redis.inputs.stringData), ["password"]);
        assert.match(redis.inputs.stringData.password, /^[A-Za-z0-9]{32}$/);
        assert.deepEqual(redis.secretPaths, ["stringData"]);
        assert.equal(one(r.resources, "kubernetes:core/v1:Secret", SOURCE("hf")).inputs.stringData, undefined);
        const generated = one(r.resources, "random:index/randomPassword:RandomPassword").state.result as string;
        assertNowherePlain(r.resources, [KNOWN_VALUE, generated]);
    });

    it("lets ESO read that namespace, and only it, as a dedicated service account", async () => {
        const role = one(r.resources, "kubernetes:rbac.authorization.k8s.io/v1:Role");
        assert.equal(role.inputs.metadata.namespace, SECRET_STORE_NAMESPACE);
        assert.deepEqual(role.inputs.rules[0], { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] });
        assert.equal(ofType(r.resources, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole").length, 0, "no cluster-wide grant");
        const binding = one(r.resources, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding");
        assert.deepEqual(binding.inputs.subjects, [{ kind: "ServiceAccount", name: SECRET_STORE_READER, namespace: SECRET_STORE_NAMESPACE }]);
        const ns = ofType(r.resources, "kubernetes:core/v1:Namespace").find((n) => n.inputs.metadata.name === SECRET_STORE_NAMESPACE)!;
        assert.equal(ns.inputs.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
        for (const o of kubernetesObjects(r.resources)) await validateKubernetesObject(o.inputs);
    });

    it("points the same ClusterSecretStore at it through ESO's kubernetes provider, valid against the CRD with no unknown field", () => {
        const store = one(r.resources, "kubernetes:external-secrets.io/v1:ClusterSecretStore");
        assert.deepEqual(store.inputs.spec, kubernetesStoreSpec(SECRET_STORE_NAMESPACE, ["agents"]));
        assert.equal(store.inputs.spec.provider.kubernetes.remoteNamespace, SECRET_STORE_NAMESPACE);
        assert.deepEqual(store.inputs.spec.provider.kubernetes.auth, { serviceAccount: { name: SECRET_STORE_READER, namespace: SECRET_STORE_NAMESPACE } });
        assertKnownFields("ClusterSecretStore", store.inputs.spec);
        assert.throws(() => assertKnownFields("ClusterSecretStore", { provider: { kubernetes: { remoteNamespaces: "x" } } }), /remoteNamespaces: not a field of KubernetesProvider/);
        assert.ok(["sec-store-reader"].every((n) => ofType(r.resources, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding").some((b) => store.dependencies.includes(b.urn) && b.name === n)), "the store waits for the reader's binding");
    });

    it("syncs the same ExternalSecrets, keyed by the source Secret's name, each after its source", () => {
        const llm = ofType(r.resources, EXTERNAL_SECRET).find((e) => e.inputs.metadata.name === "llm")!;
        assert.deepEqual(llm.inputs.spec.data, [{ secretKey: "OPENAI_API_KEY", remoteRef: { key: "llm", property: "OPENAI_API_KEY" } }]);
        assert.ok(llm.dependencies.includes(one(r.resources, "kubernetes:core/v1:Secret", SOURCE("llm")).urn));
        for (const e of ofType(r.resources, EXTERNAL_SECRET)) assertKnownFields("ExternalSecret", e.inputs.spec);
        assert.deepEqual(ofType(r.resources, EXTERNAL_SECRET).map((e) => `${e.inputs.metadata.namespace}/${e.inputs.metadata.name}`).sort(), ["agents/hf", "agents/llm", "agents/redis-auth"]);
    });

    it("leaves ESO and Reloader to the scheduler on a cluster without system nodes", () => {
        const releases = ofType(r.resources, "kubernetes:helm.sh/v3:Release");
        assert.deepEqual(releases.find((x) => x.inputs.chart === "external-secrets")!.inputs.values, externalSecretsValues(false));
        assert.deepEqual(releases.find((x) => x.inputs.chart === "reloader")!.inputs.values, reloaderValues(false));
        assert.equal(externalSecretsValues(false).nodeSelector, undefined);
        assert.equal(reloaderValues(false).reloader.deployment.nodeSelector, undefined);
        assert.deepEqual(externalSecretsValues(true).nodeSelector, { "agent-platform.io/node-role": "system" });
    });

    it("refuses a value with other keys than declared (naming keys, never values), and Secrets Manager without a cluster", async () => {
        const bad = await render({ ...args(), secrets: [{ name: "llm", keys: ["OPENAI_API_KEY"], values: { OPENAI_KEY: KNOWN_VALUE } }] });
        assert.match(String(bad.error?.message), /secrets\[0\]\.values: .*values for exactly the keys OPENAI_API_KEY/);
        assert.ok(!String(bad.error?.message).includes(KNOWN_VALUE));
        assert.deepEqual(besidesStack(bad.resources).filter((x) => !x.type.startsWith("pulumi:providers:")), []);
        const aws = await render({ ...args(), store: undefined });
        assert.match(String(aws.error?.message), /clusterName: got nothing; allowed: the EKS cluster name \(required with store "secrets-manager"/);
    });
});
