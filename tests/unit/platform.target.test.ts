import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { AgentPlatform, AgentPlatformArgs } from "../../components/platform";
import { standInsFor } from "../../components/platform/foundation";
import { targetOptionsSchema } from "../../components/platform/args";
import { besidesStack, runProgram } from "../../testing";

const TAG = "ctx-0123456789abcdef";
const onKind = (extra: Partial<AgentPlatformArgs> = {}): AgentPlatformArgs => ({
    environment: "local",
    target: { type: "kubernetes", context: "kind-agent-platform" },
    contextStore: { mode: "in-cluster" },
    tracing: { storage: "local", metrics: "local" },
    alerts: { contactPoint: "grafana" },
    images: [{ name: "agent", tag: TAG }],
    agents: [{ name: "chat-api", role: "api", queue: "jobs", minReplicas: 1 }, { name: "job-worker", role: "worker", queue: "jobs" }],
    ...extra,
});

function render(args: AgentPlatformArgs) {
    return runProgram(() => { new AgentPlatform("platform", args); }, { captureError: true });
}

describe("AgentPlatform on the kubernetes target (the component, as a library user calls it)", () => {
    it("builds on an existing cluster with no AWS resource, provider or call", async () => {
        const r = await render(onKind());
        assert.equal(r.error, undefined);
        assert.deepEqual(r.resources.filter((x) => x.type.startsWith("aws:") || x.type === "pulumi:providers:aws"), []);
        assert.deepEqual(r.invokes.filter((i) => i.token.startsWith("aws:")), []);
        assert.ok(r.resources.some((x) => x.type === "agent-platform:index:TaskQueue"));
    });

    it("chooses each component's stand-in from the target alone", () => {
        const aws = standInsFor(targetOptionsSchema.parse({}));
        const kubernetes = standInsFor(targetOptionsSchema.parse({ type: "kubernetes", context: "c" }));
        assert.deepEqual([aws.secrets.store, aws.queues.backend, aws.keda.authentication, aws.onSystemNodes, aws.images], ["secrets-manager", "sqs", "pod-identity", true, undefined]);
        assert.deepEqual([kubernetes.secrets.store, kubernetes.queues.backend, kubernetes.keda.authentication, kubernetes.onSystemNodes], ["kubernetes", "elasticmq", "static-key", false]);
        assert.deepEqual(kubernetes.images, { registry: "localhost:5001", registryUsername: undefined, registryPassword: undefined });
        assert.deepEqual(kubernetes.triggerAuthentication, { name: "keda-sqs-static-key", kind: "ClusterTriggerAuthentication" });
    });

    const refused: [string, AgentPlatformArgs, RegExp][] = [
        ["no context", onKind({ target: { type: "kubernetes" } }), /target\.context: got nothing; allowed: the kubeconfig context of the cluster/],
        ["a VPC", onKind({ network: { vpcCidr: "10.40.0.0/16" } }), /network: got .*; allowed: nothing with target\.type "kubernetes"/],
        ["ElastiCache", onKind({ contextStore: { mode: "elasticache" } }), /contextStore\.mode: got "elasticache"; allowed: "in-cluster" with target\.type "kubernetes"/],
        ["S3 traces", onKind({ tracing: { storage: "s3", metrics: "local" } }), /tracing\.storage: got "s3"; allowed: "local"/],
        ["Amazon Managed Service for Prometheus", onKind({ tracing: { storage: "local", metrics: "amp" } }), /tracing\.metrics: got "amp"; allowed: "local" with target\.type "kubernetes"/],
        ["an SNS contact point", onKind({ alerts: { contactPoint: "sns" } }), /alerts\.contactPoint: got "sns"; allowed: "grafana" with target\.type "kubernetes"/],
        ["a fake LLM on AWS", { environment: "dev", images: [{ name: "agent", tag: TAG }], fakeLlm: { image: "agent" } }, /fakeLlm: .*allowed: nothing unless target\.type is "kubernetes"/],
        ["a GHCR registry without a token", onKind({ target: { type: "kubernetes", context: "c", registry: "ghcr.io/acme", registryUsername: "bot" } }), /target\.registryPassword: got nothing; allowed: a password or token for ghcr\.io\/acme/],
    ];
    for (const [title, args, message] of refused) {
        it(`refuses ${title}, naming the argument, registering nothing`, async () => {
            const r = await render(args);
            assert.ok(pulumi.InputPropertiesError.isInstance(r.error), String(r.error));
            assert.match(String(r.error?.message), message);
            assert.deepEqual(besidesStack(r.resources), []);
        });
    }
});
