import { inClusterDependsOnSchema } from "../shared/inCluster";
import { ModelSource } from "../shared/constants";
import { AGENT_NAMESPACE } from "../shared/placement";
import { input, int, matching, oneOf, tags, z } from "../shared/schema";
import { DNS_LABEL, ENV_VAR_NAME } from "../shared/names";
import { parseS3Uri } from "./spec";

/** The StatefulSet name: a DNS label short enough for the pod names StatefulSets derive from it. */
const SERVER_NAME = /^[a-z]([a-z0-9-]{0,50}[a-z0-9])?$/;
/** Hub ids (`org/name`) or plain names: letters, digits, `.`, `_`, `-`. */
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}(\/[A-Za-z0-9][A-Za-z0-9._-]{0,95})?$/;

const s3Uri = z.string().refine((uri) => {
    try {
        parseS3Uri(uri);
        return true;
    } catch {
        return false;
    }
}).meta({ allowed: "an s3://bucket[/prefix] URI" });

/** The settings of a model server a stack sets (ModelServerArgs without its wiring). */
export const modelServerFields = {
    model: matching(MODEL_ID).refine((m) => !m.includes("..")).meta({ allowed: 'a hub id such as "Qwen/Qwen2.5-7B-Instruct" or a name (letters, digits, . _ -; at most one /)' })
        .default("Qwen/Qwen2.5-7B-Instruct").describe("Model id served (hub id, or the name under the S3 prefix); also the model name agents send"),
    source: oneOf(ModelSource).default(ModelSource.Hub).describe("Where weights are downloaded from: `hub` or `s3`"),
    s3Uri: s3Uri.optional().describe("S3 prefix holding the weights (source `s3`)"),
    hubTokenSecretName: matching(DNS_LABEL, "a Secret name (DNS label)").optional()
        .describe("Kubernetes Secret (a `secrets.entries` entry) holding the hub token (source `hub`); default: none, public models need no token"),
    hubTokenSecretKey: matching(ENV_VAR_NAME, "an environment variable name such as HF_TOKEN").default("HF_TOKEN").describe("Key of the hub token in that Secret"),
    storageGiB: int(10, 16384).default(100).describe("Weights volume size of each replica, GiB"),
    replicas: int(1, 64).default(1).describe("Model server replicas (each with its own GPUs and volume)"),
    gpusPerReplica: int(1, 8).default(1).describe("GPUs per replica (tensor parallel size)"),
    toolCallParser: matching(/^[a-z0-9_]{1,40}$/, 'a vLLM tool-call parser name such as "hermes", or "none"').default("hermes")
        .describe("vLLM tool-call parser for the agents' tool calls (`hermes` fits Qwen2.5), or `none`"),
    maxModelLen: int(256, 10485760).default(8192).describe("Maximum context length, tokens"),
};

/** Source `s3` needs a URI (and no hub token); source `hub` takes no URI. */
export function checkSource(m: { source: string; s3Uri?: string; hubTokenSecretName?: string }, ctx: z.RefinementCtx): void {
    if (m.source === ModelSource.S3) {
        if (m.s3Uri === undefined) ctx.addIssue({ code: "custom", path: ["s3Uri"], message: 'an s3://bucket[/prefix] URI when source is "s3"' });
        if (m.hubTokenSecretName !== undefined) ctx.addIssue({ code: "custom", path: ["hubTokenSecretName"], message: 'nothing when source is "s3" (the hub token is for source "hub")' });
    } else if (m.s3Uri !== undefined) {
        ctx.addIssue({ code: "custom", path: ["s3Uri"], message: 'nothing when source is "hub"' });
    }
}

/** ModelServerArgs without its wiring (what AgentPlatform takes). */
export const modelServerOptionsSchema = z.strictObject({
    name: matching(SERVER_NAME, "a DNS label of at most 52 characters (StatefulSet pod names add a suffix)").default("model-server"),
    namespace: matching(DNS_LABEL, "a namespace name (DNS label)").default(AGENT_NAMESPACE),
    ...modelServerFields,
    storageClassName: matching(/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/, "a StorageClass name").default("gp3"),
    gpuMemoryUtilization: z.number().gt(0.1).lte(0.98).default(0.9).meta({ allowed: "a fraction above 0.1 and at most 0.98" }),
});

/** ModelServerArgs. */
export const modelServerArgsSchema = modelServerOptionsSchema.extend({
    clusterName: input<string>().optional(),
    inClusterDependsOn: inClusterDependsOnSchema,
    tags: tags.optional(),
}).superRefine((m, ctx) => {
    checkSource(m, ctx);
    if (m.source === ModelSource.S3 && m.clusterName === undefined) {
        ctx.addIssue({ code: "custom", path: ["clusterName"], message: 'the EKS cluster name when source is "s3" (Pod Identity association of the S3 reader)' });
    }
});
