import { alertsOptionsSchema, checkContactPoint, checkPagerDutyUrl } from "../alerts/args";
import { clusterArgsSchema, clusterOptionsSchema } from "../cluster/args";
import { contextStoreOptionsSchema } from "../contextStore/args";
import { imageArgsSchema, imageBuildFields, registryCredentialFields, registryCredentialProblems, registryReference } from "../image/args";
import { checkSource, modelServerOptionsSchema } from "../modelServer/args";
import { networkOptionsSchema } from "../network/args";
import { secretsOptionsSchema } from "../secrets/args";
import { AgentRole, CapacityType, ContactPoint, ContextStoreMode, MetricsStorage, PlatformTarget, TraceStorage } from "../shared/constants";
import { checkDistinctNames } from "../shared/distinct";
import { environmentName, input, matching, oneOf, parse, quotedNames, tags, z } from "../shared/schema";
import { ENV_VAR_NAME, PLATFORM_NAME } from "../shared/names";
import { checkVisibility, taskQueueOptionsSchema } from "../taskQueue/args";
import { PathProblem, relationProblems } from "./relations";
import { tracingOptionsSchema } from "../tracing/args";
import { workloadFields } from "../workload/args";

const name = matching(PLATFORM_NAME);

/** ImageOptions. */
export const imageOptionsSchema = z.strictObject({
    name: name.describe("Image (and ECR repository) name"),
    tag: imageArgsSchema.shape.tag,
    ...imageBuildFields,
});

/** The LLM settings of an agent. */
export const agentLlmFields = {
    llmModel: z.string().min(1).default("gpt-4o-mini").describe("Model name sent to the LLM endpoint"),
    llmBaseUrl: matching(/^https?:\/\/\S+$/, "an http(s) URL").optional().describe("OpenAI-compatible endpoint; default: the model server when `useModelServer`, else OpenAI"),
    useModelServer: z.boolean().default(false).describe("Send LLM calls to the stack's model server"),
};

/** AgentOptions. */
export const agentOptionsSchema = z.strictObject({
    name: name.describe("Workload name (Deployment, service account, namespace objects)"),
    role: oneOf(AgentRole).describe("`api` (HTTP, HPA) or `worker` (queue consumer, KEDA)"),
    image: name.optional(),
    queue: name.optional().describe("Queue the api produces to / the worker consumes (name of an entry of `queues`)"),
    ...workloadFields,
    secrets: z.array(name).max(20).default([]).describe("Names of `secrets.entries` exposed whole as environment variables (the LLM key comes through `llmApiKey`)"),
    ...agentLlmFields,
    llmApiKeySecret: name.optional(),
    llmApiKeyKey: matching(ENV_VAR_NAME, "an environment variable name such as OPENAI_API_KEY").default("OPENAI_API_KEY"),
});

/** The model server of a platform: ModelServerArgs, whose cluster name and tags the platform sets itself. */
export const platformModelServerSchema = modelServerOptionsSchema.extend({
    clusterName: input<string>().optional(),
    tags: tags.optional(),
}).superRefine(checkSource);

/** A kubeconfig context name: what `kubectl config get-contexts` lists (no whitespace). */
export const KUBE_CONTEXT = /^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,252}$/;

/** The registry of a kubernetes target when none is given: kind's documented local registry. */
export const DEFAULT_LOCAL_REGISTRY = "localhost:5001";

/** TargetOptions: where the platform runs. */
export const targetOptionsSchema = z.strictObject({
    type: oneOf(PlatformTarget).default(PlatformTarget.Aws)
        .describe("`aws` (VPC, EKS and managed services) or `kubernetes` (an existing cluster from a kubeconfig context, no AWS at all: in-cluster stand-ins)"),
    context: matching(KUBE_CONTEXT, "a kubeconfig context name (no whitespace)").optional()
        .describe("Kubeconfig context of the cluster, e.g. `kind-agent-platform` (target `kubernetes`; the kubeconfig is $KUBECONFIG or ~/.kube/config)"),
    registry: registryReference.default(DEFAULT_LOCAL_REGISTRY)
        .describe("Registry the images are pushed to (target `kubernetes`): `localhost:<port>` (kind's local registry), `ghcr.io/<owner>` or `docker.io/<namespace>`"),
    registryUsername: registryCredentialFields.registryUsername.describe("User that pushes to a GHCR or Docker Hub `registry`; its token is `agent-platform:registryPassword`"),
    registryPassword: registryCredentialFields.registryPassword,
});

/**
 * What a target of `type` needs and refuses. `checkPassword` false leaves the registry password out
 * (the stack configuration holds it under a key of its own, `agent-platform:registryPassword`, and
 * checks it there).
 */
export function checkTarget(t: z.output<typeof targetOptionsSchema>, ctx: z.RefinementCtx, at: (string | number)[] = ["target"], checkPassword = true): void {
    const issue = (field: string, message: string) => ctx.addIssue({ code: "custom", path: [...at, field], message });
    if (t.type === PlatformTarget.Aws) {
        if (t.context !== undefined) issue("context", 'nothing with type "aws" (the cluster is the one AgentCluster creates)');
        return;
    }
    if (t.context === undefined) issue("context", 'the kubeconfig context of the cluster (required with type "kubernetes")');
    const problems = registryCredentialProblems(t.registry, t.registryUsername, checkPassword ? t.registryPassword !== undefined : undefined);
    for (const [field, message] of Object.entries(problems)) issue(field, message);
}

/** FakeLlmOptions: the fake OpenAI-compatible server of end-to-end tests. */
export const fakeLlmOptionsSchema = z.strictObject({
    image: name.describe("Name of the entry of `images` that builds the fake (e2e/fake-llm)"),
    apiKeySecret: name.optional().describe("`secrets.entries` entry holding the key the fake requires (the one the agents send); default: none, any request is answered"),
    apiKeyKey: matching(ENV_VAR_NAME, "an environment variable name such as OPENAI_API_KEY").default("OPENAI_API_KEY").describe("Key of that key in the entry"),
});

/**
 * Problems of a platform on the `kubernetes` target with the rest of its arguments: what needs AWS
 * (ElastiCache, S3 traces, the model server's GPU pool, Karpenter's labels) has no stand-in there.
 * Paths and messages as the platform's arguments name them; the stack configuration reports the same
 * problems under its own keys.
 */
export function kubernetesTargetProblems(p: {
    contextStoreMode: string; traceStorage: string; metricsStorage: string; contactPoint: string; modelServer: boolean;
    agents: { gpu: boolean; capacityType: string }[];
}): PathProblem[] {
    const problems: PathProblem[] = [];
    const on = 'with target.type "kubernetes"';
    if (p.contextStoreMode !== ContextStoreMode.InCluster) problems.push({ path: ["contextStore", "mode"], message: `"in-cluster" ${on} (ElastiCache needs AWS)` });
    if (p.traceStorage !== TraceStorage.Local) problems.push({ path: ["tracing", "storage"], message: `"local" ${on} (the S3 bucket needs AWS)` });
    if (p.metricsStorage !== MetricsStorage.Local) problems.push({ path: ["tracing", "metrics"], message: `"local" ${on} (Amazon Managed Service for Prometheus needs AWS)` });
    if (p.contactPoint === ContactPoint.Sns) problems.push({ path: ["alerts", "contactPoint"], message: `"grafana" ${on} (the SNS topic needs AWS)` });
    if (p.modelServer) problems.push({ path: ["modelServer"], message: `none ${on} (the model server needs the GPU pool; point the agents' llmBaseUrl at any OpenAI-compatible server)` });
    p.agents.forEach((a, i) => {
        if (a.gpu) problems.push({ path: ["agents", i, "gpu"], message: `false ${on} (no GPU pool)` });
        if (a.capacityType === CapacityType.OnDemand) problems.push({ path: ["agents", i, "capacityType"], message: `"any" ${on} (no Karpenter capacity labels)` });
    });
    return problems;
}

/** The default queues of a platform: one `jobs` queue with every TaskQueue default. */
export const DEFAULT_QUEUES = [{ name: "jobs" }];

/** Every item's `name` differs from the others' (`what`: the item's kind in the message). */
function distinct(items: { name: string }[], path: string, ctx: z.RefinementCtx, what: string): void {
    checkDistinctNames(items, (item) => item.name, ctx, [path], `a ${what} name not used by another ${what}`);
}

/** AgentPlatformArgs. */
export const platformArgsSchema = z.strictObject({
    environment: environmentName,
    target: targetOptionsSchema.prefault({}),
    clusterName: clusterArgsSchema.shape.clusterName.optional(),
    // Left undefined when not given, so the kubernetes target can refuse them; AWS defaults come after.
    network: networkOptionsSchema.optional(),
    cluster: clusterOptionsSchema.optional(),
    secrets: secretsOptionsSchema.prefault({}),
    tracing: tracingOptionsSchema.prefault({}),
    alerts: alertsOptionsSchema.superRefine((al, ctx) => { checkContactPoint(al, ctx); checkPagerDutyUrl(al, ctx); }).prefault({}),
    contextStore: contextStoreOptionsSchema.prefault({}),
    queues: z.array(taskQueueOptionsSchema.superRefine(checkVisibility)).max(20).prefault(DEFAULT_QUEUES),
    images: z.array(imageOptionsSchema).max(20).default([]),
    agents: z.array(agentOptionsSchema).max(50).default([]),
    modelServer: platformModelServerSchema.optional(),
    fakeLlm: fakeLlmOptionsSchema.optional(),
}).superRefine((p, ctx) => {
    checkTarget(p.target, ctx);
    const kubernetes = p.target.type === PlatformTarget.Kubernetes;
    if (kubernetes) {
        for (const section of ["network", "cluster", "clusterName"] as const) {
            if (p[section] !== undefined) ctx.addIssue({ code: "custom", path: [section], message: 'nothing with target.type "kubernetes" (the cluster exists; no VPC or EKS is created)' });
        }
        const problems = kubernetesTargetProblems({
            contextStoreMode: p.contextStore.mode, traceStorage: p.tracing.storage, metricsStorage: p.tracing.metrics, contactPoint: p.alerts.contactPoint,
            modelServer: p.modelServer !== undefined,
            agents: p.agents.map((a) => ({ gpu: a.gpu, capacityType: a.capacityType })),
        });
        for (const problem of problems) ctx.addIssue({ code: "custom", path: problem.path, message: problem.message });
    }
    const images = p.images.map((i) => i.name);
    if (p.fakeLlm) {
        if (!kubernetes) ctx.addIssue({ code: "custom", path: ["fakeLlm"], message: 'nothing unless target.type is "kubernetes" (a test double)' });
        if (!images.includes(p.fakeLlm.image)) ctx.addIssue({ code: "custom", path: ["fakeLlm", "image"], message: `an image name from images: ${quotedNames(images)}` });
        const secret = p.fakeLlm.apiKeySecret;
        const entry = p.secrets.entries.find((e) => e.name === secret);
        if (secret !== undefined && !entry?.keys.includes(p.fakeLlm.apiKeyKey)) {
            ctx.addIssue({ code: "custom", path: ["fakeLlm", "apiKeySecret"], message: `an entry of secrets.entries with the key ${p.fakeLlm.apiKeyKey}` });
        }
    }
    distinct(p.queues, "queues", ctx, "queue");
    distinct(p.images, "images", ctx, "image");
    distinct(p.agents, "agents", ctx, "agent");
    const relations = relationProblems({
        contactPoint: p.alerts.contactPoint, grafana: p.tracing.grafana, images, queues: p.queues.map((q) => q.name),
        nodePools: kubernetes ? undefined : (p.cluster ?? parse(clusterOptionsSchema, {})).nodePools,
        modelServer: p.modelServer !== undefined,
        agents: p.agents.map((a) => ({ ...a, image: a.image ?? images[0] })),
    }, { nodePools: "cluster.nodePools", modelServerOn: "modelServer is given" });
    for (const problem of relations) ctx.addIssue({ code: "custom", path: problem.path, message: problem.message });
    p.agents.forEach((a, i) => {
        if (a.role === AgentRole.Worker && a.queue === undefined) ctx.addIssue({ code: "custom", path: ["agents", i, "queue"], message: "a queue for a worker" });
    });
});

/** AgentPlatformArgs with every default applied (AWS's network and cluster only on the aws target). */
export type ResolvedPlatformArgs = z.output<typeof platformArgsSchema>;

/** The network and cluster options of an aws-target platform, defaults applied. */
export function awsFoundationArgs(p: ResolvedPlatformArgs) {
    return { network: p.network ?? parse(networkOptionsSchema, {}), cluster: p.cluster ?? parse(clusterOptionsSchema, {}) };
}

/** What awsFoundationArgs returns: the network and cluster options of an aws-target platform. */
export type AwsFoundationArgs = ReturnType<typeof awsFoundationArgs>;
