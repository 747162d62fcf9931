import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { enumValues, ModelSource } from "../shared/constants";
import {
    MODEL_SERVER_PORT, modelServerLabels, modelServerNetworkPolicy, modelServerPdb, modelServerServiceAccount, modelServerServices, ModelServerSpecOptions,
    modelServerStatefulSet, modelServerUrl, modelWeightsReadPolicy, parseS3Uri,
} from "./spec";
import { dependsOnFor, InClusterDependencies } from "../shared/inCluster";
import { AGENT_NAMESPACE } from "../shared/placement";
import { PodIdentityRole } from "../podIdentity";
import { ArgChecks, DNS_LABEL } from "../shared/validation";

export interface ModelServerArgs {
    /** Name of the StatefulSet, Service and service account (a DNS label). Default: "model-server". */
    name?: string;
    /** Namespace (it must exist; AgentWorkload/AgentPlatform create the agents' namespace). Default: "agents" (AGENT_NAMESPACE). */
    namespace?: string;
    /** Model served: a hub id such as "Qwen/Qwen2.5-7B-Instruct", or a name for S3 weights. Also the OpenAI `model` clients send. Required. */
    model: string;
    /** Where the weights are downloaded from, one of ModelSource ("hub", "s3"). Default: "hub". */
    source?: string;
    /** S3 prefix holding the weights, `s3://bucket/prefix` (source "s3"). Default: none (required with source "s3"). */
    s3Uri?: string;
    /** Kubernetes Secret (synced by ESO from AgentSecrets, e.g. entry "hf") holding the hub token (source "hub"). Default: none (public models need none). */
    hubTokenSecretName?: string;
    /** Key of the token in that Secret. Default: "HF_TOKEN". */
    hubTokenSecretKey?: string;
    /** Size of each replica's weights volume, GiB (weights plus headroom). Default: 100. */
    storageGiB?: number;
    /** StorageClass of the weights volumes. Default: "gp3" (created by AgentCluster). */
    storageClassName?: string;
    /** Replicas (each with its own GPUs and volume). Default: 1. */
    replicas?: number;
    /** GPUs per replica (tensor-parallel size); CPU and memory scale with it. Default: 1. */
    gpusPerReplica?: number;
    /** vLLM tool-call parser, needed for the agents' `tool_choice: "auto"` ("hermes" fits Qwen2.5; see vLLM's tool-calling docs), or "none". Default: "hermes". */
    toolCallParser?: string;
    /** Maximum context length, tokens (`--max-model-len`). Default: 8192. */
    maxModelLen?: number;
    /** Fraction of GPU memory vLLM may use for weights and KV cache (`--gpu-memory-utilization`). Default: 0.9. */
    gpuMemoryUtilization?: number;
    /** EKS cluster name, for the Pod Identity association of the S3 reader role (source "s3"). Default: none (required with source "s3"). */
    clusterName?: pulumi.Input<string>;
    /** Tags of AWS resources (the S3 reader role). Default: none. */
    tags?: Record<string, string>;
    /**
     * What the Kubernetes objects wait for: `namespaces` (its namespace); before the StatefulSet also
     * `pods` (GPU nodes, the weights' storage) and `secrets` (the hub token's Secret). Default: none.
     */
    inClusterDependsOn?: InClusterDependencies;
}

/** Defaults of ModelServerArgs, in one place. */
export const MODEL_SERVER_DEFAULTS = {
    name: "model-server",
    namespace: AGENT_NAMESPACE,
    source: ModelSource.Hub,
    hubTokenSecretKey: "HF_TOKEN",
    storageGiB: 100,
    storageClassName: "gp3",
    replicas: 1,
    gpusPerReplica: 1,
    maxModelLen: 8192,
    toolCallParser: "hermes",
    gpuMemoryUtilization: 0.9,
} as const;

/** The StatefulSet name: a DNS label short enough for the pod names StatefulSets derive from it. */
const SERVER_NAME = /^[a-z]([a-z0-9-]{0,50}[a-z0-9])?$/;
/** Hub ids (`org/name`) or plain names: letters, digits, `.`, `_`, `-`. */
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}(\/[A-Za-z0-9][A-Za-z0-9._-]{0,95})?$/;
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Validates ModelServerArgs; throws `InputPropertiesError` naming each bad argument. */
export function validateModelServerArgs(args: ModelServerArgs): void {
    const source = args.source ?? MODEL_SERVER_DEFAULTS.source;
    const checks = new ArgChecks("ModelServer")
        .require(typeof args.model === "string" && MODEL_ID.test(args.model) && !args.model.includes(".."), "model", args.model,
            "a hub id such as \"Qwen/Qwen2.5-7B-Instruct\" or a name (letters, digits, . _ -; at most one /)")
        .oneOf("source", args.source, enumValues(ModelSource))
        .integer("storageGiB", args.storageGiB, 10, 16384)
        .integer("replicas", args.replicas, 1, 64)
        .integer("gpusPerReplica", args.gpusPerReplica, 1, 8)
        .integer("maxModelLen", args.maxModelLen, 256, 10485760)
        .require(args.toolCallParser === undefined || /^[a-z0-9_]{1,40}$/.test(args.toolCallParser), "toolCallParser", args.toolCallParser, "a vLLM tool-call parser name such as \"hermes\", or \"none\"");
    if (args.name !== undefined) checks.require(SERVER_NAME.test(args.name), "name", args.name, "a DNS label of at most 52 characters (StatefulSet pod names add a suffix)");
    if (args.namespace !== undefined) checks.require(DNS_LABEL.test(args.namespace), "namespace", args.namespace, "a namespace name (DNS label)");
    if (args.storageClassName !== undefined) checks.require(/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/.test(args.storageClassName), "storageClassName", args.storageClassName, "a StorageClass name");
    if (args.gpuMemoryUtilization !== undefined) {
        checks.require(args.gpuMemoryUtilization > 0.1 && args.gpuMemoryUtilization <= 0.98, "gpuMemoryUtilization", args.gpuMemoryUtilization, "a fraction above 0.1 and at most 0.98");
    }
    if (source === ModelSource.S3) {
        let validUri = false;
        try { parseS3Uri(args.s3Uri ?? ""); validUri = true; } catch { /* reported below */ }
        checks.require(validUri, "s3Uri", args.s3Uri, "an s3://bucket[/prefix] URI when source is \"s3\"");
        checks.require(args.clusterName !== undefined, "clusterName", args.clusterName, "the EKS cluster name when source is \"s3\" (Pod Identity association of the S3 reader)");
        checks.require(args.hubTokenSecretName === undefined, "hubTokenSecretName", args.hubTokenSecretName, "nothing when source is \"s3\" (the hub token is for source \"hub\")");
    } else {
        checks.require(args.s3Uri === undefined, "s3Uri", args.s3Uri, "nothing when source is \"hub\"");
    }
    if (args.hubTokenSecretName !== undefined) checks.require(DNS_LABEL.test(args.hubTokenSecretName), "hubTokenSecretName", args.hubTokenSecretName, "a Secret name (DNS label)");
    if (args.hubTokenSecretKey !== undefined) checks.require(ENV_KEY.test(args.hubTokenSecretKey), "hubTokenSecretKey", args.hubTokenSecretKey, "a Secret key");
    checks.throwIfInvalid();
}

/** ModelServerArgs with defaults applied, as the spec builders take them. */
export function modelServerSpecOptions(args: ModelServerArgs): ModelServerSpecOptions {
    const d = MODEL_SERVER_DEFAULTS;
    return {
        name: args.name ?? d.name,
        namespace: args.namespace ?? d.namespace,
        model: args.model,
        source: args.source ?? d.source,
        s3Uri: args.s3Uri,
        hubTokenSecretName: args.hubTokenSecretName,
        hubTokenSecretKey: args.hubTokenSecretKey ?? d.hubTokenSecretKey,
        storageGiB: args.storageGiB ?? d.storageGiB,
        storageClassName: args.storageClassName ?? d.storageClassName,
        replicas: args.replicas ?? d.replicas,
        gpusPerReplica: args.gpusPerReplica ?? d.gpusPerReplica,
        maxModelLen: args.maxModelLen ?? d.maxModelLen,
        toolCallParser: args.toolCallParser ?? d.toolCallParser,
        gpuMemoryUtilization: args.gpuMemoryUtilization ?? d.gpuMemoryUtilization,
    };
}

/**
 * An OpenAI-compatible model server (vLLM) on the GPU pool: a StatefulSet whose replicas each keep
 * the weights on their own gp3 volume, filled once by an init step from the hub (token from an
 * ESO-managed Secret) or S3 (a Pod Identity role that reads only the prefix) — never baked into an
 * image. ClusterIP Service on 8000 for agents (`LLM_BASE_URL` = `serviceUrl`), a PDB, a NetworkPolicy.
 * Kubernetes objects use the provider from the component's options (`providers: { kubernetes }`).
 */
export class ModelServer extends pulumi.ComponentResource {
    /** Base URL of the OpenAI-compatible API, `http://<name>.<namespace>.svc.cluster.local:8000/v1`: agents' `LLM_BASE_URL`. */
    public readonly serviceUrl: pulumi.Output<string>;
    /** Name of the ClusterIP Service. */
    public readonly serviceName: pulumi.Output<string>;
    /** Port of the Service (8000). */
    public readonly port: pulumi.Output<number>;
    /** Model name clients send (`--served-model-name`). */
    public readonly modelName: pulumi.Output<string>;
    /** Labels of the server's pods (for agents' NetworkPolicy egress rules). */
    public readonly podLabels: pulumi.Output<Record<string, string>>;
    /** ARN of the S3 reader role (source "s3"; undefined output otherwise). */
    public readonly roleArn: pulumi.Output<string | undefined>;

    constructor(name: string, args: ModelServerArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validated before `super`: invalid arguments register nothing, not even the component.
        validateModelServerArgs(args);
        super("agent-platform:index:ModelServer", name, {}, opts);
        const spec = modelServerSpecOptions(args);
        const parent = { parent: this };
        const inNamespace = { parent: this, dependsOn: dependsOnFor(args.inClusterDependsOn, ["namespaces"]) };

        const serviceAccount = new k8s.core.v1.ServiceAccount(`${name}-sa`, modelServerServiceAccount(spec.name, spec.namespace), inNamespace);
        const stsDependsOn: pulumi.Resource[] = [serviceAccount];
        let role: PodIdentityRole | undefined;
        if (spec.source === ModelSource.S3) {
            const partition = aws.getPartitionOutput({}, parent).partition;
            role = new PodIdentityRole(`${name}-s3`, {
                clusterName: args.clusterName!,
                namespace: spec.namespace,
                serviceAccount: spec.name,
                policy: pulumi.jsonStringify(partition.apply((p) => modelWeightsReadPolicy(p, spec.s3Uri!))),
                tags: args.tags,
            }, parent);
            // The association must exist before the pod starts, or the Pod Identity webhook injects no credentials.
            stsDependsOn.push(role);
        }

        const [service, headless] = modelServerServices(spec.name, spec.namespace);
        const svc = new k8s.core.v1.Service(`${name}`, service, inNamespace);
        new k8s.core.v1.Service(`${name}-headless`, headless, inNamespace);
        new k8s.networking.v1.NetworkPolicy(`${name}`, modelServerNetworkPolicy(spec.name, spec.namespace, spec.source), inNamespace);
        new k8s.policy.v1.PodDisruptionBudget(`${name}`, modelServerPdb(spec.name, spec.namespace), inNamespace);
        new k8s.apps.v1.StatefulSet(`${name}`, modelServerStatefulSet(spec), { parent: this, dependsOn: dependsOnFor(args.inClusterDependsOn, ["namespaces", "pods", "secrets"], stsDependsOn) });

        this.serviceName = svc.metadata.name;
        this.serviceUrl = svc.metadata.name.apply((n) => modelServerUrl(n, spec.namespace));
        this.port = pulumi.output(MODEL_SERVER_PORT);
        this.modelName = pulumi.output(spec.model);
        this.podLabels = pulumi.output(modelServerLabels(spec.name));
        this.roleArn = role ? role.roleArn : pulumi.output(undefined);
        this.registerOutputs({
            serviceUrl: this.serviceUrl, serviceName: this.serviceName, port: this.port, modelName: this.modelName,
            podLabels: this.podLabels, roleArn: this.roleArn,
        });
    }
}
