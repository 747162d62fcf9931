/**
 * The local stack (Pulumi.local.yaml, target kubernetes) through the real program, under mocks: no AWS
 * at all, the dev topology from the same components with their in-cluster stand-ins, every object valid,
 * and a bad local configuration refused before anything is registered. What only a cluster can show
 * (images built and pulled, charts installed, the agents answering) is scripts/e2e-local's, in CI on kind.
 */
import * as assert from "node:assert/strict";
import { ELASTICMQ_ACCOUNT, elasticMqEndpoint } from "../../components/taskQueue/elasticMq";
import { FAKE_LLM_PORT, fakeLlmBaseUrl } from "../../components/platform/fakeLlm";
import { KEDA_STATIC_KEY_AUTHENTICATION } from "../../components/keda/args";
import { SECRET_STORE_NAMESPACE } from "../../components/secrets/kubernetesStore";
import { kubernetesObjects, ofType, one, Registered, RunResult } from "../../testing";
import { waitsFor } from "../../scripts/criticalPath";
import { runStack, sharedRender, stackPlatformConfig } from "../../stacks/offline";
import { assertConfigRejected } from "../support/config";
import { parseHocon } from "../support/hocon";
import { validateKubernetesObject } from "../support/kubernetesSchema";

/* eslint-disable @typescript-eslint/no-explicit-any */
const config = stackPlatformConfig("local");
const byName = (r: RunResult, kind: string, name: string) => kubernetesObjects(r.resources, kind).find((o) => o.inputs.metadata?.name === name)!;
const components = (r: RunResult) => new Set(r.resources.filter((x) => x.type.startsWith("agent-platform:index:")).map((x) => x.type.split(":")[2]));

describe("the local stack (target kubernetes)", () => {
    let r: RunResult;
    let dev: RunResult;
    before(async () => {
        r = await sharedRender("local");
        dev = await sharedRender("dev");
    });

    it("registers no AWS resource and no AWS provider, and calls no AWS function", () => {
        assert.deepEqual(r.resources.filter((x) => x.type.startsWith("aws:")).map((x) => `${x.type} ${x.name}`), []);
        assert.deepEqual(r.resources.filter((x) => x.type === "pulumi:providers:aws").map((x) => x.name), []);
        assert.deepEqual(r.invokes.filter((i) => i.token.startsWith("aws:")).map((i) => i.token), []);
        assert.ok(dev.resources.some((x) => x.type.startsWith("aws:")) && dev.invokes.some((i) => i.token.startsWith("aws:")), "the check sees AWS where there is some");
    });

    it("deploys into the cluster of the configured kubeconfig context, through one provider", () => {
        const provider = one(r.resources, "pulumi:providers:kubernetes");
        assert.equal(provider.inputs.context, config.target.context);
        assert.equal(provider.inputs.kubeconfig, undefined, "the kubeconfig is the user's own ($KUBECONFIG or ~/.kube/config)");
        for (const x of r.resources.filter((x) => x.type.startsWith("kubernetes:"))) assert.match(x.provider, /pulumi:providers:kubernetes::platform-k8s::/, `${x.type} ${x.name}`);
    });

    it("is dev's topology from the same components, less the AWS foundation (network, cluster, Pod Identity roles) and the CloudWatch alarms", () => {
        const expected = new Set([...components(dev)].filter((c) => !["AgentNetwork", "AgentCluster", "PodIdentityRole", "Alerts"].includes(c)));
        assert.deepEqual([...components(r)].sort(), [...expected].sort());
        const kinds = (x: RunResult) => new Set(kubernetesObjects(x.resources).map((o) => o.type));
        for (const kind of kinds(dev)) {
            if (!/karpenter|storage\.k8s\.io|TriggerAuthentication$/.test(kind)) assert.ok(kinds(r).has(kind), `${kind} is in local too`);
        }
    });

    it("pins nothing to system, GPU or Karpenter nodes: the cluster has none of their labels", () => {
        const text = JSON.stringify(r.resources.map((x) => x.inputs));
        for (const label of ["agent-platform.io/node-role", "agent-platform.io/capacity", "karpenter.sh/capacity-type", "nvidia.com/gpu", "CriticalAddonsOnly"]) {
            assert.ok(!text.includes(label), label);
        }
    });

    it("validates every Kubernetes object and custom resource against its schema", async () => {
        const objects = kubernetesObjects(r.resources);
        assert.ok(objects.length > 30);
        for (const o of objects) await validateKubernetesObject(o.inputs);
    });

    it("serves each queue from an ElasticMQ server whose config declares the queue, its DLQ and the stack's redrive", async () => {
        for (const q of config.queues) {
            const conf = await parseHocon(byName(r, "ConfigMap", `elasticmq-${q.name}`).inputs.data["elasticmq.conf"]) as any;
            assert.deepEqual(conf.queues[`local-${q.name}`].deadLettersQueue, { name: `local-${q.name}-dlq`, maxReceiveCount: q.maxReceiveCount });
            assert.equal(conf.queues[`local-${q.name}`].defaultVisibilityTimeout, `${q.maxJobDurationSeconds + 60} seconds`);
            assert.ok(conf.queues[`local-${q.name}-dlq`]);
            assert.ok(byName(r, "Deployment", `elasticmq-${q.name}`));
        }
        const endpoint = elasticMqEndpoint("jobs", "agents");
        assert.deepEqual(r.outputs.queueUrls, { jobs: `${endpoint}/${ELASTICMQ_ACCOUNT.accountId}/local-jobs` });
        assert.deepEqual(r.outputs.deadLetterQueueUrls, { jobs: `${endpoint}/${ELASTICMQ_ACCOUNT.accountId}/local-jobs-dlq` });
    });

    it("points agents' AWS SDK at ElasticMQ with a static key from a Secret, and KEDA's scaler too", () => {
        for (const agent of config.agents) {
            const data = byName(r, "ConfigMap", agent.name).inputs.data;
            assert.equal(data.AWS_ENDPOINT_URL_SQS, elasticMqEndpoint(agent.queue!, "agents"));
            assert.equal(data.AWS_REGION, ELASTICMQ_ACCOUNT.region);
            const env = byName(r, "Deployment", agent.name).inputs.spec.template.spec.containers[0].env;
            for (const key of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]) assert.equal(env.find((e: any) => e.name === key).valueFrom.secretKeyRef.name, `elasticmq-${agent.queue}-client`);
        }
        const worker = config.agents.find((a) => a.role === "worker")!;
        const trigger = byName(r, "ScaledObject", worker.name).inputs.spec.triggers[0];
        assert.equal(trigger.metadata.awsEndpoint, elasticMqEndpoint(worker.queue!, "agents"));
        assert.equal(trigger.metadata.awsRegion, ELASTICMQ_ACCOUNT.region);
        assert.deepEqual(trigger.authenticationRef, { name: KEDA_STATIC_KEY_AUTHENTICATION, kind: "ClusterTriggerAuthentication" });
        assert.ok(one(r.resources, "kubernetes:keda.sh/v1alpha1:ClusterTriggerAuthentication"));
    });

    it("keeps secrets in the store namespace and syncs them with ESO exactly as on AWS (same store name, ExternalSecrets, Secrets)", () => {
        const store = one(r.resources, "kubernetes:external-secrets.io/v1:ClusterSecretStore");
        assert.equal(store.inputs.spec.provider.kubernetes.remoteNamespace, SECRET_STORE_NAMESPACE);
        const devStore = one(dev.resources, "kubernetes:external-secrets.io/v1:ClusterSecretStore");
        assert.equal(store.inputs.metadata.name.replace("local", "ENV"), devStore.inputs.metadata.name.replace("dev", "ENV"));
        const targets = (x: RunResult) => ofType(x.resources, "kubernetes:external-secrets.io/v1:ExternalSecret").map((e: Registered) => `${e.inputs.metadata.namespace}/${e.inputs.spec.target.name}`).sort();
        // Dev also syncs Grafana's Slack webhook (`alerting`); the local stack's Grafana alerts post nowhere.
        assert.deepEqual(targets(r), targets(dev).filter((t) => t !== "observability/alerting"));
        assert.deepEqual(r.outputs.secretNames, { llm: `${SECRET_STORE_NAMESPACE}/llm`, "redis-auth": `${SECRET_STORE_NAMESPACE}/redis-auth`, "grafana-admin": `${SECRET_STORE_NAMESPACE}/grafana-admin` });
    });

    it("pushes the agent and fake LLM images to the configured registry and runs them by digest", () => {
        const images = ofType(r.resources, "docker:index/image:Image");
        assert.deepEqual(images.map((i) => i.inputs.imageName.replace(/:ctx-[0-9a-f]{16}$/, "")).sort(), ["localhost:5001/agent-platform/local/agent", "localhost:5001/agent-platform/local/fake-llm"]);
        assert.equal(images.find((i) => i.name === "platform-image-fake-llm")!.inputs.build.context, "e2e/fake-llm");
        const refs = r.outputs.imageRefs as Record<string, string>;
        for (const ref of Object.values(refs)) assert.match(ref, /^localhost:5001\/agent-platform\/local\/[a-z-]+@sha256:[0-9a-f]{64}$/);
        assert.equal(byName(r, "Deployment", "fake-llm").inputs.spec.template.spec.containers[0].image, refs["fake-llm"]);
    });

    it("deploys the fake LLM the agents call, requiring the key ESO synced into the agents' Secret", async () => {
        const container = byName(r, "Deployment", "fake-llm").inputs.spec.template.spec.containers[0];
        assert.deepEqual(container.env.find((e: any) => e.name === "FAKE_LLM_API_KEY").valueFrom.secretKeyRef, { name: "llm", key: "OPENAI_API_KEY", optional: true }, "no value in the file: it may come later");
        // With the value in config (as scripts/e2e-local sets it), the fake waits for it, and the agents for the fake.
        const keyed = await runStack("local", { "agent-platform:secretValues": { llm: { OPENAI_API_KEY: "sk-e2e-KNOWN" } } }, { secretKeys: ["agent-platform:secretValues"] });
        const fake = byName(keyed, "Deployment", "fake-llm");
        assert.equal(fake.inputs.spec.template.spec.containers[0].env.find((e: any) => e.name === "FAKE_LLM_API_KEY").valueFrom.secretKeyRef.optional, false);
        for (const agent of config.agents) {
            assert.ok(waitsFor(keyed.resources)(byName(keyed, "Deployment", agent.name).urn, fake.urn), `${agent.name} starts after the fake`);
        }
        assert.equal(byName(r, "Service", "fake-llm").inputs.spec.ports[0].port, FAKE_LLM_PORT);
        for (const agent of config.agents) {
            assert.equal(byName(r, "ConfigMap", agent.name).inputs.data.LLM_BASE_URL, fakeLlmBaseUrl("agents"));
            const egress = byName(r, "NetworkPolicy", agent.name).inputs.spec.egress;
            assert.ok(egress.some((rule: any) => rule.ports.some((p: any) => p.port === FAKE_LLM_PORT)), `${agent.name} may call the fake`);
        }
    });

    it("exports what the end-to-end script and a user need, and nothing of AWS", () => {
        assert.equal(r.outputs.target, "kubernetes");
        assert.equal(r.outputs.clusterName, config.target.context);
        for (const key of ["kubeconfig", "vpcId", "clusterEndpoint", "privateSubnetIds"]) assert.equal(key in r.outputs, false, key);
        assert.deepEqual(r.outputs.apiServiceUrls, { "chat-api": "http://chat-api.agents.svc.cluster.local" });
        assert.match(String(r.outputs.grafanaPortForwardCommand), /port-forward svc\/grafana/);
    });
});

describe("the local stack: bad configuration is refused before any resource", () => {
    const target = (t: object) => ({ "agent-platform:target": { type: "kubernetes", context: "kind-agent-platform", ...t } });
    const agents = config.agents.map(({ name, role, queue, llmBaseUrl, llmModel }) => ({ name, role, queue, llmBaseUrl, llmModel }));
    const cases: { title: string; stack?: string; overrides: Record<string, unknown>; key: string; allowed: RegExp; secretKeys?: string[] }[] = [
        { title: "no kubeconfig context", overrides: { "agent-platform:target": { type: "kubernetes" } }, key: "agent-platform:target.context", allowed: /the kubeconfig context of the cluster \(required with type "kubernetes"\)/ },
        { title: "an unknown registry form", overrides: target({ registry: "quay.io/acme" }), key: "agent-platform:target.registry", allowed: /"localhost:<port>".*"ghcr\.io\/<owner>" or "docker\.io\/<namespace>"/ },
        { title: "a GHCR registry without a user", overrides: target({ registry: "ghcr.io/acme" }), key: "agent-platform:target.registryUsername", allowed: /the user pushing to ghcr\.io\/acme/ },
        { title: "a GHCR registry without a token", overrides: target({ registry: "ghcr.io/acme", registryUsername: "acme-bot" }), key: "agent-platform:registryPassword", allowed: /a password or token for ghcr\.io\/acme, set with `pulumi config set --secret agent-platform:registryPassword`/ },
        { title: "a user for a local registry", overrides: target({ registryUsername: "me" }), key: "agent-platform:target.registryUsername", allowed: /nothing for a local registry/ },
        { title: "an unknown target", overrides: target({ type: "gke" }), key: "agent-platform:target.type", allowed: /one of "aws", "kubernetes"/ },
        { title: "a VPC for an existing cluster", overrides: { "agent-platform:network": { vpcCidr: "10.40.0.0/16" } }, key: "agent-platform:network", allowed: /nothing with target\.type "kubernetes"/ },
        { title: "node pools for an existing cluster", overrides: { "agent-platform:nodePools": { gpu: { enabled: true } } }, key: "agent-platform:nodePools", allowed: /no VPC, EKS or Karpenter pools/ },
        { title: "ElastiCache", overrides: { "agent-platform:contextStore": { mode: "elasticache" } }, key: "agent-platform:contextStore.mode", allowed: /"in-cluster" with target\.type "kubernetes"/ },
        { title: "traces in S3", overrides: { "agent-platform:tracing": { storage: "s3" } }, key: "agent-platform:tracing.storage", allowed: /"local" with target\.type "kubernetes"/ },
        { title: "metrics in AMP", overrides: { "agent-platform:tracing": { storage: "local", metrics: "amp" } }, key: "agent-platform:tracing.metrics", allowed: /"local" with target\.type "kubernetes"/ },
        { title: "alerts to an SNS topic", overrides: { "agent-platform:alerts": { contactPoint: "sns" } }, key: "agent-platform:alerts.contactPoint", allowed: /"grafana" with target\.type "kubernetes"/ },
        { title: "a model server", overrides: { "agent-platform:modelServer": { enabled: true } }, key: "agent-platform:modelServer.enabled", allowed: /needs the GPU pool/ },
        { title: "a GPU agent", overrides: { "agent-platform:agents": [{ ...agents[0], gpu: true }, agents[1]] }, key: "agent-platform:agents[0].gpu", allowed: /false with target\.type "kubernetes" \(no GPU pool\)/ },
        { title: "on-demand placement", overrides: { "agent-platform:agents": [agents[0], { ...agents[1], capacityType: "on-demand" }] }, key: "agent-platform:agents[1].capacityType", allowed: /no Karpenter capacity labels/ },
        { title: "a fake LLM without its image", overrides: { "agent-platform:images": [{ name: "agent" }] }, key: "agent-platform:fakeLlm.image", allowed: /an image name from images: "agent"/ },
        { title: "a fake LLM key that is not a secret entry", overrides: { "agent-platform:fakeLlm": { enabled: true, apiKey: "llm/NOPE" } }, key: "agent-platform:fakeLlm.apiKey", allowed: /"none" or an entry\/key of secrets\.entries: "llm\/OPENAI_API_KEY"/ },
        { title: "a fake LLM on AWS", stack: "dev", overrides: { "agent-platform:fakeLlm": { enabled: true }, "agent-platform:images": [{ name: "agent" }, { name: "fake-llm", context: "e2e/fake-llm", dockerfile: "e2e/fake-llm/Dockerfile" }] }, key: "agent-platform:fakeLlm.enabled", allowed: /false unless target\.type is "kubernetes"/ },
        { title: "a context on AWS", stack: "dev", overrides: { "agent-platform:target": { context: "kind-agent-platform" } }, key: "agent-platform:target.context", allowed: /nothing with type "aws"/ },
        { title: "a registry token on AWS", stack: "dev", overrides: { "agent-platform:registryPassword": "ghp_KNOWNsecretToken" }, secretKeys: ["agent-platform:registryPassword"], key: "agent-platform:registryPassword", allowed: /nothing unless target\.type is "kubernetes" with a GHCR or Docker Hub registry/ },
    ];
    for (const c of cases) {
        it(`${c.title}: names ${c.key} and what is allowed, registers nothing`, async () => {
            const result = await runStack(c.stack ?? "local", c.overrides, { captureError: true, secretKeys: c.secretKeys });
            const error = assertConfigRejected(result);
            const line = error.message.split("\n").find((l) => l.includes(`${c.key}:`));
            assert.ok(line, `message names ${c.key}:\n${error.message}`);
            assert.match(line, c.allowed);
            assert.ok(!error.message.includes("ghp_KNOWNsecretToken"), "never a secret value");
        });
    }

    it("pushes to GHCR with the user and the config secret as a secret", async () => {
        const token = "ghp_KNOWNsecretToken0123456789";
        const result = await runStack("local", { ...target({ registry: "ghcr.io/acme", registryUsername: "acme-bot" }), "agent-platform:registryPassword": token }, { secretKeys: ["agent-platform:registryPassword"] });
        assert.equal(ofType(result.resources, "docker:index/image:Image").length, 2, "the agent and fake LLM images");
        for (const image of ofType(result.resources, "docker:index/image:Image")) {
            assert.match(image.inputs.imageName, /^ghcr\.io\/acme\/agent-platform\/local\//);
            assert.deepEqual(image.inputs.registry, { server: "ghcr.io", username: "acme-bot", password: token });
            assert.ok(image.secretPaths.includes("registry.password"));
        }
        assert.deepEqual(result.resources.filter((x) => x.type.startsWith("aws:")), []);
    });
});
