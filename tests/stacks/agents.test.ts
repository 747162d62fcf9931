import * as assert from "node:assert/strict";
import { RESOURCE_PROFILES } from "../../components/shared/profiles";
import { gracePeriodSeconds, PRE_STOP_SECONDS } from "../../components/workload/spec";
import { json, kubernetesObjects, ofType, one, Registered, RunResult } from "../../testing";
import { AWS_STACKS, sharedRender, stackPlatformConfig, STACKS } from "../../stacks/offline";
import { simulate } from "../support/iam";
import { validateKubernetesObject } from "../support/kubernetesSchema";

/* eslint-disable @typescript-eslint/no-explicit-any */
const configs = Object.fromEntries(STACKS.map((stack) => [stack, stackPlatformConfig(stack)]));
const onAws = (stack: string) => (AWS_STACKS as readonly string[]).includes(stack);

/** The Deployment, ConfigMap and Pod Identity policy of one agent workload in a rendered stack. */
function agentParts(r: RunResult, agent: string) {
    const byName = (kind: string) => kubernetesObjects(r.resources, kind).find((o) => o.inputs.metadata?.name === agent && o.inputs.metadata?.namespace === "agents");
    const policy = r.resources.find((x) => x.type === "aws:iam/rolePolicy:RolePolicy" && x.name === `platform-agent-${agent}-identity`);
    return { deployment: byName("Deployment")!, configMap: byName("ConfigMap")!, policy: policy && json(policy.inputs.policy), scaledObject: byName("ScaledObject"), hpa: byName("HorizontalPodAutoscaler") };
}

describe("agents in the rendered stacks (AgentImage, AgentWorkload, ModelServer, AgentPlatform)", () => {
    const runs: Record<string, RunResult> = {};
    before(async () => {
        for (const stack of STACKS) runs[stack] = await sharedRender(stack);
    });

    for (const stack of STACKS) {
        describe(stack, () => {
            it("declares at least one api and one worker wired to a queue", () => {
                const c = configs[stack];
                assert.ok(c.agents.some((a) => a.role === "api"));
                assert.ok(c.agents.some((a) => a.role === "worker" && a.queue));
            });

            it(`builds each image ${onAws(stack) ? "into an immutable, scanned ECR repository" : "and pushes it to the target's registry"} and runs agents by digest`, () => {
                const r = runs[stack];
                const repos = ofType(r.resources, "aws:ecr/repository:Repository");
                assert.equal(repos.length, onAws(stack) ? configs[stack].images.length : 0);
                for (const repo of repos) {
                    assert.equal(repo.inputs.imageTagMutability, "IMMUTABLE");
                    assert.equal(repo.inputs.imageScanningConfiguration.scanOnPush, true);
                }
                const image = one(r.resources, "docker:index/image:Image", "platform-image-agent");
                assert.match(image.inputs.imageName, /:ctx-[0-9a-f]{16}$/, "content-derived tag");
                if (!onAws(stack)) assert.match(image.inputs.imageName, new RegExp(`^${configs[stack].target.registry}/agent-platform/${stack}/agent:`));
                for (const agent of configs[stack].agents) {
                    const container = agentParts(r, agent.name).deployment.inputs.spec.template.spec.containers[0];
                    assert.match(container.image, /@sha256:[0-9a-f]{64}$/, `${agent.name} runs a digest`);
                    assert.equal(container.image, image.state.repoDigest);
                }
            });

            it("every agent follows docs/architecture.md §10: probes, rollout, spread, restricted, drain, telemetry, secrets by reference", () => {
                const r = runs[stack];
                for (const agent of configs[stack].agents) {
                    const { deployment, configMap } = agentParts(r, agent.name);
                    const spec = deployment.inputs.spec;
                    const pod = spec.template.spec;
                    const c = pod.containers[0];
                    assert.equal(spec.strategy.rollingUpdate.maxUnavailable, 0, agent.name);
                    assert.equal(spec.replicas, undefined, `${agent.name}: the autoscaler owns replicas`);
                    assert.equal(c.livenessProbe.httpGet.path, "/healthz");
                    assert.equal(c.readinessProbe.httpGet.path, "/readyz");
                    assert.ok(c.startupProbe.failureThreshold * c.startupProbe.periodSeconds >= 120);
                    assert.ok(pod.topologySpreadConstraints.some((t: any) => t.topologyKey === "topology.kubernetes.io/zone"));
                    assert.equal(c.securityContext.readOnlyRootFilesystem, true);
                    assert.deepEqual(c.securityContext.capabilities.drop, ["ALL"]);
                    assert.equal(pod.securityContext.runAsNonRoot, true);
                    assert.ok(pod.terminationGracePeriodSeconds > PRE_STOP_SECONDS);
                    const data = configMap.inputs.data;
                    assert.match(data.OTEL_EXPORTER_OTLP_ENDPOINT, /^http:\/\/.+\.observability\.svc\.cluster\.local:4318$/);
                    assert.equal(data.OTEL_SERVICE_NAME, agent.name);
                    assert.match(data.OTEL_RESOURCE_ATTRIBUTES, new RegExp(`deployment\\.environment=${stack}(,|$)`));
                    assert.ok(c.env.some((e: any) => e.name === "REDIS_PASSWORD" && e.valueFrom.secretKeyRef.name === "redis-auth"));
                    for (const e of c.env) assert.ok(e.valueFrom?.secretKeyRef, `${agent.name}: env ${e.name} comes from a Secret, not a literal`);
                    if (agent.role === "worker") {
                        const queue = configs[stack].queues.find((q) => q.name === agent.queue)!;
                        assert.ok(pod.terminationGracePeriodSeconds >= queue.maxJobDurationSeconds, `${agent.name}: grace ≥ the job's maximum duration`);
                        assert.equal(pod.terminationGracePeriodSeconds, gracePeriodSeconds(queue.maxJobDurationSeconds, "worker"));
                    }
                }
            });

            it("every queue a worker consumes has an api producing to it", () => {
                const agents = configs[stack].agents;
                for (const w of agents.filter((a) => a.role === "worker")) assert.ok(agents.some((a) => a.role === "api" && a.queue === w.queue), w.name);
            });

            it("keeps long-job workers off spot where the stack says so", () => {
                for (const agent of configs[stack].agents) {
                    const selector = agentParts(runs[stack], agent.name).deployment.inputs.spec.template.spec.nodeSelector ?? {};
                    assert.equal(selector["karpenter.sh/capacity-type"], agent.capacityType === "on-demand" ? "on-demand" : undefined, agent.name);
                }
            });

            it("scales apis with an HPA and workers with a KEDA ScaledObject on their own queue", () => {
                const r = runs[stack];
                const queueUrls = r.outputs.queueUrls as Record<string, string>;
                for (const agent of configs[stack].agents) {
                    const { hpa, scaledObject } = agentParts(r, agent.name);
                    if (agent.role === "api") {
                        assert.ok(hpa && !scaledObject, agent.name);
                        assert.equal(hpa.inputs.spec.maxReplicas, agent.maxReplicas);
                    } else {
                        assert.ok(scaledObject && !hpa, agent.name);
                        assert.equal(scaledObject.inputs.spec.triggers[0].metadata.queueURL, queueUrls[agent.queue!]);
                        assert.equal(scaledObject.inputs.spec.maxReplicaCount, agent.maxReplicas);
                    }
                }
            });

            if (onAws(stack)) it("IAM (simulated): the api sends to its queue and cannot receive; a worker the reverse; none touches another queue", async () => {
                const r = runs[stack];
                const arnOf = (queue: string) => ofType(r.resources, "aws:sqs/queue:Queue").find((q) => q.inputs.name === `${stack}-${queue}`)!.state.arn as string;
                const allQueueArns = ofType(r.resources, "aws:sqs/queue:Queue").map((q) => q.state.arn as string);
                assert.ok(allQueueArns.length >= 2);
                for (const agent of configs[stack].agents) {
                    const { policy } = agentParts(r, agent.name);
                    const own = arnOf(agent.queue!);
                    const others = [...allQueueArns.filter((a) => a !== own), "arn:aws:sqs:us-west-2:123456789012:someone-else"];
                    // An api only sends; a worker consumes and, for the outbox relay, sends too.
                    const [can, cannot] = agent.role === "api" ? [["sqs:SendMessage"], ["sqs:ReceiveMessage"]] : [["sqs:ReceiveMessage", "sqs:SendMessage"], ["sqs:PurgeQueue"]];
                    for (const action of can) assert.equal(await simulate(policy, action, own), "Allowed", `${agent.name} ${action}`);
                    for (const action of cannot) assert.equal(await simulate(policy, action, own), "ImplicitlyDenied", `${agent.name} ${action}`);
                    for (const other of others) {
                        for (const action of ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"]) {
                            assert.equal(await simulate(policy, action, other), "ImplicitlyDenied", `${agent.name} ${action} on ${other}`);
                        }
                    }
                }
            });

            it("every Kubernetes object and custom resource validates against its schema", async () => {
                const objects = kubernetesObjects(runs[stack].resources);
                assert.ok(objects.length > 20);
                for (const r of objects) await validateKubernetesObject(r.inputs);
            });
        });
    }

    it("dev uses the seed's exact profiles: api-agent 256Mi/0.5 → 1Gi/2, tool-worker 128Mi/0.25 → 512Mi/1", () => {
        const api = agentParts(runs.dev, "chat-api").deployment.inputs.spec.template.spec.containers[0].resources;
        const worker = agentParts(runs.dev, "job-worker").deployment.inputs.spec.template.spec.containers[0].resources;
        assert.deepEqual(api, { requests: { memory: "256Mi", cpu: "500m" }, limits: { memory: "1Gi", cpu: "2" } });
        assert.deepEqual(worker, { requests: { memory: "128Mi", cpu: "250m" }, limits: { memory: "512Mi", cpu: "1" } });
        assert.deepEqual(api, RESOURCE_PROFILES["api-agent"]);
    });

    it("staging and prod run a model server on the GPU pool that their local-LLM worker calls; dev runs none", () => {
        assert.equal(kubernetesObjects(runs.dev.resources, "StatefulSet").filter((s) => s.inputs.metadata.name === "model-server").length, 0);
        for (const stack of ["staging", "prod"]) {
            const r = runs[stack];
            const server = kubernetesObjects(r.resources, "StatefulSet").find((s) => s.inputs.metadata.name === "model-server")!;
            const pod = server.inputs.spec.template;
            assert.equal(pod.metadata.annotations["karpenter.sh/do-not-disrupt"], "true");
            assert.ok(pod.spec.tolerations.some((t: any) => t.key === "nvidia.com/gpu"));
            const { configMap } = agentParts(r, "local-llm-worker");
            assert.equal(configMap.inputs.data.LLM_BASE_URL, r.outputs.modelServerUrl);
            assert.equal(configMap.inputs.data.LLM_MODEL, "Qwen/Qwen2.5-7B-Instruct");
            const env = agentParts(r, "local-llm-worker").deployment.inputs.spec.template.spec.containers[0].env;
            assert.ok(!env.some((e: any) => e.name === "LLM_API_KEY"), "no API key for the in-cluster model server");
            const args = server.inputs.spec.template.spec.containers.find((c: any) => c.name === "vllm" || c.args?.includes("--served-model-name")).args;
            assert.ok(args.includes("--enable-auto-tool-choice"), "vLLM accepts the agents' tool_choice: auto");
            assert.equal(args[args.indexOf("--tool-call-parser") + 1], "hermes");
        }
    });

    it("exports what an operator needs: kubeconfig (secret), API addresses, queue URLs, image references, the Grafana port-forward", () => {
        const outputs = runs.prod.outputs;
        for (const key of ["kubeconfig", "apiServiceUrls", "queueUrls", "imageRefs", "grafanaPortForwardCommand"]) assert.ok(outputs[key], key);
        assert.deepEqual(outputs.apiServiceUrls, { "chat-api": "http://chat-api.agents.svc.cluster.local", "local-chat-api": "http://local-chat-api.agents.svc.cluster.local" });
        const stackRoot = runs.prod.resources.find((r: Registered) => r.type === "pulumi:pulumi:Stack");
        assert.ok(stackRoot);
    });

    it("contract with the reference agent (agent/src/config.ts): every agent of every stack gets a configuration the agent accepts", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { loadConfig } = require("../../agent/src/config") as typeof import("../../agent/src/config");
        for (const stack of STACKS) {
            const r = runs[stack];
            for (const agent of configs[stack].agents) {
                const { configMap, deployment } = agentParts(r, agent.name);
                const container = deployment.inputs.spec.template.spec.containers[0];
                // Secrets come from ESO at run time; any value stands in for them here.
                const secretEnv = Object.fromEntries(container.env.map((e: any) => [e.name, "from-a-kubernetes-secret"]));
                assert.equal(container.args.length, 1);
                const config = loadConfig(container.args[0], { ...configMap.inputs.data, ...secretEnv });
                assert.equal(config.role, agent.role);
                assert.equal(config.port, container.ports[0].containerPort);
                const grace = deployment.inputs.spec.template.spec.terminationGracePeriodSeconds;
                assert.ok(config.shutdownGraceMs / 1000 < grace, `${stack}/${agent.name}: the agent's drain fits the grace period`);
                if (agent.role === "worker") {
                    const queue = configs[stack].queues.find((q) => q.name === agent.queue)!;
                    const visibility = queue.visibilityTimeoutSeconds ?? queue.maxJobDurationSeconds + 60;
                    assert.ok(config.jobMaxDurationMs / 1000 < visibility, `${stack}/${agent.name}: the job deadline is shorter than the visibility timeout`);
                }
            }
        }
    });
});
