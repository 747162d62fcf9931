import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { renderRef } from "../../scripts/cost/baseRender";
import { estimate, NO_EKS_NOTE, type Estimate } from "../../scripts/cost/estimate";
import { loadPriceTable } from "../../scripts/cost/prices";
import { readRenderDir, regionOf, resourcesOfRun } from "../../scripts/cost/resources";
import { stackRegion } from "../../scripts/cost/cli";
import { usd } from "../../scripts/cost/format";
import { AWS_STACKS, PROJECT_ROOT, runStack, sharedRender, stackConfig, STACKS } from "../../stacks/offline";

const table = loadPriceTable();

for (const stack of STACKS) {
    describe(`cost: the ${stack} stack`, () => {
        let result: Estimate;
        before(async () => {
            result = estimate(resourcesOfRun(await sharedRender(stack)), stackRegion(stack), table);
        });

        it("has a pricing rule (or a stated reason it is free) for every resource type the program registers", () => {
            assert.deepEqual(result.notPriced.filter((n) => n.why === "no pricing rule for this resource type"), []);
        });

        if (!(AWS_STACKS as readonly string[]).includes(stack)) {
            it("costs $0 of AWS, with nothing left unpriced: it registers no AWS resource", () => {
                assert.equal(result.totalUsd, 0);
                assert.deepEqual(result.lines, []);
                assert.deepEqual(result.notPriced, []);
                assert.deepEqual(result.notes, [NO_EKS_NOTE]);
            });
            return;
        }

        it("prices the control plane, the system nodes, NAT, keys and secrets, and leaves only the named unpriced items out", () => {
            const groups = result.groups.map((g) => g.group);
            for (const g of ["EKS control plane", "System node group", "NAT gateways", "KMS keys", "Secrets Manager", "CloudWatch Logs", "SQS"]) assert.ok(groups.includes(g as never), `${g} in ${groups.join(", ")}`);
            const metricsStorage = (stackConfig(stack)["agent-platform:tracing"] as { metrics?: string }).metrics ?? "amp";
            const amp = metricsStorage === "amp" ? ["Amazon Managed Service for Prometheus bills samples ingested, stored and queried, with no fixed fee: usage is not in the render"] : [];
            assert.deepEqual([...new Set(result.notPriced.map((n) => n.why))].sort(), [...amp, "alarm prices are not in the price table", "storage depends on the images pushed"].sort());
            assert.ok(result.notes.some((n) => /pool gpu: each GPU node it adds costs from \$\d+\.\d{4} per node-hour/.test(n)), "the per GPU node-hour line");
        });
    });
}

describe("cost: ElastiCache and S3 appear where the stack has them", () => {
    it("prices prod's Valkey replication group and trace bucket", async () => {
        const prod = estimate(resourcesOfRun(await sharedRender("prod")), "us-east-1", table);
        assert.ok(prod.lines.some((l) => l.group === "ElastiCache" && /3 × cache\.r7g\.large \(valkey\)/.test(l.item)));
        assert.ok(prod.lines.some((l) => l.group === "S3"));
        assert.ok(prod.lines.some((l) => l.group === "Karpenter pools" && /pool gpu at its minimum: 2 × g6\.xlarge/.test(l.item)), "the model server's two GPU replicas hold two GPU nodes");
    });
});

describe("cost: the dev figures in README.md and docs/cost.md are what the tool computes", () => {
    it("states the current idle estimate of dev, and the one of its settings before the cost work", async () => {
        const after = estimate(resourcesOfRun(await sharedRender("dev")), "us-west-2", table).totalUsd;
        const dev = stackConfig("dev");
        const cluster = dev["agent-platform:cluster"] as { systemNodes: Record<string, unknown> };
        const before = estimate(resourcesOfRun(await runStack("dev", {
            "agent-platform:network": { ...(dev["agent-platform:network"] as object), interfaceEndpoints: true },
            "agent-platform:cluster": { ...cluster, systemNodes: { ...cluster.systemNodes, instanceTypes: ["t3.large"], diskSizeGiB: 50 } },
        })), "us-west-2", table).totalUsd;
        const readme = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
        const doc = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "cost.md"), "utf8");
        for (const text of [readme, doc]) {
            assert.ok(text.includes(`**${usd(after)}`), `${usd(after)} (after)`);
            assert.ok(text.includes(`**${usd(before)}`), `${usd(before)} (before)`);
        }
    });
});

describe("cost: --base renders another git ref", function () {
    this.timeout(120_000);

    it("renders the stack at HEAD in a temporary tree and removes it afterwards", () => {
        const render = renderRef(PROJECT_ROOT, "HEAD", "dev");
        try {
            const resources = readRenderDir(render.dir);
            assert.equal(regionOf(resources), "us-west-2");
            const base = estimate(resources, "us-west-2", table);
            assert.ok(base.totalUsd > 0 && base.groups.some((g) => g.group === "EKS control plane"));
        } finally {
            render.cleanup();
        }
        assert.equal(fs.existsSync(render.dir), false);
    });

    it("says what is wrong with a ref it cannot render, leaving nothing behind", () => {
        const before = fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith("cost-base-")).length;
        assert.throws(() => renderRef(PROJECT_ROOT, "no-such-ref-for-cost", "dev"), /no-such-ref-for-cost is neither a render directory nor a git ref/);
        assert.throws(() => renderRef(PROJECT_ROOT, "HEAD", "nosuchstack"), /HEAD has no Pulumi\.nosuchstack\.yaml/);
        assert.equal(fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith("cost-base-")).length, before);
    });
});
