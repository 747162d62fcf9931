import * as assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ModelServer, ModelServerArgs, modelServerSpecOptions } from "../../components/modelServer";
import { modelServerLabels, modelServerStatefulSet, modelWeightsReadPolicy } from "../../components/modelServer/spec";
import { POD_IDENTITY_AGENT_CIDR } from "../../components/podIdentity/spec";
import { AWS_CLI_IMAGE } from "../../components/shared/versions";
import { StackConfigError } from "../../stacks/config";
import { besidesStack, json, kubernetesObjects, ofType, one, Registered, runProgram } from "../../testing";
import { platformConfigFrom, runStack, stackConfig } from "../../stacks/offline";
import { validateKubernetesObject } from "../support/kubernetesSchema";
import { MODEL, S3_URI, spec } from "../support/modelServerFixtures";
import { assertConfigRejected } from "../support/config";

/* eslint-disable @typescript-eslint/no-explicit-any -- Kubernetes objects are checked as plain JSON */

describe("ModelServer", () => {
    describe("argument validation", () => {
        const problems = (args: Partial<ModelServerArgs>) => {
            try {
                modelServerSpecOptions({ model: MODEL, ...args });
                return "";
            } catch (e) {
                assert.ok(e instanceof pulumi.InputPropertiesError);
                return (e as Error).message;
            }
        };

        it("accepts a public hub model with defaults", () => assert.equal(problems({}), ""));

        it("rejects bad values, naming the argument, the value and what is allowed", () => {
            assert.match(problems({ model: "bad model; rm -rf /" }), /model: got "bad model; rm -rf \/"; allowed: a hub id/);
            assert.match(problems({ model: "a/b/c" }), /model/);
            assert.match(problems({ source: "gcs" }), /source: got "gcs"; allowed: one of "hub", "s3"/);
            assert.match(problems({ gpusPerReplica: 9 }), /gpusPerReplica: got 9; allowed: an integer from 1 to 8/);
            assert.match(problems({ replicas: 0 }), /replicas/);
            assert.match(problems({ name: "Model_Server" }), /name: got "Model_Server"/);
            assert.match(problems({ gpuMemoryUtilization: 1.2 }), /gpuMemoryUtilization/);
        });

        it("requires an S3 URI and the cluster name for source s3, and no hub token there", () => {
            const message = problems({ source: "s3", hubTokenSecretName: "hf" });
            assert.match(message, /s3Uri: got nothing; allowed: an s3:\/\/bucket/);
            assert.match(message, /clusterName: got nothing/);
            assert.match(message, /hubTokenSecretName: got "hf"/);
            assert.equal(problems({ source: "s3", s3Uri: S3_URI, clusterName: "agents-prod" }), "");
            assert.match(problems({ s3Uri: S3_URI }), /s3Uri: got .*; allowed: nothing when source is "hub"/);
        });
    });

    describe("component (public hub model, defaults)", () => {
        let result: Awaited<ReturnType<typeof runProgram>>;
        before(async () => {
            result = await runProgram(() => {
                const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
                const server = new ModelServer("llm", { model: MODEL, hubTokenSecretName: "hf" }, { providers: { kubernetes: provider } });
                return { serviceUrl: server.serviceUrl, serviceName: server.serviceName, port: server.port, modelName: server.modelName, podLabels: server.podLabels };
            });
        });

        it("registers the service account, both Services, the NetworkPolicy, the PDB and the StatefulSet — no AWS role", () => {
            const kinds = kubernetesObjects(result.resources).map((r) => r.type).sort();
            assert.deepEqual(kinds, [
                "kubernetes:apps/v1:StatefulSet", "kubernetes:core/v1:Service", "kubernetes:core/v1:Service", "kubernetes:core/v1:ServiceAccount",
                "kubernetes:networking.k8s.io/v1:NetworkPolicy", "kubernetes:policy/v1:PodDisruptionBudget",
            ]);
            assert.equal(ofType(result.resources, "aws:iam/role:Role").length, 0);
            assert.equal(ofType(result.resources, "aws:eks/podIdentityAssociation:PodIdentityAssociation").length, 0);
        });

        it("registers objects that validate against the Kubernetes schema, in the agents namespace, with the given provider", async () => {
            const provider = one(result.resources, "pulumi:providers:kubernetes");
            for (const r of kubernetesObjects(result.resources)) {
                await validateKubernetesObject(r.inputs);
                assert.equal(r.inputs.metadata.namespace, "agents", r.name);
                assert.ok(r.provider.startsWith(provider.urn), `${r.name} uses the component's provider: ${r.provider}`);
            }
        });

        it("registers exactly the built StatefulSet, after its service account", () => {
            const sts = one(result.resources, "kubernetes:apps/v1:StatefulSet");
            assert.deepEqual(sts.inputs, JSON.parse(JSON.stringify(modelServerStatefulSet(spec({ hubTokenSecretName: "hf" })))));
            const sa = one(result.resources, "kubernetes:core/v1:ServiceAccount");
            assert.ok(sts.dependencies.includes(sa.urn));
        });

        it("outputs what agents need: LLM_BASE_URL, Service, port, model name, pod labels", () => {
            assert.equal(result.outputs.serviceUrl, "http://model-server.agents.svc.cluster.local:8000/v1");
            assert.equal(result.outputs.serviceName, "model-server");
            assert.equal(result.outputs.port, 8000);
            assert.equal(result.outputs.modelName, MODEL);
            assert.deepEqual(result.outputs.podLabels, modelServerLabels("model-server"));
        });
    });

    describe("component (weights from S3)", () => {
        let result: Awaited<ReturnType<typeof runProgram>>;
        const byType = (type: string): Registered => one(result.resources, type);
        before(async () => {
            result = await runProgram(() => {
                const server = new ModelServer("llm", {
                    model: "qwen-7b", source: "s3", s3Uri: S3_URI, clusterName: "agents-prod", name: "qwen", namespace: "llm",
                    replicas: 2, gpusPerReplica: 2, storageGiB: 200, storageClassName: "gp3-fast", tags: { team: "ml" },
                });
                return { serviceUrl: server.serviceUrl, roleArn: server.roleArn };
            }, { config: { "aws:region": "us-east-1" } });
        });

        it("creates a Pod Identity role for the server's service account that reads only the prefix", () => {
            const assoc = byType("aws:eks/podIdentityAssociation:PodIdentityAssociation").inputs;
            assert.deepEqual([assoc.clusterName, assoc.namespace, assoc.serviceAccount], ["agents-prod", "llm", "qwen"]);
            const policy = json(byType("aws:iam/rolePolicy:RolePolicy").inputs.policy);
            assert.deepEqual(policy, modelWeightsReadPolicy("aws", S3_URI));
            const trust = json(byType("aws:iam/role:Role").inputs.assumeRolePolicy);
            assert.equal(trust.Statement[0].Principal.Service, "pods.eks.amazonaws.com");
            assert.deepEqual(byType("aws:iam/role:Role").inputs.tags, { team: "ml" });
            assert.match(String(result.outputs.roleArn), /^arn:aws:iam::\d{12}:role\//);
        });

        it("starts the StatefulSet only after the association exists", () => {
            const sts = byType("kubernetes:apps/v1:StatefulSet");
            const association = byType("aws:eks/podIdentityAssociation:PodIdentityAssociation");
            assert.ok(sts.dependencies.includes(association.urn), sts.dependencies.join(", "));
        });

        it("sizes volumes, replicas and GPUs from the arguments", async () => {
            const sts = byType("kubernetes:apps/v1:StatefulSet").inputs;
            await validateKubernetesObject(sts);
            assert.equal(sts.spec.replicas, 2);
            assert.equal(sts.spec.volumeClaimTemplates[0].spec.storageClassName, "gp3-fast");
            assert.equal(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage, "200Gi");
            assert.equal(sts.spec.template.spec.containers[0].resources.limits["nvidia.com/gpu"], "2");
            assert.equal(sts.spec.template.spec.initContainers[0].image, AWS_CLI_IMAGE);
            assert.equal(result.outputs.serviceUrl, "http://qwen.llm.svc.cluster.local:8000/v1");
        });

        it("lets the pod reach the Pod Identity agent", () => {
            const np = byType("kubernetes:networking.k8s.io/v1:NetworkPolicy").inputs;
            assert.ok(np.spec.egress.some((r: any) => r.to[0].ipBlock?.cidr === POD_IDENTITY_AGENT_CIDR));
        });
    });

    it("fails on invalid arguments before registering anything", async () => {
        const result = await runProgram(() => new ModelServer("llm", { model: MODEL, source: "s3" }), { captureError: true });
        assert.ok(result.error);
        assert.match(result.error!.message, /invalid ModelServer arguments: s3Uri/);
        assert.deepEqual(besidesStack(result.resources), []);
    });

    describe("stack configuration", () => {
        const prod = stackConfig("prod");
        const read = (modelServer: Record<string, unknown>, secrets?: Record<string, unknown>) => {
            const raw: Record<string, unknown> = { ...prod, "agent-platform:modelServer": { ...(prod["agent-platform:modelServer"] as object), ...modelServer } };
            if (secrets) raw["agent-platform:secrets"] = secrets;
            return platformConfigFrom(raw, "prod");
        };
        const problemKeys = (fn: () => unknown) => {
            try {
                fn();
                return [];
            } catch (e) {
                assert.ok(e instanceof StackConfigError, String(e));
                return e.problems.map((p) => `${p.key}=${JSON.stringify(p.value)}`);
            }
        };
        const hf = { entries: [{ name: "llm", keys: ["OPENAI_API_KEY"] }, { name: "hf", keys: ["HF_TOKEN"] }] };

        it("defaults to no hub token and the HF_TOKEN key", () => {
            const c = read({});
            assert.equal(c.modelServer.hubTokenSecret, undefined);
            assert.equal(c.modelServer.hubTokenKey, "HF_TOKEN");
        });

        it("accepts a hub token from a secrets entry that has the key", () => {
            assert.equal(read({ hubTokenSecret: "hf" }, hf).modelServer.hubTokenSecret, "hf");
        });

        it("rejects a hub token entry that does not exist, lacks the key, or goes with source s3", () => {
            assert.deepEqual(problemKeys(() => read({ hubTokenSecret: "hf" })), ["agent-platform:modelServer.hubTokenSecret=\"hf\""]);
            assert.deepEqual(problemKeys(() => read({ hubTokenSecret: "hf", hubTokenKey: "HUGGING_FACE_HUB_TOKEN" }, hf)), ["agent-platform:modelServer.hubTokenKey=\"HUGGING_FACE_HUB_TOKEN\""]);
            assert.deepEqual(problemKeys(() => read({ hubTokenSecret: "hf", source: "s3", s3Uri: S3_URI }, hf)), ["agent-platform:modelServer.hubTokenSecret=\"hf\""]);
        });

        it("fails the real program before any resource is registered", async () => {
            const result = await runStack("prod", { "agent-platform:modelServer": { ...(prod["agent-platform:modelServer"] as object), hubTokenSecret: "missing" } }, { captureError: true });
            assertConfigRejected(result, /agent-platform:modelServer\.hubTokenSecret: got "missing"; allowed: a secret name from secrets\.entries/);
        });
    });
});
