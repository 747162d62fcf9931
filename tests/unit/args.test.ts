import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import * as components from "../../components";
import { contextTag } from "../../components/image/context";
import { PROJECT_ROOT } from "../../stacks/offline";
import { definePlatform } from "../../stacks/program";
import { besidesStack, Registered, runProgram } from "../../testing";

/** What a render registered, without the stack's own root: type, name and inputs of every resource. */
const registered = (resources: Registered[]) => besidesStack(resources).map((r) => ({ type: r.type, name: r.name, inputs: r.inputs }));

const agents = [{ name: "chat-api", role: "api", queue: "jobs" }, { name: "job-worker", role: "worker", queue: "jobs" }];

describe("one source for every default", () => {
    it("`new AgentPlatform(...)` without its optional arguments and a stack whose sections are empty register the same resources", async function () {
        this.timeout(120_000);
        const sections = ["network", "cluster", "nodePools", "secrets", "contextStore", "tracing", "alerts", "modelServer"];
        const stack = await runProgram(definePlatform, {
            stack: "test",
            config: { "aws:region": "us-west-2", ...Object.fromEntries(sections.map((s) => [`agent-platform:${s}`, {}])), "agent-platform:agents": agents },
        });
        // What the stack's conventions add on top of AgentPlatform (its image, the `llm` secret its
        // agents read the API key from), given the same way; every other argument is left to its default.
        const library = await runProgram(() => {
            const tag = contextTag(path.join(PROJECT_ROOT, "agent"), { dockerfile: path.join(PROJECT_ROOT, "agent", "Dockerfile"), platform: "linux/amd64" });
            new components.AgentPlatform("platform", {
                environment: "test",
                images: [{ name: "agent", tag }],
                secrets: { entries: [{ name: "llm", keys: ["OPENAI_API_KEY"], description: "LLM provider API keys" }] },
                agents: agents.map((a) => ({ ...a, llmApiKeySecret: "llm" })),
            });
        }, { stack: "test", config: { "aws:region": "us-west-2" } });
        assert.ok(library.resources.length > 100);
        assert.deepEqual(registered(library.resources), registered(stack.resources));
        const ttl = library.resources.filter((r) => r.type === "kubernetes:core/v1:ConfigMap" && r.inputs.data?.SESSION_TTL_SECONDS).map((r) => r.inputs.data.SESSION_TTL_SECONDS);
        assert.deepEqual(ttl, ["86400", "86400"], "agents get the ContextStore's session TTL");
    });
});

/** A bad argument for each component: construction must throw before anything is registered. */
const invalid: Record<string, (c: typeof components) => unknown> = {
    AgentNetwork: (c) => new c.AgentNetwork("n", { clusterName: "c", availabilityZoneCount: 5 }),
    AgentCluster: (c) => new c.AgentCluster("c", { clusterName: "c", vpcId: "vpc-1", privateSubnetIds: [], logRetentionDays: 10 }),
    AgentSecrets: (c) => new c.AgentSecrets("s", { clusterName: "c", environment: "dev", secrets: [], recoveryWindowDays: 3 }),
    ContextStore: (c) => new c.ContextStore("cs", { environment: "dev", mode: "memcached" }),
    TaskQueue: (c) => new c.TaskQueue("q", { name: "jobs", environment: "dev", maxReceiveCount: 1 }),
    Keda: (c) => new c.Keda("k", { clusterName: "c", workloadNamespaces: ["Agents"] }),
    Tracing: (c) => new c.Tracing("t", { environment: "dev", clusterName: "c", retentionDays: 0 }),
    AgentImage: (c) => new c.AgentImage("i", { repositoryName: "agent", tag: "latest" }),
    ModelServer: (c) => new c.ModelServer("m", { source: "s3" }),
    AgentWorkload: (c) => new c.AgentWorkload("w", { workloadName: "w", role: "worker", environment: "dev", clusterName: "c", image: "i", llm: { baseUrl: "http://x", model: "m" } }),
    AgentPlatform: (c) => new c.AgentPlatform("p", { environment: "Dev" }),
    Alerts: (c) => new c.Alerts("a", { environment: "dev", rules: { cacheMemory: { threshold: 120 } } }),
    PodIdentityRole: (c) => new c.PodIdentityRole("r", { clusterName: "c", namespace: "ns", serviceAccount: undefined as unknown as string }),
};

describe("every component validates its arguments before it registers anything", () => {
    for (const [component, construct] of Object.entries(invalid)) {
        it(`${component}: a bad argument throws InputPropertiesError, nothing registered (not even the component)`, async () => {
            const result = await runProgram(() => construct(components), { captureError: true });
            assert.ok(pulumi.InputPropertiesError.isInstance(result.error), `${component}: ${result.error}`);
            assert.match(String(result.error?.message), new RegExp(`^invalid ${component} arguments: \\S+: got `));
            assert.deepEqual(besidesStack(result.resources), []);
        });
    }

    it("covers all thirteen components", () => {
        assert.deepEqual(Object.keys(invalid).sort(), getPulumiComponents(components).map((c) => c.name).sort());
    });
});
