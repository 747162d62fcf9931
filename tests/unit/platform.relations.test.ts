import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { AgentPlatform, AgentPlatformArgs } from "../../components/platform";
import { PlatformRelations, relationProblems } from "../../components/platform/relations";
import { quotedNames } from "../../components/shared/schema";
import { runStack } from "../../stacks/offline";
import { besidesStack, runProgram } from "../../testing";
import { assertConfigRejected } from "../support/config";

const SETTINGS = { nodePools: "cluster.nodePools", modelServerOn: "modelServer is given" };
const pools = (cpu: string[], gpu: { enabled: boolean; capacityTypes: string[] }) => ({ cpu: { capacityTypes: cpu }, gpu });
const agent = { image: "agent", queue: "jobs", gpu: false, capacityType: "any", useModelServer: false };
const valid: PlatformRelations = {
    contactPoint: "sns", grafana: false, images: ["agent"], queues: ["jobs"],
    nodePools: pools(["spot", "on-demand"], { enabled: true, capacityTypes: ["on-demand"] }), modelServer: true, agents: [agent],
};

describe("platform relations (checked by AgentPlatform and by the stack configuration)", () => {
    it("finds nothing wrong with a consistent platform", () => {
        assert.deepEqual(relationProblems(valid, SETTINGS), []);
    });

    const cases: [string, Partial<PlatformRelations>, (string | number)[], string][] = [
        ["the grafana contact point without Grafana", { contactPoint: "grafana" }, ["alerts", "contactPoint"], '"sns" unless tracing.grafana is true (Grafana is the "grafana" contact point)'],
        ["an undeclared image", { agents: [{ ...agent, image: "other" }] }, ["agents", 0, "image"], 'an image name from images: "agent"'],
        ["no image at all", { images: [], agents: [{ ...agent, image: undefined }] }, ["agents", 0, "image"], "an image name from images: none are configured"],
        ["an undeclared queue", { agents: [agent, { ...agent, queue: "other" }] }, ["agents", 1, "queue"], 'a queue name from queues: "jobs"'],
        ["the model server without one", { modelServer: false, agents: [{ ...agent, useModelServer: true }] }, ["agents", 0, "useModelServer"], "false unless modelServer is given"],
        ["a GPU agent without a GPU pool", { nodePools: pools(["spot"], { enabled: false, capacityTypes: ["on-demand"] }), agents: [{ ...agent, gpu: true }] }, ["agents", 0, "gpu"], "false unless cluster.nodePools.gpu.enabled is true"],
        ["on-demand pods on a spot-only pool", { nodePools: pools(["spot"], { enabled: true, capacityTypes: ["on-demand"] }), agents: [{ ...agent, capacityType: "on-demand" }] }, ["agents", 0, "capacityType"], '"any" unless cluster.nodePools.cpu.capacityTypes includes "on-demand"'],
        ["on-demand GPU pods on a spot-only GPU pool", { nodePools: pools(["on-demand"], { enabled: true, capacityTypes: ["spot"] }), agents: [{ ...agent, gpu: true, capacityType: "on-demand" }] }, ["agents", 0, "capacityType"], '"any" unless cluster.nodePools.gpu.capacityTypes includes "on-demand"'],
    ];
    for (const [title, change, path, message] of cases) {
        it(`refuses ${title}`, () => {
            assert.deepEqual(relationProblems({ ...valid, ...change }, SETTINGS), [{ path, message }]);
        });
    }

    it("leaves placement to the kubernetes target's own checks when there are no node pools", () => {
        const onKubernetes = { ...valid, nodePools: undefined, agents: [{ ...agent, gpu: true, capacityType: "on-demand" }] };
        assert.deepEqual(relationProblems(onKubernetes, SETTINGS), []);
    });

    it("names settings as the caller spells them, and each image or queue once", () => {
        const problems = relationProblems({ ...valid, queues: ["a", "a", "b"], nodePools: pools(["spot"], { enabled: false, capacityTypes: [] }), modelServer: false, agents: [{ ...agent, queue: "c", gpu: true, useModelServer: true }] },
            { nodePools: "nodePools", modelServerOn: "modelServer.enabled is true" });
        assert.deepEqual(problems.map((p) => p.message), ['a queue name from queues: "a", "b"', "false unless modelServer.enabled is true", "false unless nodePools.gpu.enabled is true"]);
        assert.equal(quotedNames([]), "none are configured");
    });

    describe("AgentPlatform refuses them at its argument paths, registering nothing", () => {
        const TAG = "ctx-0123456789abcdef";
        const base: AgentPlatformArgs = {
            environment: "dev", images: [{ name: "agent", tag: TAG }], queues: [{ name: "jobs" }],
            agents: [{ name: "chat-api", role: "api", queue: "jobs" }],
        };
        const refused: [string, Partial<AgentPlatformArgs>, RegExp][] = [
            ["an undeclared queue", { agents: [{ name: "w", role: "worker", queue: "other" }] }, /agents\[0\]\.queue: got "other"; allowed: a queue name from queues: "jobs"/],
            ["an undeclared image", { agents: [{ name: "a", role: "api", queue: "jobs", image: "other" }] }, /agents\[0\]\.image: got "other"; allowed: an image name from images: "agent"/],
            ["the model server without one", { agents: [{ name: "a", role: "api", queue: "jobs", useModelServer: true }] }, /agents\[0\]\.useModelServer: got true; allowed: false unless modelServer is given/],
            ["a GPU agent without a GPU pool", { cluster: { nodePools: { gpu: { enabled: false } } }, agents: [{ name: "a", role: "api", queue: "jobs", gpu: true }] }, /agents\[0\]\.gpu: got true; allowed: false unless cluster\.nodePools\.gpu\.enabled is true/],
            ["the grafana contact point without Grafana", { alerts: { contactPoint: "grafana" }, tracing: { grafana: false } }, /alerts\.contactPoint: got "grafana"; allowed: "sns" unless tracing\.grafana is true/],
        ];
        for (const [title, change, message] of refused) {
            it(`refuses ${title}`, async () => {
                const r = await runProgram(() => { new AgentPlatform("platform", { ...base, ...change }); }, { captureError: true });
                assert.ok(pulumi.InputPropertiesError.isInstance(r.error), String(r.error));
                assert.match(String(r.error?.message), message);
                assert.deepEqual(besidesStack(r.resources), []);
            });
        }
    });

    it("the stack configuration reports the same relation at its own keys", async () => {
        const result = await runStack("dev", { "agent-platform:agents": [{ name: "a", role: "api", queue: "jobs", image: "nope", useModelServer: true }] }, { captureError: true });
        assertConfigRejected(result,
            /agent-platform:agents\[0\]\.image: got "nope"; allowed: an image name from images: "agent"/,
            /agent-platform:agents\[0\]\.useModelServer: got true; allowed: false unless modelServer\.enabled is true/);
    });
});
