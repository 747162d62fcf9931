import { alertsOptionsSchema, checkContactPoint, checkPagerDutyUrl } from "../alerts/args";
import { clusterArgsSchema, clusterOptionsSchema } from "../cluster/args";
import { contextStoreOptionsSchema } from "../contextStore/args";
import { imageArgsSchema, imageBuildFields } from "../image/args";
import { checkSource, modelServerOptionsSchema } from "../modelServer/args";
import { networkOptionsSchema } from "../network/args";
import { secretsOptionsSchema } from "../secrets/args";
import { AgentRole, CapacityType, ContactPoint } from "../shared/constants";
import { environmentName, input, matching, oneOf, tags, z } from "../shared/schema";
import { ENV_VAR_NAME, PLATFORM_NAME } from "../shared/names";
import { checkVisibility, taskQueueOptionsSchema } from "../taskQueue/args";
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

/** The default queues of a platform: one `jobs` queue with every TaskQueue default. */
export const DEFAULT_QUEUES = [{ name: "jobs" }];

/** Every item's `key` differs from the others'. */
function distinct<T>(items: T[], key: (t: T) => string, path: string, ctx: z.RefinementCtx, what: string): void {
    const seen = new Set<string>();
    items.forEach((item, i) => {
        if (seen.has(key(item))) ctx.addIssue({ code: "custom", path: [path, i, "name"], message: `a ${what} name not used by another ${what}` });
        seen.add(key(item));
    });
}

/** AgentPlatformArgs. */
export const platformArgsSchema = z.strictObject({
    environment: environmentName,
    clusterName: clusterArgsSchema.shape.clusterName.optional(),
    network: networkOptionsSchema.prefault({}),
    cluster: clusterOptionsSchema.prefault({}),
    secrets: secretsOptionsSchema.prefault({}),
    tracing: tracingOptionsSchema.prefault({}),
    alerts: alertsOptionsSchema.superRefine((al, ctx) => { checkContactPoint(al, ctx); checkPagerDutyUrl(al, ctx); }).prefault({}),
    contextStore: contextStoreOptionsSchema.prefault({}),
    queues: z.array(taskQueueOptionsSchema.superRefine(checkVisibility)).max(20).prefault(DEFAULT_QUEUES),
    images: z.array(imageOptionsSchema).max(20).default([]),
    agents: z.array(agentOptionsSchema).max(50).default([]),
    modelServer: platformModelServerSchema.optional(),
}).superRefine((p, ctx) => {
    distinct(p.queues, (q) => q.name, "queues", ctx, "queue");
    distinct(p.images, (i) => i.name, "images", ctx, "image");
    distinct(p.agents, (a) => a.name, "agents", ctx, "agent");
    if (p.alerts.contactPoint === ContactPoint.Grafana && !p.tracing.grafana) {
        ctx.addIssue({ code: "custom", path: ["alerts", "contactPoint"], message: "\"sns\" unless tracing.grafana is true (Grafana is the \"grafana\" contact point)" });
    }
    const queues = new Set(p.queues.map((q) => q.name));
    const images = new Set(p.images.map((i) => i.name));
    const pools = p.cluster.nodePools;
    p.agents.forEach((a, i) => {
        const issue = (field: string, message: string) => ctx.addIssue({ code: "custom", path: ["agents", i, field], message });
        const image = a.image ?? p.images[0]?.name;
        if (image === undefined || !images.has(image)) issue("image", `an image name from images (${[...images].join(", ") || "none are given"})`);
        if (a.queue !== undefined && !queues.has(a.queue)) issue("queue", `a queue name from queues (${[...queues].join(", ")})`);
        if (a.role === AgentRole.Worker && a.queue === undefined) issue("queue", "a queue for a worker");
        if (a.useModelServer && !p.modelServer) issue("useModelServer", "false unless modelServer is given");
        if (a.gpu && !pools.gpu.enabled) issue("gpu", "false unless cluster.nodePools.gpu.enabled is true");
        const pool = a.gpu ? pools.gpu : pools.cpu;
        if (a.capacityType === CapacityType.OnDemand && !pool.capacityTypes.includes(CapacityType.OnDemand)) {
            issue("capacityType", `"any" unless cluster.nodePools.${a.gpu ? "gpu" : "cpu"}.capacityTypes includes "on-demand"`);
        }
    });
});

/** AgentPlatformArgs with every default applied. */
export type ResolvedPlatformArgs = z.output<typeof platformArgsSchema>;
