import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify as toYaml } from "yaml";
import { alwaysOnPods, cheapestFit, instanceTraits, podSize } from "../../scripts/cost/capacity";
import { costDelta } from "../../scripts/cost/delta";
import { estimate, GROUPS } from "../../scripts/cost/estimate";
import { deltaMarkdown, usd } from "../../scripts/cost/format";
import { loadPriceTable } from "../../scripts/cost/prices";
import { kubernetesType, parseCpu, parseGiB, readRenderDir, regionOf, type CostResource } from "../../scripts/cost/resources";
import { parseArgs } from "../../scripts/cost/cli";
import { AWS_STACKS, stackConfig } from "../../stacks/offline";
import { FIXTURE_EXPECTED_GROUPS, FIXTURE_RENDER, TEST_TABLE } from "../support/costFixtures";

const cents = (n: number) => Math.round(n * 100) / 100;
const groupsOf = (e: ReturnType<typeof estimate>) => Object.fromEntries(e.groups.map((g) => [g.group, cents(g.monthlyUsd)]));

describe("cost estimate (scripts/cost)", () => {
    describe("a small fixture render against a hand-computed expectation", () => {
        const result = estimate(FIXTURE_RENDER, "test-1", TEST_TABLE);

        it("prices every group as computed by hand, and the total is their sum", () => {
            const expected = Object.fromEntries(Object.entries(FIXTURE_EXPECTED_GROUPS).map(([g, v]) => [g, cents(v)]));
            assert.deepEqual(groupsOf(result), expected);
            assert.equal(cents(result.totalUsd), cents(Object.values(FIXTURE_EXPECTED_GROUPS).reduce((a, b) => a + b, 0)));
            assert.equal(cents(result.totalUsd), 169.93);
            assert.deepEqual(Object.keys(FIXTURE_EXPECTED_GROUPS).sort(), [...GROUPS].sort(), "the fixture covers every group");
        });

        it("prices the Karpenter pools at the cheapest instance that holds their always-on pods", () => {
            const karpenter = result.lines.filter((l) => l.group === "Karpenter pools").map((l) => l.item);
            assert.ok(karpenter.some((i) => /pool general at its minimum: 1 × c6a\.large \(1\.00 vCPU, 2\.00 GiB/.test(i)), karpenter.join("\n"));
            assert.ok(karpenter.some((i) => /pool gpu at its minimum: 1 × g6\.xlarge \(2\.00 vCPU, 8\.00 GiB, 1 GPU/.test(i)), karpenter.join("\n"));
        });

        it("states the per-GPU-node-hour price, the spot upper bound, the assumptions and the carried prices", () => {
            assert.ok(result.notes.some((n) => /pool gpu: each GPU node it adds costs from \$1\.0000 per node-hour \(g6\.xlarge/.test(n)), result.notes.join("\n"));
            assert.ok(result.notes.some((n) => /pool general may use spot capacity: priced at on-demand, an upper bound/.test(n)));
            assert.ok(result.assumptions.some((a) => /NAT gateways process 10 GB per month/.test(a)));
            assert.ok(result.assumptions.some((a) => /each SQS queue serves 2 million requests per month/.test(a)));
            assert.ok(result.assumptions.some((a) => /each log group ingests 3 GB per month/.test(a)));
            assert.deepEqual(result.carried, ["ec2:g6.xlarge"]);
        });

        it("counts free resources as free and leaves nothing unexplained", () => {
            assert.deepEqual(result.notPriced, []);
        });
    });

    describe("what cannot be priced is reported, never a silent zero", () => {
        it("reports an unknown resource type with its count", () => {
            const unknown: CostResource[] = [...FIXTURE_RENDER, { type: "aws:foo/bar:Baz", name: "a", inputs: {} }, { type: "aws:foo/bar:Baz", name: "b", inputs: {} }];
            const result = estimate(unknown, "test-1", TEST_TABLE);
            assert.deepEqual(result.notPriced, [{ what: "aws:foo/bar:Baz", count: 2, why: "no pricing rule for this resource type" }]);
            assert.equal(cents(result.totalUsd), 169.93, "the total is unchanged, and says nothing about what it leaves out");
        });

        it("reports an instance type without a price instead of pricing it at zero", () => {
            const render = FIXTURE_RENDER.map((r) => r.type === "aws:eks/nodeGroup:NodeGroup" ? { ...r, inputs: { ...r.inputs, instanceTypes: ["x9.huge"] } } : r);
            const result = estimate(render, "test-1", TEST_TABLE);
            assert.deepEqual(result.notPriced.map((n) => n.why), ["no price for ec2:x9.huge in test-1"]);
            assert.equal(cents(result.totalUsd), cents(169.926 - 16));
        });

        it("reports every priced resource of an unknown region and totals nothing", () => {
            const result = estimate(FIXTURE_RENDER, "mars-north-1", TEST_TABLE);
            assert.equal(result.totalUsd, 0);
            assert.ok(result.notPriced.length >= 10);
            assert.ok(result.notPriced.every((n) => n.why === "region mars-north-1 is not in the price table"), JSON.stringify(result.notPriced));
        });

        it("reports always-on pods that no pool and no system node would run", () => {
            const stray: CostResource = { type: "kubernetes:apps/v1:Deployment", name: "stray", inputs: { metadata: { name: "stray", namespace: "x" }, spec: { replicas: 1, template: { spec: { nodeSelector: { capacity: "tpu" }, containers: [] } } } } };
            const result = estimate([...FIXTURE_RENDER, stray], "test-1", TEST_TABLE);
            assert.deepEqual(result.notPriced.map((n) => n.what), ["always-on pods that match no node pool (Deployment x/stray)"]);
        });
    });

    describe("delta", () => {
        const base = estimate(FIXTURE_RENDER, "test-1", TEST_TABLE);

        it("is positive when the change adds cost, negative when it removes cost, and zero per unchanged group", () => {
            const moreNat = [...FIXTURE_RENDER, { type: "aws:ec2/natGateway:NatGateway", name: "nat-1", inputs: {} }];
            const up = costDelta(base, estimate(moreNat, "test-1", TEST_TABLE));
            assert.equal(cents(up.deltaUsd), 5);
            assert.equal(cents(up.groups.find((g) => g.group === "NAT gateways")?.deltaUsd ?? NaN), 5);
            assert.ok(up.groups.filter((g) => g.group !== "NAT gateways").every((g) => g.deltaUsd === 0));
            const down = costDelta(estimate(moreNat, "test-1", TEST_TABLE), base);
            assert.equal(cents(down.deltaUsd), -5);
        });

        it("totals head minus base, with groups that exist on one side only", () => {
            const withoutCache = FIXTURE_RENDER.filter((r) => !r.type.startsWith("aws:elasticache/"));
            const d = costDelta(base, estimate(withoutCache, "test-1", TEST_TABLE));
            assert.equal(cents(d.baseTotalUsd), 169.93);
            assert.equal(cents(d.headTotalUsd), 165.93);
            assert.equal(cents(d.deltaUsd), cents(d.headTotalUsd - d.baseTotalUsd));
            assert.deepEqual(d.groups.find((g) => g.group === "ElastiCache"), { group: "ElastiCache", baseUsd: 4, headUsd: 0, deltaUsd: -4 });
            assert.match(deltaMarkdown(d, base, TEST_TABLE), /\| ElastiCache \| \$4\.00 \| \$0\.00 \| -\$4\.00 \|/);
        });

        it("lists what the head cannot price and the base could", () => {
            const d = costDelta(base, estimate([...FIXTURE_RENDER, { type: "aws:foo/bar:Baz", name: "a", inputs: {} }], "test-1", TEST_TABLE));
            assert.deepEqual(d.newlyNotPriced.map((n) => n.what), ["aws:foo/bar:Baz"]);
        });

        it("formats money with the sign of the change", () => {
            assert.equal(usd(1234.5), "$1,234.50");
            assert.equal(usd(5, true), "+$5.00");
            assert.equal(usd(-5, true), "-$5.00");
            assert.equal(usd(0.001, true), "$0.00");
        });
    });

    describe("capacity and quantities", () => {
        it("sizes a pod from its containers, or from a larger init container", () => {
            assert.deepEqual(podSize({ containers: [{ resources: { requests: { cpu: "250m", memory: "256Mi" } } }, { resources: { limits: { cpu: "1", memory: "1Gi" } } }] }), { cpu: 1.25, memoryGiB: 1.25, gpus: 0 });
            assert.deepEqual(podSize({ initContainers: [{ resources: { requests: { cpu: "4", memory: "512Mi" } } }], containers: [{ resources: { requests: { cpu: "1", memory: "2Gi" } } }] }), { cpu: 4, memoryGiB: 2, gpus: 0 });
        });

        it("takes replicas from spec, else the HPA or ScaledObject minimum, else one", () => {
            const scaled: CostResource[] = [
                { type: "kubernetes:apps/v1:Deployment", name: "w", inputs: { metadata: { name: "w", namespace: "a" }, spec: { template: { spec: {} } } } },
                { type: "kubernetes:keda.sh/v1alpha1:ScaledObject", name: "w", inputs: { metadata: { namespace: "a" }, spec: { minReplicaCount: 0, scaleTargetRef: { name: "w" } } } },
                { type: "kubernetes:apps/v1:Deployment", name: "solo", inputs: { metadata: { name: "solo", namespace: "a" }, spec: { template: { spec: {} } } } },
            ];
            assert.deepEqual(alwaysOnPods(scaled).map((p) => [p.owner, p.replicas]), [["Deployment a/w", 0], ["Deployment a/solo", 1]]);
        });

        it("reads instance families, generations and Graviton from the type name", () => {
            assert.deepEqual(instanceTraits("c6a.large"), { family: "c6a", category: "c", generation: 6, arm: false });
            assert.deepEqual(instanceTraits("g6e.xlarge"), { family: "g6e", category: "g", generation: 6, arm: false });
            assert.equal(instanceTraits("m7gd.large").arm, true);
            assert.equal(instanceTraits("t4g.medium").arm, true);
        });

        it("needs more nodes when the pods outgrow one, and none of a type too small for one pod", () => {
            const pods = [{ owner: "d", replicas: 3, cpu: 1.5, memoryGiB: 1, gpus: 0, nodeSelector: {}, tolerations: [] }];
            const fit = cheapestFit(pods, [{ type: "small", spec: { vcpu: 1, memoryGiB: 8 }, hourlyUsd: 0.01 }, { type: "two", spec: { vcpu: 2, memoryGiB: 8 }, hourlyUsd: 0.1 }], { cpu: 1, memory: 1 });
            assert.deepEqual(fit, { type: "two", nodes: 3, hourlyUsd: 0.1 });
        });

        it("parses Kubernetes quantities", () => {
            assert.equal(parseCpu("500m"), 0.5);
            assert.equal(parseCpu("2"), 2);
            assert.equal(parseCpu("two"), undefined);
            assert.equal(parseGiB("512Mi"), 0.5);
            assert.equal(parseGiB("80Gi"), 80);
            assert.equal(parseGiB("1G"), 1e9 / 2 ** 30);
            assert.equal(kubernetesType("v1", "Service"), "kubernetes:core/v1:Service");
            assert.equal(kubernetesType("karpenter.sh/v1", "NodePool"), "kubernetes:karpenter.sh/v1:NodePool");
        });
    });

    describe("render directories", () => {
        it("reads JSON resources and YAML Kubernetes objects back, and finds the region", () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cost-render-"));
            try {
                const aws = FIXTURE_RENDER.filter((r) => !r.type.startsWith("kubernetes:") || r.type.startsWith("kubernetes:helm"));
                fs.mkdirSync(path.join(dir, "aws"));
                aws.forEach((r, i) => fs.writeFileSync(path.join(dir, "aws", `${i}.json`), JSON.stringify(r)));
                const k8s = FIXTURE_RENDER.filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm"));
                fs.mkdirSync(path.join(dir, "kubernetes"));
                k8s.forEach((r, i) => {
                    const [, group, kind] = r.type.split(":");
                    fs.writeFileSync(path.join(dir, "kubernetes", `${i}.yaml`), toYaml({ apiVersion: group.replace(/^core\//, ""), kind, ...r.inputs }));
                });
                fs.writeFileSync(path.join(dir, "placeholders.txt"), "");
                const read = readRenderDir(dir);
                assert.equal(read.length, FIXTURE_RENDER.length);
                assert.equal(regionOf(read), "test-1");
                assert.equal(cents(estimate(read, "test-1", TEST_TABLE).totalUsd), 169.93);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });

        it("refuses a directory that holds no render", () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cost-empty-"));
            try {
                assert.throws(() => readRenderDir(dir), /holds no rendered resources/);
                assert.throws(() => readRenderDir(path.join(dir, "missing")), /is not a render directory/);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    });

    describe("the pinned price table (scripts/cost/prices.json)", () => {
        const table = loadPriceTable();

        it("prices every region this repository's stacks deploy to", () => {
            for (const stack of AWS_STACKS) assert.ok(String(stackConfig(stack)["aws:region"]) in table.regions, stack);
        });

        it("names a recorded source for every price, and the hardware of every priced instance type", () => {
            for (const [region, prices] of Object.entries(table.regions)) {
                for (const [key, price] of Object.entries(prices)) {
                    assert.ok(price.source in table.sources, `${region} ${key}: unknown source ${price.source}`);
                    assert.ok(price.usd > 0, `${region} ${key}`);
                    if (key.startsWith("ec2:")) assert.ok(key.slice(4) in table.instances, `${key} has no instance spec`);
                }
            }
            for (const source of Object.values(table.sources)) assert.match(source.retrieved, /^\d{4}-\d{2}-\d{2}$/);
        });
    });

    describe("command line", () => {
        it("takes a stack, a format and a base; rejects the rest with the usage", () => {
            assert.deepEqual(parseArgs(["dev", "--json"]), { stack: "dev", format: "json" });
            assert.deepEqual(parseArgs(["prod", "--base", "main", "--markdown"]), { stack: "prod", format: "markdown", base: "main" });
            assert.throws(() => parseArgs([]), /usage: npm run cost/);
            assert.throws(() => parseArgs(["dev", "--base"]), /usage: npm run cost/);
            assert.throws(() => parseArgs(["nope"]), /no Pulumi\.nope\.yaml/);
            assert.throws(() => parseArgs(["dev", "--markdown"]), /--markdown shows a delta/);
        });
    });
});
