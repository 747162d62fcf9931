import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { AGENT_NAMESPACE, OBSERVABILITY_NAMESPACE } from "../../components/shared/placement";
import { ALERTING_SECRET, GRAFANA_ADMIN_SECRET, REDIS_AUTH_SECRET } from "../../components/secrets/spec";
import { platformArgsFromConfig } from "../../stacks/args";
import { loadPlatformConfig } from "../../stacks/config";
import { ofType, one, runStackFile } from "../../testing";
import { AWS_STACKS, PROJECT_ROOT, runStack, sharedRender, stackConfig, STACKS } from "../../stacks/offline";
import { waitsFor } from "../../scripts/criticalPath";
import { SECRET_STORE_NAMESPACE } from "../../components/secrets/kubernetesStore";
import { validateKubernetesObject } from "../support/kubernetesSchema";
import { assertConfigRejected } from "../support/config";
import { assertNowherePlain } from "../support/secrets";
import { assertKnownFields } from "../fixtures/eso/models";

const SECRET_VALUES = "agent-platform:secretValues";
const KNOWN = { OPENAI_API_KEY: "sk-proj-KNOWN-value-7f3a9c1e5b" };
const EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret";
const VERSION = "aws:secretsmanager/secretVersion:SecretVersion";
const NAMESPACE = "kubernetes:core/v1:Namespace";

/** Runs the real program of a stack, as `runStack` does, but keeps the program's output objects (to ask which are secret). */
async function renderStack(stack: string, overrides: Record<string, unknown>) {
    let outputs: Record<string, unknown> = {};
    const result = await runStackFile(PROJECT_ROOT, stack, () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { definePlatform } = require("../../stacks/program") as typeof import("../../stacks/program");
        outputs = definePlatform();
        return outputs;
    }, overrides, { secretKeys: [SECRET_VALUES] });
    return { ...result, programOutputs: outputs };
}

for (const stack of STACKS) {
    const onAws = (AWS_STACKS as readonly string[]).includes(stack);
    // Where the config value is stored: a Secrets Manager version on AWS, the source Secret of the store namespace elsewhere.
    const holder = onAws ? { type: VERSION, name: "platform-secrets-llm", path: "secretString" } : { type: "kubernetes:core/v1:Secret", name: "platform-secrets-source-llm", path: "stringData" };
    describe(`AgentSecrets in the ${stack} stack`, () => {
        // dev's contact point is Grafana's Slack webhook, whose URL is the `alerting` secret.
        const alerting = stack === "dev" ? [ALERTING_SECRET.name] : [];
        let r: Awaited<ReturnType<typeof renderStack>>;
        before(async () => { r = await renderStack(stack, { [SECRET_VALUES]: { llm: KNOWN } }); });

        it("keeps the config secret and the generated values out of every input Pulumi does not hold as a secret", () => {
            const generated = ofType(r.resources, "random:index/randomPassword:RandomPassword").map((p) => p.state.result as string);
            assert.equal(generated.length >= 2, true, "redis-auth and grafana-admin are generated");
            const values = [KNOWN.OPENAI_API_KEY, ...generated];
            assertNowherePlain(r.resources, values);
            const seenAsSecret = r.resources.filter((res) => JSON.stringify(res.inputs).includes(KNOWN.OPENAI_API_KEY)).length;
            assert.equal(seenAsSecret, 1, `the config value reaches exactly one resource: its ${holder.type}`);
            const stored = one(r.resources, holder.type, holder.name);
            assert.deepEqual(stored.secretPaths, [holder.path]);
            const value = stored.inputs[holder.path];
            assert.deepEqual(typeof value === "string" ? JSON.parse(value) : value, KNOWN);
        });

        it("returns no secret value in a stack output unless that output is secret", async () => {
            const generated = ofType(r.resources, "random:index/randomPassword:RandomPassword").map((p) => p.state.result as string);
            for (const [name, out] of Object.entries(r.programOutputs)) {
                const text = JSON.stringify(r.outputs[name] ?? null);
                const carries = [KNOWN.OPENAI_API_KEY, ...generated].some((v) => text.includes(v));
                if (carries) assert.equal(await pulumi.isSecret(out as pulumi.Output<unknown>), true, `${name} is secret`);
            }
            assert.deepEqual(Object.keys(r.outputs.secretNames as object).sort(), [...alerting, "grafana-admin", "llm", "redis-auth"].sort());
            assert.equal((r.outputs.secretNames as Record<string, string>).llm, onAws ? `agent-platform/${stack}/llm` : `${SECRET_STORE_NAMESPACE}/llm`);
        });

        it("syncs llm into agents, redis-auth into agents, grafana-admin (and dev's alerting) into observability, under those names", async () => {
            const got = ofType(r.resources, EXTERNAL_SECRET).map((e) => `${e.inputs.metadata.namespace}/${e.inputs.spec.target.name}`).sort();
            assert.deepEqual(got, [
                `${AGENT_NAMESPACE}/llm`, `${AGENT_NAMESPACE}/${REDIS_AUTH_SECRET.name}`, `${OBSERVABILITY_NAMESPACE}/${GRAFANA_ADMIN_SECRET.name}`,
                ...alerting.map((n) => `${OBSERVABILITY_NAMESPACE}/${n}`),
            ].sort());
            const grafana = ofType(r.resources, EXTERNAL_SECRET).find((e) => e.inputs.spec.target.name === GRAFANA_ADMIN_SECRET.name)!;
            assert.deepEqual(grafana.inputs.spec.data.map((d: { secretKey: string }) => d.secretKey), [GRAFANA_ADMIN_SECRET.key]);
            for (const e of ofType(r.resources, EXTERNAL_SECRET)) {
                await validateKubernetesObject(e.inputs);
                assertKnownFields("ExternalSecret", e.inputs.spec);
            }
            const store = one(r.resources, "kubernetes:external-secrets.io/v1:ClusterSecretStore");
            await validateKubernetesObject(store.inputs);
            assertKnownFields("ClusterSecretStore", store.inputs.spec);
        });

        it("applies the stack's recovery window and refresh interval", () => {
            const file = stackConfig(stack)["agent-platform:secrets"] as { recoveryWindowDays: number; refreshInterval: string };
            for (const s of ofType(r.resources, "aws:secretsmanager/secret:Secret")) assert.equal(s.inputs.recoveryWindowInDays, file.recoveryWindowDays, s.name);
            for (const e of ofType(r.resources, EXTERNAL_SECRET)) assert.equal(e.inputs.spec.refreshInterval, file.refreshInterval, e.name);
        });

        it("creates the agents (restricted) and observability (baseline, warns restricted) namespaces before the ExternalSecrets in them", () => {
            const agents = ofType(r.resources, NAMESPACE).find((n) => n.inputs.metadata.name === AGENT_NAMESPACE)!;
            const observability = ofType(r.resources, NAMESPACE).find((n) => n.inputs.metadata.name === OBSERVABILITY_NAMESPACE)!;
            assert.deepEqual(agents.inputs.metadata.labels, {
                "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/audit": "restricted", "pod-security.kubernetes.io/warn": "restricted",
            });
            assert.equal(observability.inputs.metadata.labels["pod-security.kubernetes.io/enforce"], "baseline");
            assert.equal(observability.inputs.metadata.labels["pod-security.kubernetes.io/warn"], "restricted");
            const waits = waitsFor(r.resources);
            for (const e of ofType(r.resources, EXTERNAL_SECRET)) {
                const ns = e.inputs.metadata.namespace === AGENT_NAMESPACE ? agents : observability;
                assert.ok(waits(e.urn, ns.urn), `${e.name} waits for its namespace`);
            }
            if (onAws) {
                const eso = ofType(r.resources, "kubernetes:helm.sh/v3:Release").find((x) => x.name === "platform-secrets-eso")!;
                assert.ok(waits(eso.urn, one(r.resources, "aws:eks/nodeGroup:NodeGroup").urn), "ESO waits for the system nodes it runs on");
            }
        });

        it("runs ESO and Reloader through the platform's Kubernetes provider", () => {
            for (const rel of ofType(r.resources, "kubernetes:helm.sh/v3:Release").filter((x) => /platform-secrets-(eso|reloader)$/.test(x.name))) {
                assert.match(rel.provider, /pulumi:providers:kubernetes::platform-k8s::/, rel.name);
            }
            assert.equal(ofType(r.resources, "kubernetes:helm.sh/v3:Release").filter((x) => /platform-secrets-(eso|reloader)$/.test(x.name)).length, 2);
        });
    });
}

describe("AgentSecrets in a stack: out-of-band values", () => {
    it("creates the secret without a version when secretValues does not set it (put-secret-value sets it)", async () => {
        const r = await sharedRender("dev");
        assert.ok(one(r.resources, "aws:secretsmanager/secret:Secret", "platform-secrets-llm"));
        assert.deepEqual(ofType(r.resources, VERSION).map((v) => v.name).sort(), ["platform-secrets-grafana-admin", "platform-secrets-redis-auth"]);
        assert.ok(ofType(r.resources, EXTERNAL_SECRET).some((e) => e.inputs.metadata.name === "llm"), "still synced once set");
    });

    it("reads secretValues as a secret output and hands it to the platform as one", async () => {
        let isSecret: boolean | undefined;
        await runStackFile(PROJECT_ROOT, "dev", async () => {
            const config = loadPlatformConfig();
            const values = platformArgsFromConfig(config, {}).secrets!.entries!.find((e) => e.name === "llm")!.values!;
            isSecret = await pulumi.isSecret(values as pulumi.Output<unknown>) && await pulumi.isSecret(config.secretValues!.values!);
        }, { [SECRET_VALUES]: { llm: KNOWN } }, { secretKeys: [SECRET_VALUES] });
        assert.equal(isSecret, true);
    });

    it("accepts digits-only values that `config set --path` stores as numbers, as text", async () => {
        const r = await runStack("dev", { [SECRET_VALUES]: { llm: { OPENAI_API_KEY: 1234567890123 } } }, { secretKeys: [SECRET_VALUES] });
        assert.equal(JSON.parse(one(r.resources, VERSION, "platform-secrets-llm").inputs.secretString).OPENAI_API_KEY, "1234567890123");
    });
});

describe("AgentSecrets in a stack: bad secret configuration is rejected before any resource", () => {
    const llmTwoKeys = { entries: [{ name: "llm", keys: ["OPENAI_API_KEY", "ANTHROPIC_API_KEY"] }] };
    const cases: { title: string; overrides: Record<string, unknown>; key: string; allowed: RegExp }[] = [
        { title: "a value for an entry that is not declared", overrides: { [SECRET_VALUES]: { lm: { OPENAI_API_KEY: KNOWN.OPENAI_API_KEY } } }, key: `${SECRET_VALUES}.lm`, allowed: /an entry of secrets.entries: "llm"/ },
        { title: "a key the entry does not declare", overrides: { [SECRET_VALUES]: { llm: { ...KNOWN, OPENAI_KEY: "sk-typo-value" } } }, key: `${SECRET_VALUES}.llm.OPENAI_KEY`, allowed: /a key declared in secrets.entries \(llm\): OPENAI_API_KEY/ },
        { title: "an entry with only some of its keys", overrides: { "agent-platform:secrets": llmTwoKeys, [SECRET_VALUES]: { llm: KNOWN } }, key: `${SECRET_VALUES}.llm.ANTHROPIC_API_KEY`, allowed: /set every key of llm/ },
        { title: "an empty value", overrides: { [SECRET_VALUES]: { llm: { OPENAI_API_KEY: "" } } }, key: `${SECRET_VALUES}.llm.OPENAI_API_KEY`, allowed: /a non-empty string/ },
        { title: "a value that is not an object", overrides: { [SECRET_VALUES]: KNOWN.OPENAI_API_KEY }, key: SECRET_VALUES, allowed: /an object \{ <entry>: \{ <KEY>: <value> \} \}/ },
        { title: "an entry named like a generated secret", overrides: { "agent-platform:secrets": { entries: [{ name: "redis-auth", keys: ["PASSWORD"] }] } }, key: "agent-platform:secrets.entries[0].name", allowed: /other than the platform's own secrets redis-auth, grafana-admin, alerting/ },
        { title: "a refresh interval that is not a duration", overrides: { "agent-platform:secrets": { refreshInterval: "hourly" } }, key: "agent-platform:secrets.refreshInterval", allowed: /a duration such as "30s"/ },
    ];
    for (const c of cases) {
        it(`${c.title}: names ${c.key}, never shows the value, registers nothing`, async () => {
            const result = await runStack("dev", c.overrides, { captureError: true, secretKeys: [SECRET_VALUES] });
            const error = assertConfigRejected(result);
            const line = error.message.split("\n").find((l) => l.includes(`${c.key}:`));
            assert.ok(line, `message names ${c.key}:\n${error.message}`);
            assert.match(line, c.allowed);
            for (const v of [KNOWN.OPENAI_API_KEY, "sk-typo-value"]) assert.ok(!error.message.includes(v), "no secret value in the error");
        });
    }
});
