import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { platformSchema, readPlatformConfig, StackConfigError } from "../../stacks/config";
import { platformConfigFrom, PROJECT_ROOT, runStack, stackConfig, stackPlatformConfig, STACKS } from "../../stacks/offline";
import { assertConfigRejected } from "../support/config";

/** Reads a config given as sections (objects), the way Pulumi hands structured config to the program. */
function read(sections: Record<string, unknown>, environment = "test") {
    return platformConfigFrom(Object.fromEntries(Object.entries(sections).map(([k, v]) => [`agent-platform:${k}`, v])), environment);
}

const minimalAgents = [{ name: "api", role: "api", queue: "jobs" }, { name: "worker", role: "worker", queue: "jobs" }];

describe("stack configuration", () => {
    describe("defaults", () => {
        it("fills every section from code when only agents are given", () => {
            const c = read({ agents: minimalAgents });
            assert.equal(c.network.vpcCidr, "10.0.0.0/16");
            assert.equal(c.network.azCount, 2);
            assert.equal(c.network.natGateways, "single");
            assert.equal(c.cluster.kubernetesVersion, "1.35");
            assert.deepEqual(c.nodePools.cpu.capacityTypes, ["spot", "on-demand"]);
            assert.equal(c.contextStore.mode, "elasticache");
            assert.deepEqual(c.queues.map((q) => q.name), ["jobs"]);
            assert.deepEqual(c.secrets.entries.map((s) => s.name), ["llm"]);
            assert.equal(c.agents[1].role, "worker");
            assert.equal(c.environment, "test");
        });

        for (const stack of STACKS) {
            it(`accepts Pulumi.${stack}.yaml`, () => {
                const c = stackPlatformConfig(stack);
                assert.equal(c.environment, stack);
                assert.ok(c.agents.some((a) => a.role === "api"), "an api agent");
                assert.ok(c.agents.some((a) => a.role === "worker" && a.queue), "a worker wired to a queue");
            });
        }

        it("makes dev cheap and prod resilient through YAML only", () => {
            const dev = stackPlatformConfig("dev");
            const prod = stackPlatformConfig("prod");
            assert.equal(dev.network.natGateways, "single");
            assert.equal(prod.network.natGateways, "perAz");
            assert.equal(prod.network.azCount, 3);
            assert.ok(prod.cluster.systemNodes.minSize >= 2);
            assert.deepEqual(dev.nodePools.cpu.capacityTypes, ["spot"]);
            assert.ok(dev.nodePools.gpu.gpuLimit < prod.nodePools.gpu.gpuLimit);
            assert.equal(prod.contextStore.multiAz, true);
            assert.ok(dev.tracing.retentionDays < prod.tracing.retentionDays);
            assert.notDeepEqual(prod.cluster.publicAccessCidrs, ["0.0.0.0/0"]);
        });
    });

    it("Pulumi.yaml declares every key the program reads, with a description; the stacks use no other", () => {
        const project = parseYaml(fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8"));
        const declared = Object.keys(project.config).sort();
        const read = [...Object.keys(platformSchema.shape), "secretValues", "registryPassword"].map((k) => `agent-platform:${k}`).sort();
        assert.deepEqual(declared, read);
        for (const key of declared) assert.ok(project.config[key].description?.length > 20, `${key} has a description`);
        assert.equal(project.config["agent-platform:secretValues"].secret, true);
        assert.equal(project.config["agent-platform:registryPassword"].secret, true);
        for (const stack of STACKS) {
            for (const key of Object.keys(stackConfig(stack)).filter((k) => k.startsWith("agent-platform:"))) assert.ok(declared.includes(key), `${stack}: ${key} is declared`);
        }
    });

    describe("bad values fail before any resource is registered", () => {
        const cases: { title: string; stack: string; override: Record<string, unknown>; key: string; value: string; allowed: RegExp }[] = [
            { title: "azCount out of range", stack: "dev", override: { network: { azCount: 5 } }, key: "agent-platform:network.azCount", value: "5", allowed: /from 2 to 3/ },
            { title: "unknown NAT strategy", stack: "dev", override: { network: { natGateways: "many" } }, key: "agent-platform:network.natGateways", value: '"many"', allowed: /"single", "perAz"/ },
            { title: "VPC CIDR too small for the subnet plan", stack: "dev", override: { network: { vpcCidr: "10.0.0.0/26" } }, key: "agent-platform:network.vpcCidr", value: '"10.0.0.0/26"', allowed: /\/16 to \/22/ },
            { title: "VPC CIDR with host bits", stack: "dev", override: { network: { vpcCidr: "10.0.0.1/16" } }, key: "agent-platform:network.vpcCidr", value: '"10.0.0.1/16"', allowed: /zero host part/ },
            { title: "misspelled key", stack: "dev", override: { network: { azcount: 3 } }, key: "agent-platform:network.azcount", value: "3", allowed: /no such key; known keys: vpcCidr, azCount/ },
            { title: "unsupported Kubernetes version", stack: "prod", override: { cluster: { kubernetesVersion: "1.20" } }, key: "agent-platform:cluster.kubernetesVersion", value: '"1.20"', allowed: /"1.35"/ },
            { title: "bad admin principal ARN", stack: "prod", override: { cluster: { adminPrincipalArns: ["alice"] } }, key: "agent-platform:cluster.adminPrincipalArns[0]", value: '"alice"', allowed: /arn:aws/ },
            { title: "unknown capacity type", stack: "dev", override: { nodePools: { cpu: { capacityTypes: ["reserved"] } } }, key: "agent-platform:nodePools.cpu.capacityTypes[0]", value: '"reserved"', allowed: /"spot", "on-demand"/ },
            { title: "unknown Redis mode", stack: "dev", override: { contextStore: { mode: "memcached" } }, key: "agent-platform:contextStore.mode", value: '"memcached"', allowed: /"elasticache", "in-cluster"/ },
            { title: "maxReceiveCount 0", stack: "dev", override: { queues: [{ name: "jobs", maxReceiveCount: 0 }] }, key: "agent-platform:queues[0].maxReceiveCount", value: "0", allowed: /from 3 to 10/ },
            { title: "maxReceiveCount 50", stack: "dev", override: { queues: [{ name: "jobs", maxReceiveCount: 50 }] }, key: "agent-platform:queues[0].maxReceiveCount", value: "50", allowed: /from 3 to 10/ },
            { title: "visibility timeout not above the job duration", stack: "dev", override: { queues: [{ name: "jobs", maxJobDurationSeconds: 300, visibilityTimeoutSeconds: 300 }] }, key: "agent-platform:queues[0].visibilityTimeoutSeconds", value: "300", allowed: /more than maxJobDurationSeconds \(300\)/ },
            { title: "unknown agent role", stack: "dev", override: { agents: [{ name: "x", role: "cron" }] }, key: "agent-platform:agents[0].role", value: '"cron"', allowed: /"api", "worker"/ },
            { title: "worker without a queue", stack: "dev", override: { agents: [{ name: "w", role: "worker" }] }, key: "agent-platform:agents[0].queue", value: "nothing", allowed: /a queue name for a worker: "jobs"/ },
            { title: "api without a queue (the reference agent enqueues jobs)", stack: "dev", override: { agents: [{ name: "a", role: "api" }, { name: "w", role: "worker", queue: "jobs" }] }, key: "agent-platform:agents[0].queue", value: "nothing", allowed: /a queue name for an api/ },
            { title: "worker on a queue no api produces to", stack: "dev", override: { queues: [{ name: "jobs" }, { name: "other" }], agents: [{ name: "a", role: "api", queue: "jobs" }, { name: "w", role: "worker", queue: "other" }] }, key: "agent-platform:agents[1].queue", value: '"other"', allowed: /a queue some api agent produces to \("jobs"\), or add an api for "other"/ },
            { title: "on-demand pods with a spot-only CPU pool", stack: "dev", override: { agents: [{ name: "a", role: "api", queue: "jobs" }, { name: "w", role: "worker", queue: "jobs", capacityType: "on-demand" }] }, key: "agent-platform:agents[1].capacityType", value: '"on-demand"', allowed: /"any" unless nodePools.cpu.capacityTypes includes "on-demand"/ },
            { title: "agent on an unknown queue", stack: "dev", override: { agents: [{ name: "a", role: "api", queue: "nope" }] }, key: "agent-platform:agents[0].queue", value: '"nope"', allowed: /queue name from queues: "jobs"/ },
            { title: "duplicate agent names", stack: "dev", override: { agents: [{ name: "a", role: "api" }, { name: "a", role: "worker", queue: "jobs" }] }, key: "agent-platform:agents[1].name", value: '"a"', allowed: /not used by another item/ },
            { title: "agent name not a DNS label", stack: "dev", override: { agents: [{ name: "Chat_API", role: "api" }] }, key: "agent-platform:agents[0].name", value: '"Chat_API"', allowed: /matching/ },
            { title: "GPU agent without a GPU pool", stack: "dev", override: { nodePools: { gpu: { enabled: false } }, agents: [{ name: "g", role: "api", gpu: true }] }, key: "agent-platform:agents[0].gpu", value: "true", allowed: /nodePools.gpu.enabled/ },
            { title: "model server from S3 without a URI", stack: "prod", override: { modelServer: { enabled: true, source: "s3" } }, key: "agent-platform:modelServer.s3Uri", value: "nothing", allowed: /s3:\/\// },
            { title: "multi-AZ Redis without a replica", stack: "prod", override: { contextStore: { mode: "elasticache", multiAz: true, replicas: 0 } }, key: "agent-platform:contextStore.replicas", value: "0", allowed: /at least 1 when multiAz/ },
            { title: "recovery window of 3 days", stack: "dev", override: { secrets: { recoveryWindowDays: 3 } }, key: "agent-platform:secrets.recoveryWindowDays", value: "3", allowed: /0, or 7 to 30/ },
            { title: "section that is not an object", stack: "dev", override: { network: "big" }, key: "agent-platform:network", value: '"big"', allowed: /a YAML object or list/ },
            { title: "list where an object belongs", stack: "dev", override: { network: [1] }, key: "agent-platform:network", value: "[1]", allowed: /an object with keys vpcCidr/ },
        ];

        for (const c of cases) {
            it(`${c.title}: names ${c.key}, the value and what is allowed; registers nothing`, async () => {
                const overrides = Object.fromEntries(Object.entries(c.override).map(([k, v]) => [`agent-platform:${k}`, v]));
                const result = await runStack(c.stack, overrides, { captureError: true });
                const error = assertConfigRejected(result);
                const line = error.message.split("\n").find((l) => l.includes(`${c.key}:`));
                assert.ok(line, `message names ${c.key}:\n${error.message}`);
                assert.ok(line.includes(`got ${c.value}`), `message shows the value ${c.value}: ${line}`);
                assert.match(line, c.allowed);
            });
        }

        it("reports every problem of a run at once", async () => {
            const result = await runStack("dev", {
                "agent-platform:network": { azCount: 9, natGateways: "none" },
                "agent-platform:tracing": { retentionDays: 0 },
            }, { captureError: true });
            const error = assertConfigRejected(result, /invalid stack configuration \(3 problems\)/);
            assert.deepEqual(error.problems.map((p) => p.key).sort(), [
                "agent-platform:network.azCount", "agent-platform:network.natGateways", "agent-platform:tracing.retentionDays",
            ]);
        });

        it("rejects a structured value that is not valid JSON", () => {
            assert.throws(() => readPlatformConfig((key) => (key === "agent-platform:network" ? "{not json" : undefined), "t"),
                (e: Error) => e instanceof StackConfigError && /agent-platform:network: got "\{not json"; allowed: a YAML object/.test(e.message));
        });
    });
});
