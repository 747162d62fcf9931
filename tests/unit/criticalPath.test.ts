import * as assert from "node:assert/strict";
import { criticalPath, criticalPathMinutesIn, formatCriticalPath, GraphResource, providerUrn, waitsFor } from "../../scripts/criticalPath";
import { CREATE_TIMES, UNLISTED_CREATE_TIME } from "../../scripts/criticalPath/createTimes";

/** A fixture table: types named after their minutes. */
const TABLE = {
    "t:ten": { minutes: 10, source: "fixture" },
    "t:four": { minutes: 4, source: "fixture" },
    "t:oneandhalf": { minutes: 1.5, source: "fixture" },
    "t:tiny": { minutes: 0.05, source: "fixture" },
    "pulumi:providers:kubernetes": { minutes: 0, source: "fixture" },
};

const urn = (name: string) => `urn:pulumi:s::p::t::${name}`;

/** A registration as the mocks record it. */
function res(name: string, type: string, opts: { deps?: string[]; parent?: string; provider?: string; custom?: boolean } = {}): GraphResource {
    return {
        urn: urn(name), type, name, custom: opts.custom ?? true, parent: opts.parent ? urn(opts.parent) : "",
        provider: opts.provider ? `${urn(opts.provider)}::provider-id` : "", dependencies: (opts.deps ?? []).map(urn),
    };
}

describe("deploy critical path (scripts/criticalPath)", () => {
    it("takes the longest chain of dependencies: 10 + 4 + 1.5 = 15.5, not the parallel branch", () => {
        // control plane (10) → nodes (4) and an add-on (1.5) in parallel → a release needing both (1.5)
        const path = criticalPath([
            res("cluster", "t:ten"),
            res("nodes", "t:four", { deps: ["cluster"] }),
            res("addon", "t:oneandhalf", { deps: ["cluster"] }),
            res("release", "t:oneandhalf", { deps: ["nodes", "addon"] }),
        ], TABLE);
        assert.equal(path.minutes, 15.5);
        assert.deepEqual(path.steps.map((s) => [s.name, s.start, s.finish, s.reason]), [
            ["cluster", 0, 10, undefined],
            ["nodes", 10, 14, "dependency"],
            ["release", 14, 15.5, "dependency"],
        ]);
        assert.deepEqual(path.unlistedTypes, []);
    });

    it("makes a child wait for its parent component's dependsOn (transitively), the component taking no time", () => {
        // cluster (10) ← component "app" dependsOn cluster ← child "sub" (component) ← grandchild (1.5)
        const path = criticalPath([
            res("cluster", "t:ten"),
            res("app", "x:Component", { custom: false, deps: ["cluster"] }),
            res("sub", "x:Component", { custom: false, parent: "app" }),
            res("grandchild", "t:oneandhalf", { parent: "sub" }),
            res("sibling", "t:four"),
        ], TABLE);
        assert.equal(path.minutes, 11.5);
        assert.deepEqual(path.steps.map((s) => [s.name, s.start, s.finish, s.reason]), [
            ["cluster", 0, 10, undefined],
            ["app", 10, 10, "dependency"],
            ["sub", 10, 10, "parent"],
            ["grandchild", 10, 11.5, "parent"],
        ]);
    });

    it("makes an object wait for its provider, and the provider for what its inputs come from", () => {
        const path = criticalPath([
            res("cluster", "t:ten"),
            res("k8s", "pulumi:providers:kubernetes", { deps: ["cluster"] }),
            res("namespace", "t:tiny", { provider: "k8s" }),
            res("early", "t:four"),
        ], TABLE);
        assert.equal(path.minutes, 10.05);
        assert.deepEqual(path.steps.map((s) => [s.name, s.reason]), [["cluster", undefined], ["k8s", "dependency"], ["namespace", "provider"]]);
        assert.equal(providerUrn(`${urn("k8s")}::04da6b54-80e4-46f7-96ec-b56ff0331ba9`), urn("k8s"));
    });

    it("counts an unlisted type with the fallback and names it", () => {
        const path = criticalPath([res("a", "t:ten"), res("b", "t:unknown", { deps: ["a"] })], TABLE);
        assert.equal(path.minutes, 10 + UNLISTED_CREATE_TIME.minutes);
        assert.deepEqual(path.unlistedTypes, ["t:unknown"]);
        assert.ok(formatCriticalPath(path).some((l) => l.includes("t:unknown")));
    });

    it("rejects a cycle and a dependency on something never registered", () => {
        assert.throws(() => criticalPath([res("a", "t:ten", { deps: ["b"] }), res("b", "t:ten", { deps: ["a"] })], TABLE), /cycle/);
        assert.throws(() => criticalPath([res("a", "t:ten", { deps: ["ghost"] })], TABLE), /ghost is referenced but was not registered/);
    });

    it("prints the total and one line per step with its start and finish", () => {
        const lines = formatCriticalPath(criticalPath([res("cluster", "t:ten"), res("nodes", "t:four", { deps: ["cluster"] })], TABLE));
        assert.match(lines[0], /critical path: 14\.00 min/);
        assert.match(lines[2], /^\s+0\.00\s+10\.00\s+t:ten\s+cluster$/);
        assert.match(lines[3], /^\s+10\.00\s+14\.00\s+t:four\s+nodes\s+\(dependency\)$/);
    });

    it("reads the minutes back from printed output, and nothing from output without the headline", () => {
        const lines = formatCriticalPath(criticalPath([res("cluster", "t:ten"), res("addon", "t:oneandhalf", { deps: ["cluster"] })], TABLE));
        assert.equal(criticalPathMinutesIn(["aws:eks/cluster:Cluster  1", "wrote render/dev", ...lines].join("\n")), 11.5);
        assert.equal(criticalPathMinutesIn("aws:eks/cluster:Cluster  1\nwrote render/dev\n"), undefined);
        assert.equal(criticalPathMinutesIn("estimated deploy critical path: soon"), undefined);
    });

    it("answers whether one resource waits for another, through dependencies, parents and providers", () => {
        const rs = [
            res("cluster", "t:ten"),
            res("k8s", "pulumi:providers:kubernetes", { deps: ["cluster"] }),
            res("nodes", "t:four", { deps: ["cluster"] }),
            res("app", "x:Component", { custom: false, deps: ["nodes"] }),
            res("release", "t:oneandhalf", { parent: "app", provider: "k8s" }),
            res("namespace", "t:tiny", { provider: "k8s" }),
        ];
        const waits = waitsFor(rs);
        assert.ok(waits(urn("release"), urn("nodes")), "through its parent's dependsOn");
        assert.ok(waits(urn("release"), urn("cluster")));
        assert.ok(waits(urn("namespace"), urn("cluster")), "through its provider");
        assert.ok(!waits(urn("namespace"), urn("nodes")));
        assert.ok(!waits(urn("cluster"), urn("release")));
    });

    it("documents a source for every create time in the table", () => {
        for (const [type, t] of Object.entries(CREATE_TIMES)) {
            assert.ok(t.minutes >= 0 && t.minutes <= 60, type);
            assert.ok(t.source.length > 10, `${type} says where its number comes from`);
        }
    });
});
