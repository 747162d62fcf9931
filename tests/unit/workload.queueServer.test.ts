import * as assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import { AgentWorkload, AgentWorkloadArgs } from "../../components/workload";
import { besidesStack, kubernetesObjects, runProgram, RunResult } from "../../testing";
import { validateKubernetesObject } from "../support/kubernetesSchema";

/* eslint-disable @typescript-eslint/no-explicit-any */
const ENDPOINT = "http://elasticmq-jobs.agents.svc.cluster.local:9324";
const SERVER_LABELS = { "app.kubernetes.io/name": "elasticmq", "app.kubernetes.io/instance": "elasticmq-jobs" };
const base = (): Omit<AgentWorkloadArgs, "workloadName" | "role"> => ({
    environment: "local", image: "localhost:5001/agent-platform/local/agent@sha256:" + "b".repeat(64), region: "us-east-1",
    queue: { url: `${ENDPOINT}/000000000000/local-jobs`, arn: "arn:aws:sqs:us-east-1:000000000000:local-jobs", maxJobDurationSeconds: 120,
        server: { endpoint: ENDPOINT, credentialsSecretName: "elasticmq-jobs-client", podLabels: SERVER_LABELS } },
    redis: { url: "redis://context-store.agents.svc.cluster.local:6379", podLabels: { "app.kubernetes.io/name": "valkey" }, passwordSecretName: "redis-auth", passwordSecretKey: "password" },
    llm: { baseUrl: "http://fake-llm.agents.svc.cluster.local/v1", model: "fake-model" },
    triggerAuthenticationName: "keda-sqs-static-key", triggerAuthenticationKind: "ClusterTriggerAuthentication",
});

function workload(args: Partial<AgentWorkloadArgs> & Pick<AgentWorkloadArgs, "workloadName" | "role">): Promise<RunResult> {
    return runProgram(() => {
        const provider = new k8s.Provider("k8s", { context: "kind-test" });
        new AgentWorkload(args.workloadName, { ...base(), ...args } as AgentWorkloadArgs, { providers: { kubernetes: provider } });
    }, { captureError: true });
}

describe("AgentWorkload on an SQS-compatible server in the cluster", () => {
    let worker: RunResult;
    let api: RunResult;
    before(async () => {
        worker = await workload({ workloadName: "job-worker", role: "worker" });
        api = await workload({ workloadName: "chat-api", role: "api", minReplicas: 1 });
    });

    it("makes no Pod Identity role (nor any AWS resource or call) and needs no cluster name", () => {
        for (const r of [worker, api]) {
            assert.equal(r.error, undefined);
            assert.deepEqual(r.resources.filter((x) => x.type.startsWith("aws:") || x.type.includes("PodIdentityRole")).map((x) => x.type), []);
            assert.deepEqual(r.invokes.filter((i) => i.token.startsWith("aws:")), []);
        }
    });

    it("points the AWS SDK at the server (AWS_ENDPOINT_URL_SQS) with the static key from its Secret, never a literal", () => {
        for (const r of [worker, api]) {
            const data = kubernetesObjects(r.resources, "ConfigMap")[0].inputs.data;
            assert.equal(data.AWS_ENDPOINT_URL_SQS, ENDPOINT);
            assert.equal(data.AWS_REGION, "us-east-1");
            assert.equal(data.QUEUE_URL, `${ENDPOINT}/000000000000/local-jobs`);
            const env = kubernetesObjects(r.resources, "Deployment")[0].inputs.spec.template.spec.containers[0].env;
            for (const key of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]) {
                assert.deepEqual(env.find((e: any) => e.name === key), { name: key, valueFrom: { secretKeyRef: { name: "elasticmq-jobs-client", key } } });
            }
        }
    });

    it("lets the pods reach the server's pods on its port, and drops the Pod Identity agent rule", () => {
        const egress = kubernetesObjects(worker.resources, "NetworkPolicy")[0].inputs.spec.egress;
        assert.deepEqual(egress.find((r: any) => r.ports[0].port === 9324), { to: [{ podSelector: { matchLabels: SERVER_LABELS } }], ports: [{ protocol: "TCP", port: 9324 }] });
        assert.ok(!egress.some((r: any) => r.to.some((t: any) => t.ipBlock?.cidr === "169.254.170.23/32")));
    });

    it("scales the worker on the server's queue with KEDA's awsEndpoint and the cluster-wide static-key authentication", async () => {
        const so = kubernetesObjects(worker.resources, "ScaledObject")[0].inputs;
        assert.equal(so.spec.triggers[0].metadata.awsEndpoint, ENDPOINT);
        assert.deepEqual(so.spec.triggers[0].authenticationRef, { name: "keda-sqs-static-key", kind: "ClusterTriggerAuthentication" });
        for (const o of kubernetesObjects(worker.resources)) await validateKubernetesObject(o.inputs);
    });

    it("still needs a cluster name for a queue on SQS, and says so before registering anything", async () => {
        const onSqs = base();
        delete onSqs.queue!.server;
        const r = await runProgram(() => new AgentWorkload("w", { ...onSqs, workloadName: "w", role: "worker" }), { captureError: true });
        assert.match(String(r.error?.message), /clusterName: got nothing; allowed: the EKS cluster name \(required with a queue on SQS/);
        assert.deepEqual(besidesStack(r.resources), []);
    });
});
