import * as assert from "node:assert/strict";
import { ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { AnalyzeRequest, AnalyzerInfo, AnalyzerResourceOptions, AnalyzeResponse, EnforcementLevel } from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { RULES } from "../../policy/policies";
import { policyViolations } from "../../scripts/review/policy";
import { Registered } from "../../testing";
import { AWS_STACKS, PROJECT_ROOT, sharedRender, STACKS } from "../../stacks/offline";
import { agentDeployment, container, mutate, UNKNOWN_STRING_WIRE } from "../support/policyFixtures";

/**
 * Violations in the rendered stacks that are accepted, each named, with the reason. Every entry must
 * still occur (the test fails on a stale exception), so fixing the resource means deleting the entry.
 */
/**
 * Violations the stacks are allowed to have. Empty: the one justified case (Karpenter's interruption
 * queue has no DLQ) carries the policy-exempt tag on the resource itself.
 */
const KNOWN_EXCEPTIONS: { rule: string; type: string; name: string; why: string }[] = [];

for (const stack of STACKS) {
    describe(`policy pack: the ${stack} stack complies`, () => {
        let resources: Registered[];
        before(async () => {
            resources = (await sharedRender(stack)).resources;
        });

        it("violates no rule, apart from the named known exceptions", () => {
            const found = policyViolations(resources);
            const isKnown = (v: { rule: string; type: string; name: string }) => KNOWN_EXCEPTIONS.some((k) => k.rule === v.rule && k.type === v.type && k.name === v.name);
            assert.deepEqual(found.filter((v) => !isKnown(v)).map((v) => `${v.rule}: ${v.type} ${v.name}: ${v.message}`), []);
            for (const k of KNOWN_EXCEPTIONS) {
                assert.ok(found.some((v) => v.rule === k.rule && v.type === k.type && v.name === k.name), `stale known exception ${k.rule} on ${k.name}: delete it`);
            }
        });

        it("gives the rules real resources to check (type tokens match what the program registers)", () => {
            const types = new Set(resources.map((r) => r.type));
            const applied = RULES.filter((rule) => rule.resourceTypes.some((t) => types.has(t))).map((r) => r.name);
            // dev has no bucket and no ElastiCache; the local stack has no AWS resource at all, so only the Kubernetes and Helm rules apply.
            const onAws = (AWS_STACKS as readonly string[]).includes(stack);
            const expected = RULES.filter((rule) => onAws || rule.resourceTypes.some((t) => !t.startsWith("aws:"))).map((r) => r.name)
                .filter((name) => stack !== "dev" || !["s3-public-access-block", "s3-sse-kms", "elasticache-encryption"].includes(name));
            assert.deepEqual(applied.filter((n) => expected.includes(n)), expected);
            assert.ok(resources.some((r) => r.type === "kubernetes:apps/v1:Deployment" && r.inputs.spec?.template?.metadata?.labels?.["agent-platform.io/role"]), "agent Deployments are present");
        });
    });
}

describe("policy pack: loads as a Pulumi analyzer (policy/index.ts under Pulumi's own loader)", function () {
    this.timeout(60_000);
    let child: ChildProcess | undefined;
    let client: AnalyzerClient | undefined;

    before(async () => {
        // As the Pulumi CLI's policy analyzer does: Pulumi's run-policy-pack (ts-node, type-checked) on the pack
        // directory, which is the working directory (PolicyPack reads its package.json there). The engine address is unused.
        const runPolicyPack = path.join(PROJECT_ROOT, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack");
        child = spawn(process.execPath, [runPolicyPack, "127.0.0.1:1", "."], { cwd: path.join(PROJECT_ROOT, "policy"), stdio: ["ignore", "pipe", "pipe"] });
        let stderr = "";
        child.stderr?.on("data", (d) => { stderr += String(d); });
        const port = await new Promise<string>((resolve, reject) => {
            let stdout = "";
            child?.stdout?.on("data", (d) => {
                stdout += String(d);
                const match = /^(\d+)\s*$/m.exec(stdout);
                if (match) resolve(match[1]);
            });
            child?.on("exit", (code) => reject(new Error(`policy pack exited (${code}) before serving: ${stderr}`)));
        });
        client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    });

    after(() => {
        client?.close();
        if (child && child.exitCode === null) child.kill("SIGTERM");
    });

    it("serves the pack with every rule, mandatory", async () => {
        const info = await new Promise<AnalyzerInfo>((resolve, reject) => client?.getAnalyzerInfo(new Empty(), (e, r) => (e ? reject(e) : resolve(r))));
        assert.equal(info.getName(), "agent-platform");
        assert.deepEqual(info.getPoliciesList().map((p) => [p.getName(), p.getEnforcementlevel()]), RULES.map((r) => [r.name, EnforcementLevel.MANDATORY]));
    });

    it("reports violations over the analyzer protocol, skipping only unknown fields during preview", async () => {
        const props = mutate(agentDeployment, (o) => { container(o).image = UNKNOWN_STRING_WIRE; delete container(o).securityContext.readOnlyRootFilesystem; });
        const request = new AnalyzeRequest();
        request.setType("kubernetes:apps/v1:Deployment");
        request.setName("chat-api");
        request.setUrn("urn:pulumi:prod::agent-platform::kubernetes:apps/v1:Deployment::chat-api");
        request.setProperties(Struct.fromJavaScript(JSON.parse(JSON.stringify(props))));
        request.setOptions(new AnalyzerResourceOptions());
        const response = await new Promise<AnalyzeResponse>((resolve, reject) => client?.analyze(request, (e, r) => (e ? reject(e) : resolve(r))));
        const diagnostics = response.getDiagnosticsList().map((d) => ({ policy: d.getPolicyname(), level: d.getEnforcementlevel(), message: d.getMessage() }));
        assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
        assert.equal(diagnostics[0].policy, "k8s-read-only-root-filesystem");
        assert.equal(diagnostics[0].level, EnforcementLevel.MANDATORY);
        assert.match(diagnostics[0].message, /container "agent" must set securityContext.readOnlyRootFilesystem: true/);
    });
});
