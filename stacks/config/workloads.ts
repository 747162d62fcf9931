import { AgentRole, CapacityType, enumValues, ModelSource, ResourceProfile } from "../../components/shared/constants";
import { boolean, integer, list, object, oneOf, optional, string, stringList } from "./schema";
import { NAME } from "./services";

/** `images`: agent images built from this repository and pushed to ECR. */
export const imagesSchema = list({
    name: string({ doc: "Image (and ECR repository) name", pattern: NAME }),
    context: string({ doc: "Docker build context, relative to the project root", default: "agent" }),
    dockerfile: string({ doc: "Dockerfile, relative to the project root", default: "agent/Dockerfile" }),
    platform: string({ doc: "Target platform", default: "linux/amd64", pattern: /^linux\/(amd64|arm64)$/ }),
    keepTaggedImages: integer({ doc: "Tagged images the ECR lifecycle policy keeps", default: 30, min: 1, max: 1000 }),
}, { doc: "Images to build", default: [{ name: "agent", context: "agent", dockerfile: "agent/Dockerfile", platform: "linux/amd64", keepTaggedImages: 30 }], uniqueBy: "name", maxItems: 20 });

/** `agents`: the agent workloads of the stack. */
export const agentsSchema = list({
    name: string({ doc: "Workload name (Deployment, service account, namespace objects)", pattern: NAME }),
    role: oneOf(enumValues(AgentRole), { doc: "`api` (HTTP, HPA) or `worker` (queue consumer, KEDA)" }),
    image: string({ doc: "Name of an entry of `images`", default: "agent", pattern: NAME }),
    profile: optional(oneOf(enumValues(ResourceProfile), { doc: "Resource profile; default: `api-agent` for api, `tool-worker` for worker" })),
    queue: optional(string({ doc: "Queue the api produces to / the worker consumes (name of an entry of `queues`)", pattern: NAME })),
    minReplicas: optional(integer({ doc: "Minimum replicas; default: 2 for api, 0 for worker", min: 0, max: 500 })),
    maxReplicas: integer({ doc: "Maximum replicas", default: 10, min: 1, max: 500 }),
    targetCpuUtilization: integer({ doc: "HPA target CPU utilization, percent (api)", default: 70, min: 10, max: 95 }),
    workerConcurrency: integer({ doc: "Jobs a worker pod runs at once (`WORKER_CONCURRENCY`)", default: 4, min: 1, max: 100 }),
    messagesPerReplica: optional(integer({ doc: "KEDA target queue messages (waiting + in flight) per replica (worker); default: workerConcurrency", min: 1, max: 10000 })),
    maxRequestSeconds: integer({ doc: "Longest in-flight HTTP call (api); sizes the termination grace period", default: 120, min: 1, max: 3600 }),
    gpu: boolean({ doc: "Schedule on the GPU pool with one `nvidia.com/gpu`", default: false }),
    secrets: stringList({ doc: "Names of `secrets.entries` exposed whole as environment variables (the LLM key comes through `llmApiKey`)", default: [], pattern: NAME, maxItems: 20 }),
    capacityType: oneOf(["any", CapacityType.OnDemand], { doc: "`on-demand` keeps the pods off spot nodes (a spot interruption gives 2 minutes: too short for long jobs)", default: "any" }),
    llmModel: string({ doc: "Model name sent to the LLM endpoint", default: "gpt-4o-mini" }),
    llmBaseUrl: optional(string({ doc: "OpenAI-compatible endpoint; default: the model server when `useModelServer`, else OpenAI", pattern: /^https?:\/\/\S+$/ })),
    useModelServer: boolean({ doc: "Send LLM calls to the stack's model server", default: false }),
    llmApiKey: string({
        doc: "Where `LLM_API_KEY` comes from: `<secrets entry>/<KEY>`, or `none` (no key; also ignored with useModelServer)",
        default: "llm/OPENAI_API_KEY", pattern: /^(none|[a-z]([a-z0-9-]{0,38}[a-z0-9])?\/[A-Z_][A-Z0-9_]*)$/,
    }),
    ingressNamespaces: stringList({ doc: "Namespaces allowed to call the api (its own namespace always is)", default: [], pattern: NAME, maxItems: 20 }),
}, { doc: "Agent workloads", minItems: 1, uniqueBy: "name", maxItems: 50 });

/** `modelServer`: an OpenAI-compatible vLLM server on the GPU pool. */
export const modelServerSchema = object({
    enabled: boolean({ doc: "Run a model server", default: false }),
    model: string({ doc: "Model id served (hub id, or the name under the S3 prefix)", default: "Qwen/Qwen2.5-7B-Instruct" }),
    source: oneOf(enumValues(ModelSource), { doc: "Where weights are downloaded from: `hub` or `s3`", default: ModelSource.Hub }),
    s3Uri: optional(string({ doc: "S3 prefix holding the weights (source `s3`)", pattern: /^s3:\/\/[a-z0-9.-]{3,63}(\/\S*)?$/ })),
    hubTokenSecret: optional(string({ doc: "Name of a `secrets.entries` entry holding the hub token (source `hub`); default: none, public models need no token", pattern: NAME })),
    hubTokenKey: string({ doc: "Key of the hub token in that entry", default: "HF_TOKEN", pattern: /^[A-Z_][A-Z0-9_]*$/ }),
    storageGiB: integer({ doc: "Weights volume size, GiB", default: 100, min: 10, max: 4000 }),
    replicas: integer({ doc: "Model server replicas", default: 1, min: 1, max: 16 }),
    gpusPerReplica: integer({ doc: "GPUs per replica (tensor parallel size)", default: 1, min: 1, max: 8 }),
    toolCallParser: string({ doc: "vLLM tool-call parser for the agents' tool calls (`hermes` fits Qwen2.5), or `none`", default: "hermes", pattern: /^[a-z0-9_]{1,40}$/ }),
    maxModelLen: integer({ doc: "Maximum context length, tokens", default: 8192, min: 512, max: 1048576 }),
}, "Model server");
