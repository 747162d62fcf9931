import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import { maskSecrets, renderPath, renderStack, SECRET_MASK, sortKeys, writeRender } from "../../scripts/render";
import { runProgram } from "../../testing";
import { runStack } from "../../stacks/offline";

function tmpDir(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "render-"));
}

function filesUnder(dir: string): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (d: string) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else out[path.relative(dir, p)] = fs.readFileSync(p, "utf8");
    });
    walk(dir);
    return out;
}

describe("offline render (scripts/render.ts)", () => {
    it("writes Kubernetes objects as YAML by namespace, other resources as JSON, secrets masked, placeholders listed", async () => {
        const result = await runProgram(() => {
            const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
            const ns = new k8s.core.v1.Namespace("ns", { metadata: { name: "agents" } }, { provider });
            new k8s.core.v1.ConfigMap("settings", {
                metadata: { name: "settings", namespace: ns.metadata.name },
                data: { token: pulumi.secret("hunter2-not-in-the-render"), mode: "fast" },
            }, { provider });
            new k8s.core.v1.Namespace("cluster-wide", { metadata: { name: "observability" } }, { provider });
        });
        const out = tmpDir();
        const summary = writeRender(result, out);
        const files = filesUnder(out);
        assert.ok(files[path.join("kubernetes", "agents", "ConfigMap--settings.yaml")], Object.keys(files).join(", "));
        assert.ok(files[path.join("kubernetes", "_cluster", "Namespace--observability.yaml")]);
        const configMap = parseYaml(files[path.join("kubernetes", "agents", "ConfigMap--settings.yaml")]);
        assert.equal(configMap.kind, "ConfigMap");
        assert.equal(configMap.data.token, SECRET_MASK);
        assert.equal(configMap.data.mode, "fast");
        assert.ok(!Object.values(files).some((body) => body.includes("hunter2")), "the secret value is in no rendered file");
        assert.ok(summary.some((l) => /kubernetes:core\/v1:ConfigMap\s+1/.test(l)));
        assert.ok(summary.some((l) => /secret inputs masked as \[secret\]: 1/.test(l)));
    });

    it("renders the dev stack identically twice (a diff -r between commits is a review diff)", async () => {
        const first = tmpDir();
        const second = tmpDir();
        writeRender(await runStack("dev"), first);
        writeRender(await runStack("dev"), second);
        const a = filesUnder(first);
        assert.ok(Object.keys(a).length > 20);
        assert.deepEqual(filesUnder(second), a);
        const placeholders = a["placeholders.txt"].trim().split("\n");
        assert.ok(placeholders.some((l) => /ec2-subnet-Subnet--platform-network-private-0\.json: vpcId/.test(l)), "the mock-assigned VPC id is reported as a placeholder");
        assert.ok(!placeholders.some((l) => /cidrBlock/.test(l)), "values the program chose are not placeholders");
    });

    it("prints the estimated deploy critical path after the summary, from the EKS cluster to its last resource", async () => {
        const lines = await renderStack("dev", tmpDir());
        const head = lines.findIndex((l) => /^estimated deploy critical path: \d+\.\d\d min/.test(l));
        assert.ok(head > 0 && lines.slice(0, head).some((l) => /^wrote /.test(l)), lines.join("\n"));
        const chain = lines.slice(head + 2);
        assert.ok(chain.some((l) => /aws:eks\/cluster:Cluster\s+platform-cluster-eks/.test(l)), "the control plane is on the path");
        const total = Number(/(\d+\.\d\d) min/.exec(lines[head])![1]);
        assert.equal(Number(chain[chain.length - 1].trim().split(/\s+/)[1]), total, "the last step finishes at the total");
    });

    it("sorts keys and masks nested secret paths", () => {
        assert.deepEqual(JSON.stringify(sortKeys({ b: 1, a: { d: 2, c: [{ f: 1, e: 2 }] } })), '{"a":{"c":[{"e":2,"f":1}],"d":2},"b":1}');
        assert.deepEqual(maskSecrets({ a: { b: "x", c: "y" } }, ["a.b"]), { a: { b: SECRET_MASK, c: "y" } });
        assert.equal(renderPath({ type: "aws:ec2/vpc:Vpc", name: "v", custom: true, inputs: {} } as never), path.join("aws", "ec2-vpc-Vpc--v.json"));
    });
});
