import * as assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AgentWorkload, AgentWorkloadArgs } from "../../components/workload";
import { gracePeriodSeconds, PRE_STOP_SECONDS, STARTUP_PROBE } from "../../components/workload/spec";
import { simulate } from "../support/iam";
import { validateKubernetesObject } from "../support/kubernetesSchema";
import { json, kubernetesObjects, one, Registered, runProgram } from "../../testing";

/* eslint-disable @typescript-eslint/no-explicit-any */
const JOBS_ARN = "arn:aws:sqs:us-west-2:123456789012:dev-jobs";
const OTHER_ARN = "arn:aws:sqs:us-west-2:123456789012:dev-other";
const base = {
    environment: "dev", clusterName: "agents-dev", image: "123456789012.dkr.ecr.us-west-2.amazonaws.com/agent@sha256:" + "a".repeat(64),
    region: "us-west-2",
    queue: { url: "https://sqs.us-west-2.amazonaws.com/123456789012/dev-jobs", arn: JOBS_ARN, maxJobDurationSeconds: 600 },
    redis: { url: "rediss://master.ctx.abc.usw2.cache.amazonaws.com:6379", cidrs: ["10.10.0.0/16"], passwordSecretName: "redis-auth", passwordSecretKey: "password", sessionTtlSeconds: 3600 },
    llm: { baseUrl: "https://api.openai.com/v1", model: "gpt-4o-mini", apiKeySecretName: "llm", apiKeySecretKey: "OPENAI_API_KEY" },
    secretNames: ["llm"],
    otlpEndpoint: "http://otel-collector.observability.svc.cluster.local:4318",
};

function workload(args: Partial<AgentWorkloadArgs> & Pick<AgentWorkloadArgs, "workloadName" | "role">) {
    return runProgram(() => {
        const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
        new AgentWorkload(args.workloadName, { ...base, ...args } as AgentWorkloadArgs, { providers: { kubernetes: provider } });
    });
}

const deploymentOf = (resources: Registered[]) => kubernetesObjects(resources, "Deployment")[0].inputs;
const containerOf = (resources: Registered[]) => deploymentOf(resources).spec.template.spec.containers[0];

describe("AgentWorkload", () => {
    describe("api", () => {
        let resources: Registered[];
        before(async () => { resources = (await workload({ workloadName: "chat-api", role: "api", minReplicas: 2, maxReplicas: 6, maxRequestSeconds: 90 })).resources; });

        it("uses the api-agent profile: 256Mi/0.5 CPU → 1Gi/2 CPU", () => {
            assert.deepEqual(containerOf(resources).resources, { requests: { memory: "256Mi", cpu: "500m" }, limits: { memory: "1Gi", cpu: "2" } });
        });

        it("probes: startup with a budget, liveness on the process only, readiness on /readyz", () => {
            const c = containerOf(resources);
            assert.equal(c.startupProbe.httpGet.path, "/healthz");
            assert.equal(c.startupProbe.failureThreshold * c.startupProbe.periodSeconds, STARTUP_PROBE.failureThreshold * STARTUP_PROBE.periodSeconds);
            assert.ok(c.startupProbe.failureThreshold * c.startupProbe.periodSeconds >= 120, "at least two minutes to start");
            assert.equal(c.livenessProbe.httpGet.path, "/healthz", "liveness never depends on Redis, SQS or the LLM");
            assert.equal(c.readinessProbe.httpGet.path, "/readyz");
            assert.equal(c.livenessProbe.initialDelaySeconds, undefined);
        });

        it("rolls out with maxUnavailable 0, leaves replicas to the HPA, spreads over zones", () => {
            const d = deploymentOf(resources);
            assert.deepEqual(d.spec.strategy, { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } });
            assert.equal(d.spec.replicas, undefined);
            assert.ok(d.spec.template.spec.topologySpreadConstraints.some((t: any) => t.topologyKey === "topology.kubernetes.io/zone"));
        });

        it("drains: preStop sleep, then a grace period covering the longest call", () => {
            const spec = deploymentOf(resources).spec.template.spec;
            assert.deepEqual(containerOf(resources).lifecycle, { preStop: { sleep: { seconds: PRE_STOP_SECONDS } } });
            assert.equal(spec.terminationGracePeriodSeconds, gracePeriodSeconds(90));
            assert.ok(spec.terminationGracePeriodSeconds >= 90 + PRE_STOP_SECONDS);
        });

        it("runs restricted: non-root, read-only root with a writable /tmp, no capabilities, default seccomp", () => {
            const spec = deploymentOf(resources).spec.template.spec;
            const c = containerOf(resources);
            assert.equal(spec.securityContext.runAsNonRoot, true);
            assert.equal(spec.securityContext.seccompProfile.type, "RuntimeDefault");
            assert.deepEqual(c.securityContext.capabilities, { drop: ["ALL"] });
            assert.equal(c.securityContext.readOnlyRootFilesystem, true);
            assert.equal(c.securityContext.allowPrivilegeEscalation, false);
            assert.deepEqual(c.volumeMounts, [{ name: "tmp", mountPath: "/tmp" }]);
            assert.ok(spec.volumes.find((v: any) => v.name === "tmp").emptyDir);
            assert.equal(spec.automountServiceAccountToken, false);
            assert.equal(c.image, base.image, "image by digest");
        });

        it("takes settings from a ConfigMap and secrets only by reference", () => {
            const c = containerOf(resources);
            assert.deepEqual(c.envFrom, [{ configMapRef: { name: "chat-api" } }, { secretRef: { name: "llm", optional: true } }]);
            assert.deepEqual(c.env, [
                { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "redis-auth", key: "password" } } },
                // Set out of band after the first deploy: pods start without it and restart when it arrives.
                { name: "LLM_API_KEY", valueFrom: { secretKeyRef: { name: "llm", key: "OPENAI_API_KEY", optional: true } } },
            ]);
            const data = one(resources, "kubernetes:core/v1:ConfigMap").inputs.data;
            assert.equal(data.OTEL_EXPORTER_OTLP_ENDPOINT, base.otlpEndpoint);
            assert.equal(data.OTEL_SERVICE_NAME, "chat-api");
            assert.match(data.OTEL_RESOURCE_ATTRIBUTES, /(^|,)deployment\.environment=dev(,|$)/);
            assert.equal(data.REDIS_URL, base.redis.url);
            assert.equal(data.QUEUE_URL, base.queue.url);
            assert.equal(data.SESSION_TTL_SECONDS, "3600");
            assert.ok(!JSON.stringify(data).includes("password="), "no credentials in the ConfigMap");
        });

        it("restarts on secret or config change (Reloader annotations)", () => {
            const annotations = kubernetesObjects(resources, "Deployment")[0].inputs.metadata.annotations;
            assert.equal(annotations["secret.reloader.stakater.com/reload"], "llm,redis-auth");
            assert.equal(annotations["configmap.reloader.stakater.com/reload"], "chat-api");
        });

        it("has a ClusterIP Service, an HPA on CPU and memory with the configured bounds, and a PDB", () => {
            assert.equal(one(resources, "kubernetes:core/v1:Service").inputs.spec.type, "ClusterIP");
            const hpa = one(resources, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler").inputs.spec;
            assert.equal(hpa.minReplicas, 2);
            assert.equal(hpa.maxReplicas, 6);
            assert.deepEqual(hpa.metrics.map((m: any) => m.resource.name), ["cpu", "memory"]);
            assert.equal(one(resources, "kubernetes:policy/v1:PodDisruptionBudget").inputs.spec.maxUnavailable, 1);
        });

        it("denies by default: egress to DNS, the collector, Redis and HTTPS only; ingress on its port from its namespace", () => {
            const np = one(resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy").inputs.spec;
            assert.deepEqual(np.policyTypes, ["Ingress", "Egress"]);
            const ports = np.egress.map((r: any) => r.ports.map((p: any) => `${p.protocol}/${p.port}`).join("+"));
            assert.deepEqual(ports, ["UDP/53+TCP/53", "TCP/4317+TCP/4318", "TCP/443", "TCP/6379", "TCP/80"]);
            assert.deepEqual(np.egress[3].to, [{ ipBlock: { cidr: "10.10.0.0/16" } }]);
            assert.deepEqual(np.egress[4].to, [{ ipBlock: { cidr: "169.254.170.23/32" } }], "the Pod Identity agent, for AWS credentials");
            assert.deepEqual(np.ingress, [{ from: [{ podSelector: {} }], ports: [{ protocol: "TCP", port: 8080 }] }]);
        });

        it("gets a Pod Identity role that can send to its queue and nothing else", async () => {
            const policy = json(one(resources, "aws:iam/rolePolicy:RolePolicy").inputs.policy);
            assert.equal(await simulate(policy, "sqs:SendMessage", JOBS_ARN), "Allowed");
            assert.equal(await simulate(policy, "sqs:ReceiveMessage", JOBS_ARN), "ImplicitlyDenied");
            assert.equal(await simulate(policy, "sqs:SendMessage", OTHER_ARN), "ImplicitlyDenied");
            const association = one(resources, "aws:eks/podIdentityAssociation:PodIdentityAssociation").inputs;
            assert.deepEqual([association.namespace, association.serviceAccount], ["agents", "chat-api"]);
        });

        it("every Kubernetes object validates against the Kubernetes schema", async () => {
            for (const r of kubernetesObjects(resources)) await validateKubernetesObject(r.inputs);
        });
    });

    describe("worker", () => {
        let resources: Registered[];
        before(async () => { resources = (await workload({ workloadName: "job-worker", role: "worker", minReplicas: 0, maxReplicas: 5 })).resources; });

        it("uses the tool-worker profile: 128Mi/0.25 CPU → 512Mi/1 CPU", () => {
            assert.deepEqual(containerOf(resources).resources, { requests: { memory: "128Mi", cpu: "250m" }, limits: { memory: "512Mi", cpu: "1" } });
            assert.deepEqual(containerOf(resources).args, ["worker"]);
        });

        it("is scaled by a KEDA ScaledObject on its queue, with replicas left unset", async () => {
            const so = one(resources, "kubernetes:keda.sh/v1alpha1:ScaledObject").inputs;
            assert.equal(so.spec.scaleTargetRef.name, "job-worker");
            assert.equal(so.spec.minReplicaCount, 0);
            assert.equal(so.spec.maxReplicaCount, 5);
            assert.equal(so.spec.triggers[0].type, "aws-sqs-queue");
            assert.equal(so.spec.triggers[0].metadata.queueURL, base.queue.url);
            assert.equal(deploymentOf(resources).spec.replicas, undefined);
            assert.equal(kubernetesObjects(resources, "HorizontalPodAutoscaler").length, 0);
            assert.equal(kubernetesObjects(resources, "Service").length, 0);
            await validateKubernetesObject(so);
        });

        it("keeps a grace period of at least the job's maximum duration, and tells the agent its deadline", () => {
            assert.equal(deploymentOf(resources).spec.template.spec.terminationGracePeriodSeconds, gracePeriodSeconds(600, "worker"));
            assert.ok(gracePeriodSeconds(600, "worker") >= 600 + PRE_STOP_SECONDS + 20, "the job, the preStop and the last 20 s long poll");
            const data = one(resources, "kubernetes:core/v1:ConfigMap").inputs.data;
            assert.equal(data.JOB_MAX_DURATION_SECONDS, "600");
            assert.equal(data.SHUTDOWN_GRACE_SECONDS, "600");
        });

        it("accepts no ingress", () => {
            assert.deepEqual(one(resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy").inputs.spec.ingress, []);
        });

        it("gets a role that can receive, delete, extend visibility and (for the outbox relay) send on its queue, nor touch another queue", async () => {
            const policy = json(one(resources, "aws:iam/rolePolicy:RolePolicy").inputs.policy);
            for (const action of ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:SendMessage"]) assert.equal(await simulate(policy, action, JOBS_ARN), "Allowed", action);
            assert.equal(await simulate(policy, "sqs:PurgeQueue", JOBS_ARN), "ImplicitlyDenied");
            assert.equal(await simulate(policy, "sqs:SendMessage", OTHER_ARN), "ImplicitlyDenied");
            assert.equal(await simulate(policy, "sqs:ReceiveMessage", OTHER_ARN), "ImplicitlyDenied");
        });
    });

    describe("contract with the agent", () => {
        it("sets the chat deadline under the longest call, and sizes KEDA's target to the worker's concurrency", async () => {
            const api = await workload({ workloadName: "a", role: "api", maxRequestSeconds: 90 });
            assert.equal(one(api.resources, "kubernetes:core/v1:ConfigMap").inputs.data.CHAT_MAX_DURATION_SECONDS, "85");
            const worker = await workload({ workloadName: "w", role: "worker", workerConcurrency: 8 });
            assert.equal(one(worker.resources, "kubernetes:core/v1:ConfigMap").inputs.data.WORKER_CONCURRENCY, "8");
            assert.equal(one(worker.resources, "kubernetes:keda.sh/v1alpha1:ScaledObject").inputs.spec.triggers[0].metadata.queueLength, "8");
        });

        it("opens egress to an LLM endpoint on another port than 443 (e.g. Ollama), and only then", async () => {
            const ollama = await workload({ workloadName: "a", role: "api", llm: { baseUrl: "http://ollama.tools.svc.cluster.local:11434/v1", model: "llama3" } });
            const rules = one(ollama.resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy").inputs.spec.egress;
            assert.ok(rules.some((r: any) => r.ports[0].port === 11434 && r.to.some((t: any) => t.namespaceSelector)), JSON.stringify(rules));
            const https = await workload({ workloadName: "a", role: "api" });
            const egress = one(https.resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy").inputs.spec.egress;
            const portRules = (port: number) => egress.filter((r: any) => r.ports.some((p: any) => p.port === port));
            assert.deepEqual(portRules(11434), []);
            assert.deepEqual(portRules(80).map((r: any) => r.to), [[{ ipBlock: { cidr: "169.254.170.23/32" } }]], "port 80 only to the Pod Identity agent");
        });

        it("pins pods to on-demand nodes when asked, and rejects an unknown capacity type", async () => {
            const onDemand = await workload({ workloadName: "w", role: "worker", capacityType: "on-demand" });
            assert.deepEqual(deploymentOf(onDemand.resources).spec.template.spec.nodeSelector, { "karpenter.sh/capacity-type": "on-demand" });
            const bad = await runProgram(() => new AgentWorkload("w", { ...base, workloadName: "w", role: "worker", capacityType: "reserved" } as never), { captureError: true });
            assert.match(String(bad.error), /capacityType: got "reserved"; allowed: one of "any", "on-demand"/);
        });
    });

    describe("namespace", () => {
        it("uses an existing namespace by default, or creates one with Pod Security restricted enforced", async () => {
            const existing = await workload({ workloadName: "a", role: "api" });
            assert.equal(kubernetesObjects(existing.resources, "Namespace").length, 0);
            const created = await workload({ workloadName: "a", role: "api", namespace: "team-x", createNamespace: true });
            const ns = one(created.resources, "kubernetes:core/v1:Namespace");
            assert.equal(ns.inputs.metadata.name, "team-x");
            assert.equal(ns.inputs.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
            const sa = one(created.resources, "kubernetes:core/v1:ServiceAccount");
            assert.ok(sa.dependencies.includes(ns.urn), "objects in the namespace wait for it");
            assert.equal(kubernetesObjects(created.resources, "Deployment")[0].inputs.metadata.namespace, "team-x");
        });
    });

    describe("GPU", () => {
        it("tolerates the GPU taint, selects the GPU pool and asks for one nvidia.com/gpu", async () => {
            const { resources } = await workload({ workloadName: "gpu-api", role: "api", gpu: true });
            const spec = deploymentOf(resources).spec.template.spec;
            assert.deepEqual(spec.tolerations, [{ key: "nvidia.com/gpu", operator: "Equal", value: "true", effect: "NoSchedule" }]);
            assert.deepEqual(spec.nodeSelector, { "agent-platform.io/capacity": "gpu" });
            assert.equal(containerOf(resources).resources.limits["nvidia.com/gpu"], "1");
        });
    });

    describe("argument validation", () => {
        it("names each bad argument and registers nothing", async () => {
            const result = await runProgram(() => new AgentWorkload("w", { ...base, workloadName: "Bad_Name", role: "cron", profile: "huge", queue: undefined } as never), { captureError: true });
            assert.ok(pulumi.InputPropertiesError.isInstance(result.error), String(result.error));
            const paths = (result.error as pulumi.InputPropertiesError).errors.map((e) => e.propertyPath);
            assert.deepEqual(paths, ["workloadName", "role", "profile"]);
            assert.deepEqual(result.resources.filter((r) => r.custom), []);
        });

        it("requires a queue for a worker", async () => {
            const result = await runProgram(() => new AgentWorkload("w", { ...base, workloadName: "w", role: "worker", queue: undefined } as never), { captureError: true });
            assert.match(String(result.error), /queue: got nothing; allowed: a queue for a worker/);
        });
    });
});
