import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ModelSource } from "../shared/constants";
import { dependsOnFor, InClusterDependencies } from "../shared/inCluster";
import { MODEL_SERVER_PORT, modelServerLabels, modelServerNetworkPolicy, modelServerPdb, modelServerServiceAccount, modelServerServices, ModelServerSpecOptions, modelServerStatefulSet, modelServerUrl, modelWeightsReadPolicy } from "./spec";
import { PodIdentityRole } from "../podIdentity";
import { parseArgs, z } from "../shared/schema";
import { modelServerArgsSchema } from "./args";

export interface ModelServerArgs {
    /** Name of the StatefulSet, Service and service account (a DNS label). Default: "model-server". */
    name?: string;
    /** Namespace (it must exist; AgentWorkload/AgentPlatform create the agents' namespace). Default: "agents" (AGENT_NAMESPACE). */
    namespace?: string;
    /** Model served: a hub id such as "Qwen/Qwen2.5-7B-Instruct", or a name for S3 weights. Also the OpenAI `model` clients send. Default: "Qwen/Qwen2.5-7B-Instruct". */
    model?: string;
    /** Where the weights are downloaded from, one of ModelSource ("hub", "s3"). Default: "hub". */
    source?: string;
    /** S3 prefix holding the weights, `s3://bucket/prefix` (source "s3"). Default: none (required with source "s3"). */
    s3Uri?: string;
    /** Kubernetes Secret (synced by ESO from AgentSecrets, e.g. entry "hf") holding the hub token (source "hub"). Default: none (public models need none). */
    hubTokenSecretName?: string;
    /** Key of the token in that Secret. Default: "HF_TOKEN". */
    hubTokenSecretKey?: string;
    /** Size of each replica's weights volume, GiB (10–16 384; weights plus headroom). Default: 100. */
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

/** Validates ModelServerArgs and applies their defaults (what the spec builders take); throws `InputPropertiesError` naming each bad argument. */
export function modelServerSpecOptions(args: ModelServerArgs): ModelServerSpecOptions & z.output<typeof modelServerArgsSchema> {
    return parseArgs("ModelServer", modelServerArgsSchema, args);
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
        const spec = modelServerSpecOptions(args); // before super: invalid arguments register nothing
        super("agent-platform:index:ModelServer", name, {}, opts);
        const parent = { parent: this };
        const inNamespace = { parent: this, dependsOn: dependsOnFor(spec.inClusterDependsOn, ["namespaces"]) };

        const serviceAccount = new k8s.core.v1.ServiceAccount(`${name}-sa`, modelServerServiceAccount(spec.name, spec.namespace), inNamespace);
        const stsDependsOn: pulumi.Resource[] = [serviceAccount];
        let role: PodIdentityRole | undefined;
        if (spec.source === ModelSource.S3) {
            const partition = aws.getPartitionOutput({}, parent).partition;
            role = new PodIdentityRole(`${name}-s3`, {
                clusterName: spec.clusterName!,
                namespace: spec.namespace,
                serviceAccount: spec.name,
                policy: pulumi.jsonStringify(partition.apply((p) => modelWeightsReadPolicy(p, spec.s3Uri!))),
                tags: spec.tags,
            }, parent);
            // The association must exist before the pod starts, or the Pod Identity webhook injects no credentials.
            stsDependsOn.push(role);
        }

        const [service, headless] = modelServerServices(spec.name, spec.namespace);
        const svc = new k8s.core.v1.Service(`${name}`, service, inNamespace);
        new k8s.core.v1.Service(`${name}-headless`, headless, inNamespace);
        new k8s.networking.v1.NetworkPolicy(`${name}`, modelServerNetworkPolicy(spec.name, spec.namespace, spec.source), inNamespace);
        new k8s.policy.v1.PodDisruptionBudget(`${name}`, modelServerPdb(spec.name, spec.namespace), inNamespace);
        new k8s.apps.v1.StatefulSet(`${name}`, modelServerStatefulSet(spec), { parent: this, dependsOn: dependsOnFor(spec.inClusterDependsOn, ["namespaces", "pods", "secrets"], stsDependsOn) });

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
