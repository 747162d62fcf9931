import { imageBuildFields } from "../../components/image/args";
import { modelServerFields } from "../../components/modelServer/args";
import { agentLlmFields, agentOptionsSchema } from "../../components/platform/args";
import { matching, z } from "../../components/shared/schema";
import { PLATFORM_NAME } from "../../components/shared/names";
import { workloadFields } from "../../components/workload/args";
import { uniqueNames } from "./services";

const name = matching(PLATFORM_NAME);

/** `images`: agent images built from this repository and pushed to ECR (the program derives each tag from its build context). */
export const imagesSection = uniqueNames(z.strictObject({
    name: name.describe("Image (and ECR repository) name"),
    ...imageBuildFields,
})).max(20).prefault([{ name: "agent" }]).describe("Images to build");

const agent = agentOptionsSchema.shape;

/** Where a key comes from: `<secrets entry>/<KEY>`, or `none`. */
export const secretKeyReference = () => matching(/^(none|[a-z]([a-z0-9-]{0,38}[a-z0-9])?\/[A-Z_][A-Z0-9_]*)$/, "`none` or `<secrets entry>/<KEY>`");

/** `agents`: the agent workloads of the stack (AgentPlatform's AgentOptions; `llmApiKey` names the secret entry and key). */
export const agentsSection = uniqueNames(z.strictObject({
    name: agent.name,
    role: agent.role,
    image: name.default("agent").describe("Name of an entry of `images`"),
    queue: agent.queue,
    ...workloadFields,
    secrets: agent.secrets,
    ...agentLlmFields,
    llmApiKey: secretKeyReference().default("llm/OPENAI_API_KEY")
        .describe("Where `LLM_API_KEY` comes from: `<secrets entry>/<KEY>`, or `none` (no key; also ignored with useModelServer)"),
})).min(1).max(50).describe("Agent workloads");

/** `modelServer`: an OpenAI-compatible vLLM server on the GPU pool (ModelServer's settings). */
export const modelServerSection = z.strictObject({
    enabled: z.boolean().default(false).describe("Run a model server"),
    model: modelServerFields.model,
    source: modelServerFields.source,
    s3Uri: modelServerFields.s3Uri,
    hubTokenSecret: modelServerFields.hubTokenSecretName,
    hubTokenKey: modelServerFields.hubTokenSecretKey,
    storageGiB: modelServerFields.storageGiB,
    replicas: modelServerFields.replicas,
    gpusPerReplica: modelServerFields.gpusPerReplica,
    toolCallParser: modelServerFields.toolCallParser,
    maxModelLen: modelServerFields.maxModelLen,
}).prefault({});
