import * as assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { systemPodPlacement } from "../../components/shared/placement";
import { AgentSecrets, AgentSecretsArgs, parseSecretsArgs } from "../../components/secrets";
import { awsSecretName, checkedSecretValues, clusterSecretStoreSpec, EXTERNAL_SECRETS_NAMESPACE, EXTERNAL_SECRETS_SERVICE_ACCOUNT, externalSecretSpec, externalSecretsValues, reloadAnnotations, RELOADER_SECRET_ANNOTATION, reloaderValues } from "../../components/secrets/spec";
import { EXTERNAL_SECRETS_CHART, RELOADER_CHART } from "../../components/shared/versions";
import { besidesStack, json, ofType, one, Registered, runProgram } from "../../testing";
import { validateKubernetesObject } from "../support/kubernetesSchema";
import { assertNowherePlain } from "../support/secrets";
import { assertKnownFields } from "../fixtures/eso/models";

const KEY = "aws:kms/key:Key";
const SECRET = "aws:secretsmanager/secret:Secret";
const VERSION = "aws:secretsmanager/secretVersion:SecretVersion";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret";
const STORE = "kubernetes:external-secrets.io/v1:ClusterSecretStore";
const KNOWN_VALUE = "sk-test-KNOWN-0123456789abcdef";

const baseArgs = (): AgentSecretsArgs => ({
    clusterName: "agents-test",
    environment: "test",
    secrets: [
        { name: "llm", keys: ["OPENAI_API_KEY", "ANTHROPIC_API_KEY"], description: "LLM keys", values: pulumi.secret({ OPENAI_API_KEY: KNOWN_VALUE, ANTHROPIC_API_KEY: `${KNOWN_VALUE}-2` }) },
        { name: "hf", keys: ["HF_TOKEN"] },
    ],
    generatedSecrets: [
        { name: "redis-auth", key: "password", namespaces: ["agents"] },
        { name: "grafana-admin", key: "admin-password", length: 40, namespaces: ["observability"] },
    ],
    namespaces: ["agents", "tools"],
    recoveryWindowDays: 7,
    refreshInterval: "15m",
    tags: { team: "platform" },
});

/** Renders AgentSecrets alone, with a Kubernetes provider handed down the way AgentPlatform does. */
async function render(args: AgentSecretsArgs) {
    let component!: AgentSecrets;
    const result = await runProgram(() => {
        const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
        component = new AgentSecrets("sec", args, { providers: { kubernetes: provider } });
        return {
            kmsKeyArn: component.kmsKeyArn, secretArns: component.secretArns, kubernetesSecretNames: component.kubernetesSecretNames,
            generatedValues: component.generatedValues, clusterSecretStoreName: component.clusterSecretStoreName, secretNames: component.secretNames,
        };
    }, { config: { "aws:region": "eu-west-1" } });
    return { ...result, component };
}

/** Awaits an output's value (mocks resolve them all). */
function valueOf<T>(o: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => o.apply((v) => { resolve(v); return v; }));
}

describe("AgentSecrets: derived values", () => {
    it("stores exactly the declared keys, in order, and names keys — never values — when they do not match", () => {
        assert.equal(JSON.stringify(checkedSecretValues("llm", ["B", "A"], { A: "1", B: "2" })), JSON.stringify({ B: "2", A: "1" }));
        assert.throws(() => checkedSecretValues("llm", ["A", "B"], { A: "secret-a" }), (e: Error) => /missing or empty: B/.test(e.message) && !e.message.includes("secret-a"));
        assert.throws(() => checkedSecretValues("llm", ["A"], { A: "secret-a", C: "secret-c" }), (e: Error) => /not declared: C/.test(e.message) && !e.message.includes("secret-"));
        assert.throws(() => checkedSecretValues("llm", ["A"], { A: "" }), /missing or empty: A/);
    });

    it("annotates a workload with the sorted, de-duplicated Secrets whose change restarts it", () => {
        assert.deepEqual(reloadAnnotations(["redis-auth", "llm", "llm"]), { [RELOADER_SECRET_ANNOTATION]: "llm,redis-auth" });
        assert.equal(RELOADER_SECRET_ANNOTATION, "secret.reloader.stakater.com/reload");
        assert.deepEqual(reloadAnnotations([]), {});
    });

    it("puts the ESO controller, webhook and cert-controller on the system nodes, with the Pod Identity service account", () => {
        const values = externalSecretsValues();
        const placement = systemPodPlacement();
        assert.equal(values.installCRDs, true);
        assert.deepEqual(values.serviceAccount, { create: true, name: EXTERNAL_SECRETS_SERVICE_ACCOUNT });
        for (const part of [values, values.webhook, values.certController]) {
            assert.deepEqual(part.nodeSelector, placement.nodeSelector);
            assert.deepEqual(part.tolerations, placement.tolerations);
            assert.ok(part.resources.requests.memory && part.resources.limits.memory);
        }
    });

    it("runs Reloader on the system nodes with the annotations strategy and a read-only root filesystem", () => {
        const { reloader } = reloaderValues();
        assert.equal(reloader.reloadStrategy, "annotations");
        assert.equal(reloader.readOnlyRootFileSystem, true);
        assert.deepEqual(reloader.deployment.nodeSelector, systemPodPlacement().nodeSelector);
        assert.deepEqual(reloader.deployment.tolerations, systemPodPlacement().tolerations);
        assert.deepEqual(reloader.deployment.containerSecurityContext.capabilities.drop, ["ALL"]);
    });

    it("builds ExternalSecret and ClusterSecretStore specs that validate against the ESO v1 CRD models, with no unknown field", async () => {
        const spec = externalSecretSpec({ storeName: "store", remoteName: "agent-platform/test/llm", targetName: "llm", keys: ["A", "B"], refreshInterval: "15m" });
        const externalSecret = { apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", metadata: { name: "llm", namespace: "agents" }, spec };
        await validateKubernetesObject(externalSecret);
        assertKnownFields("ExternalSecret", spec);
        assert.deepEqual(spec.data.map((d) => [d.secretKey, d.remoteRef.key, d.remoteRef.property]), [["A", "agent-platform/test/llm", "A"], ["B", "agent-platform/test/llm", "B"]]);
        assert.equal(spec.target.creationPolicy, "Owner");
        const storeSpec = clusterSecretStoreSpec("eu-west-1", ["b", "a", "b"]);
        await validateKubernetesObject({ apiVersion: "external-secrets.io/v1", kind: "ClusterSecretStore", metadata: { name: "store" }, spec: storeSpec });
        assertKnownFields("ClusterSecretStore", storeSpec);
        assert.deepEqual(storeSpec.conditions, [{ namespaces: ["a", "b"] }]);
        assert.equal("auth" in storeSpec.provider.aws, false, "no auth block: the controller's Pod Identity credentials");
        // The models do reject what ESO rejects (so the checks above can fail).
        await assert.rejects(validateKubernetesObject({ ...externalSecret, spec: { ...spec, target: { ...spec.target, creationPolicy: "Owned" } } }), /creationPolicy/);
        assert.throws(() => assertKnownFields("ExternalSecret", { ...spec, refreshIntervall: "1h" }), /refreshIntervall/);
    });

    it("rejects invalid arguments, naming each, and never echoes a secret value", () => {
        const bad: AgentSecretsArgs = {
            ...baseArgs(),
            environment: "Prod",
            recoveryWindowDays: 3,
            refreshInterval: "soon",
            secrets: [
                { name: "llm", keys: ["OPENAI_API_KEY"], values: { OPENAI_API_KEY: KNOWN_VALUE, EXTRA: "also-secret" } },
                { name: "llm", keys: [] },
                { name: "Bad_Name", keys: ["bad key"] },
            ],
            generatedSecrets: [{ name: "redis-auth", key: "password", length: 8, namespaces: [] }],
        };
        assert.throws(() => parseSecretsArgs(bad), (e: Error) => {
            for (const path of ["environment", "recoveryWindowDays", "refreshInterval", "secrets[0].values", "secrets[1].name", "secrets[1].keys", "secrets[2].name",
                "secrets[2].keys[0]", "generatedSecrets[0].length", "generatedSecrets[0].namespaces"]) {
                assert.ok(e.message.includes(`${path}:`), `names ${path}: ${e.message}`);
            }
            assert.ok(!e.message.includes(KNOWN_VALUE) && !e.message.includes("also-secret"), "no value in the message");
            return true;
        });
        assert.doesNotThrow(() => parseSecretsArgs(baseArgs()));
    });

    it("fails in the constructor before registering anything, itself included, when the arguments are invalid", async () => {
        const run = await runProgram(() => new AgentSecrets("sec", { ...baseArgs(), recoveryWindowDays: 45 }), { captureError: true });
        assert.match(String(run.error?.message), /recoveryWindowDays: got 45; allowed: 0, or 7 to 30/);
        assert.deepEqual(besidesStack(run.resources).map((r) => r.type), [], "nothing registered");
    });
});

describe("AgentSecrets: rendered", () => {
    let result: Awaited<ReturnType<typeof render>>;
    before(async () => { result = await render(baseArgs()); });
    const external = () => ofType(result.resources, EXTERNAL_SECRET);

    it("creates one customer-managed KMS key with rotation on, and an alias", () => {
        const key = one(result.resources, KEY);
        assert.equal(key.inputs.enableKeyRotation, true);
        assert.equal(key.inputs.deletionWindowInDays, 30);
        assert.equal(one(result.resources, "aws:kms/alias:Alias").inputs.name, "alias/agent-platform/test/secrets");
    });

    it("creates a Secrets Manager secret per entry and generated secret, encrypted with the key, with the recovery window", () => {
        const key = one(result.resources, KEY);
        const secrets = ofType(result.resources, SECRET);
        assert.deepEqual(secrets.map((s) => s.inputs.name).sort(), ["grafana-admin", "hf", "llm", "redis-auth"].map((n) => `agent-platform/test/${n}`));
        for (const s of secrets) {
            assert.equal(s.inputs.kmsKeyId, key.state.arn);
            assert.equal(s.inputs.recoveryWindowInDays, 7);
            assert.equal(s.inputs.tags.team, "platform");
        }
    });

    it("creates a SecretVersion only where a value is given (config or generated), held as a secret", () => {
        const versions = ofType(result.resources, VERSION);
        assert.deepEqual(versions.map((v) => v.name).sort(), ["sec-grafana-admin", "sec-llm", "sec-redis-auth"], "no version for hf: set out of band");
        for (const v of versions) assert.deepEqual(v.secretPaths, ["secretString"], `${v.name} secretString is secret`);
        const llm = one(result.resources, VERSION, "sec-llm");
        assert.deepEqual(JSON.parse(llm.inputs.secretString), { OPENAI_API_KEY: KNOWN_VALUE, ANTHROPIC_API_KEY: `${KNOWN_VALUE}-2` });
        assert.equal(llm.inputs.secretId, one(result.resources, SECRET, "sec-llm").state.id);
    });

    it("holds a value as a secret even when the caller passed it as plain text", async () => {
        const plain = await render({ ...baseArgs(), secrets: [{ name: "llm", keys: ["OPENAI_API_KEY"], values: { OPENAI_API_KEY: "given-as-plain-text" } }] });
        const version = one(plain.resources, VERSION, "sec-llm");
        assert.deepEqual(version.secretPaths, ["secretString"]);
        assert.equal(JSON.parse(version.inputs.secretString).OPENAI_API_KEY, "given-as-plain-text");
    });

    it("generates passwords with @pulumi/random, letters and digits, of the requested length", () => {
        const passwords = ofType(result.resources, "random:index/randomPassword:RandomPassword");
        const byName = Object.fromEntries(passwords.map((p) => [p.name, p.inputs]));
        assert.equal(byName["sec-redis-auth"].length, 32);
        assert.equal(byName["sec-grafana-admin"].length, 40);
        for (const p of passwords) assert.equal(p.inputs.special, false);
        const stored = JSON.parse(one(result.resources, VERSION, "sec-redis-auth").inputs.secretString);
        assert.deepEqual(Object.keys(stored), ["password"]);
        assert.equal(stored.password, one(result.resources, "random:index/randomPassword:RandomPassword", "sec-redis-auth").state.result);
    });

    it("installs the pinned External Secrets chart on the system nodes, after its Pod Identity association", () => {
        const eso = one(result.resources, RELEASE, "sec-eso");
        assert.equal(eso.inputs.chart, EXTERNAL_SECRETS_CHART.chart);
        assert.equal(eso.inputs.version, EXTERNAL_SECRETS_CHART.version);
        assert.equal(eso.inputs.repositoryOpts.repo, EXTERNAL_SECRETS_CHART.repository);
        assert.equal(eso.inputs.namespace, EXTERNAL_SECRETS_NAMESPACE);
        assert.deepEqual(eso.inputs.values, externalSecretsValues());
        const association = one(result.resources, "aws:eks/podIdentityAssociation:PodIdentityAssociation");
        assert.equal(association.inputs.namespace, EXTERNAL_SECRETS_NAMESPACE);
        assert.equal(association.inputs.serviceAccount, eso.inputs.values.serviceAccount.name);
        assert.equal(association.inputs.clusterName, "agents-test");
        assert.ok(eso.dependencies.includes(association.urn), "the chart's pods start after the association exists");
        assert.match(eso.provider, /pulumi:providers:kubernetes::k8s::/, "on the Kubernetes provider handed down by the parent");
    });

    it("installs the pinned Reloader chart (and none when disabled)", async () => {
        const reloader = one(result.resources, RELEASE, "sec-reloader");
        assert.equal(reloader.inputs.version, RELOADER_CHART.version);
        assert.equal(reloader.inputs.repositoryOpts.repo, RELOADER_CHART.repository);
        assert.deepEqual(reloader.inputs.values, reloaderValues());
        const without = await render({ ...baseArgs(), reloader: false });
        assert.deepEqual(ofType(without.resources, RELEASE).map((r) => r.name), ["sec-eso"]);
    });

    it("creates a ClusterSecretStore for Secrets Manager in the stack's region, usable only from the target namespaces", () => {
        const store = one(result.resources, STORE);
        assert.equal(store.inputs.apiVersion, "external-secrets.io/v1");
        assert.equal(store.inputs.metadata.name, "agent-platform-test");
        assert.deepEqual(store.inputs.spec.provider, { aws: { service: "SecretsManager", region: "eu-west-1" } });
        assert.deepEqual(store.inputs.spec.conditions, [{ namespaces: ["agents", "observability", "tools"] }]);
        assert.ok(store.dependencies.includes(one(result.resources, RELEASE, "sec-eso").urn), "after the chart that installs the CRD");
        assert.ok(store.dependencies.includes(one(result.resources, "aws:iam/rolePolicy:RolePolicy").urn), "after ESO may read");
    });

    it("creates an ExternalSecret per entry and namespace, and per generated secret in its namespaces, each named as its Secret", () => {
        const got = external().map((r) => `${r.inputs.metadata.namespace}/${r.inputs.metadata.name}`).sort();
        assert.deepEqual(got, ["agents/hf", "agents/llm", "agents/redis-auth", "observability/grafana-admin", "tools/hf", "tools/llm"]);
        for (const r of external()) {
            const spec = r.inputs.spec;
            assert.equal(spec.target.name, r.inputs.metadata.name);
            assert.equal(spec.target.creationPolicy, "Owner");
            assert.equal(spec.refreshInterval, "15m");
            assert.deepEqual(spec.secretStoreRef, { kind: "ClusterSecretStore", name: "agent-platform-test" });
            for (const d of spec.data) assert.equal(d.remoteRef.key, awsSecretName("agent-platform/test", r.inputs.metadata.name));
        }
        const grafana = external().find((r) => r.inputs.metadata.name === "grafana-admin")!;
        assert.deepEqual(grafana.inputs.spec.data, [{ secretKey: "admin-password", remoteRef: { key: "agent-platform/test/grafana-admin", property: "admin-password" } }]);
        const llm = external().find((r) => r.inputs.metadata.name === "llm")!;
        assert.deepEqual(llm.inputs.spec.data.map((d: { secretKey: string }) => d.secretKey), ["OPENAI_API_KEY", "ANTHROPIC_API_KEY"]);
    });

    it("validates every rendered custom resource against the ESO v1 CRD models", async () => {
        for (const r of [...external(), one(result.resources, STORE)]) {
            const { apiVersion, kind, metadata, spec } = r.inputs;
            assert.equal(apiVersion, "external-secrets.io/v1");
            // apiVersion and kind as rendered: the model's schema checks them too.
            await validateKubernetesObject({ apiVersion, kind, metadata, spec });
            assertKnownFields(kind, spec);
        }
    });

    it("makes each ExternalSecret wait for the chart, the store and its value, and re-sync at once when pulumi changes the value", () => {
        const release = one(result.resources, RELEASE, "sec-eso");
        const store = one(result.resources, STORE);
        for (const r of external()) {
            assert.ok(r.dependencies.includes(release.urn) && r.dependencies.includes(store.urn), r.name);
            assert.match(r.provider, /pulumi:providers:kubernetes::k8s::/);
        }
        const llm = external().find((r) => r.name === "sec-llm-agents")!;
        const version: Registered = one(result.resources, VERSION, "sec-llm");
        assert.ok(llm.dependencies.includes(version.urn));
        assert.equal(llm.inputs.metadata.annotations["agent-platform.io/secret-version"], version.state.versionId);
        assert.equal(external().find((r) => r.name === "sec-hf-agents")!.inputs.metadata.annotations, undefined, "out-of-band values: no version to follow");
    });

    it("keeps every given or generated value out of every input Pulumi does not hold as a secret", () => {
        const generated = ofType(result.resources, "random:index/randomPassword:RandomPassword").map((p) => p.state.result as string);
        const values = [KNOWN_VALUE, ...generated];
        assertNowherePlain(result.resources, values);
    });

    it("returns the contract outputs: ARNs, Kubernetes Secret names, secret generated values, the store name", async () => {
        const { component } = result;
        const arns = await valueOf(component.secretArns);
        assert.deepEqual(Object.keys(arns).sort(), ["grafana-admin", "hf", "llm", "redis-auth"]);
        assert.equal(arns.llm, one(result.resources, SECRET, "sec-llm").state.arn);
        assert.deepEqual(await valueOf(component.kubernetesSecretNames), { llm: "llm", hf: "hf", "redis-auth": "redis-auth", "grafana-admin": "grafana-admin" });
        assert.equal((await valueOf(component.secretNames)).hf, "agent-platform/test/hf");
        assert.equal(await pulumi.isSecret(component.generatedValues), true);
        const generated = await valueOf(component.generatedValues);
        assert.deepEqual(Object.keys(generated).sort(), ["grafana-admin", "redis-auth"]);
        assert.equal(generated["grafana-admin"].length, 40);
        assert.equal(await valueOf(component.clusterSecretStoreName), "agent-platform-test");
        assert.equal(await valueOf(component.kmsKeyArn), one(result.resources, KEY).state.arn);
    });

    it("grants the ESO role read access to exactly the created secrets", () => {
        const policy = json(one(result.resources, "aws:iam/rolePolicy:RolePolicy").inputs.policy);
        const arns = ofType(result.resources, SECRET).map((s) => s.state.arn as string).sort();
        assert.deepEqual(policy.Statement.find((s: { Sid: string }) => s.Sid === "ReadPlatformSecrets").Resource, arns);
    });
});
