/**
 * The agent half of AgentPlatform: images, the model server and the agent workloads, wired to the
 * platform's services. Kept apart from index.ts so each file stays readable; the resources are
 * children of the AgentPlatform passed in.
 */
import * as pulumi from "@pulumi/pulumi";
import { AgentRole } from "../shared/constants";
import { AgentImage } from "../image";
import { inClusterValkeyLabels, REDIS_PORT } from "../contextStore/inClusterValkey";
import { ModelServer } from "../modelServer";
import { MODEL_SERVER_PORT, modelServerLabels } from "../modelServer/spec";
import { AGENT_NAMESPACE } from "../shared/placement";
import { REDIS_AUTH_SECRET } from "../secrets/spec";
import { ResolvedPlatformArgs } from "./args";
import { AgentWorkload } from "../workload";

/** An image built from this repository (or yours) and pushed to ECR. */
export interface ImageOptions {
    /** Image name; the ECR repository is `agent-platform/<environment>/<name>`. Required. */
    name: string;
    /** Immutable, content-derived tag (e.g. `contextTag(context)`). Required. */
    tag: string;
    /** Build context, relative to the program's directory. Default: "agent". */
    context?: string;
    /** Dockerfile, relative to the program's directory. Default: "agent/Dockerfile". */
    dockerfile?: string;
    /** Target platform. Default: "linux/amd64". */
    platform?: string;
    /** Tagged images the lifecycle policy keeps. Default: 30. */
    keepTaggedImages?: number;
}

/** One agent workload of the platform. */
export interface AgentOptions {
    /** Workload name (a DNS label). Required. */
    name: string;
    /** "api" or "worker" (AgentRole). Required. */
    role: string;
    /** Name of the image (an entry of `images`). Default: the first image. */
    image?: string;
    /** Resource profile (ResourceProfile). Default: "api-agent" for an api, "tool-worker" for a worker. */
    profile?: string;
    /** Queue the api produces to / the worker consumes (an entry of `queues`). Default: none (required for a worker). */
    queue?: string;
    /** Minimum replicas. Default: 2 for an api, 0 for a worker. */
    minReplicas?: number;
    /** Maximum replicas. Default: 10. */
    maxReplicas?: number;
    /** HPA CPU target, percent (api). Default: 70. */
    targetCpuUtilization?: number;
    /** Queue messages per replica (worker). Default: `workerConcurrency`. */
    messagesPerReplica?: number;
    /** Jobs a worker pod runs at once. Default: 4. */
    workerConcurrency?: number;
    /** "on-demand" keeps the pods off spot nodes; "any" allows spot. Default: "any". */
    capacityType?: string;
    /** Longest in-flight HTTP call, seconds (api). Default: 120. */
    maxRequestSeconds?: number;
    /** Schedule on the GPU pool. Default: false. */
    gpu?: boolean;
    /** Names of AgentSecrets entries exposed as environment variables. Default: none. */
    secrets?: string[];
    /** Model name sent to the LLM endpoint. Default: "gpt-4o-mini". */
    llmModel?: string;
    /** OpenAI-compatible endpoint. Default: the model server when `useModelServer`, else "https://api.openai.com/v1". */
    llmBaseUrl?: string;
    /** Use the platform's model server. Default: false. */
    useModelServer?: boolean;
    /** AgentSecrets entry holding the LLM API key. Default: none (no `LLM_API_KEY`). */
    llmApiKeySecret?: string;
    /** Key of the API key in that entry. Default: "OPENAI_API_KEY". */
    llmApiKeyKey?: string;
    /** Namespaces allowed to call an api. Default: none. */
    ingressNamespaces?: string[];
}

/** What the agents need from the rest of the platform. */
export interface AgentDependencies {
    environment: string;
    clusterName: pulumi.Input<string>;
    region: pulumi.Input<string>;
    /** CIDR of the VPC (ElastiCache lives in its private subnets). */
    vpcCidr: pulumi.Input<string>;
    contextStoreUrl: pulumi.Input<string>;
    contextStoreInCluster: boolean;
    sessionTtlSeconds: number;
    queues: Record<string, { url: pulumi.Input<string>; arn: pulumi.Input<string>; maxJobDurationSeconds: number; scaling: ResolvedPlatformArgs["queues"][number]["scaling"] }>;
    otlpEndpoint: pulumi.Input<string>;
    tags: Record<string, string>;
    /** Options of in-cluster resources (provider, dependencies on the cluster, namespace, secrets, KEDA). */
    inCluster: pulumi.ComponentResourceOptions;
}

/** Outputs of the agent half. */
export interface DeployedAgents {
    imageRefs: pulumi.Output<Record<string, string>>;
    apiServiceUrls: pulumi.Output<Record<string, string>>;
    modelServerUrl: pulumi.Output<string | undefined>;
}

/** The default LLM endpoint of agents that use neither the model server nor an explicit URL. */
export const DEFAULT_LLM_BASE_URL = "https://api.openai.com/v1";

/** Creates images, the model server and every agent workload as children of `parent`. */
export function deployAgents(parent: pulumi.ComponentResource, name: string, images: ResolvedPlatformArgs["images"], agents: ResolvedPlatformArgs["agents"],
    modelServer: ResolvedPlatformArgs["modelServer"], deps: AgentDependencies): DeployedAgents {
    const built = Object.fromEntries(images.map(({ name: imageName, ...i }) => [imageName, new AgentImage(`${name}-image-${imageName}`, {
        ...i, repositoryName: `agent-platform/${deps.environment}/${imageName}`, tags: deps.tags,
    }, { parent })]));

    const server = modelServer && new ModelServer(`${name}-model-server`, { ...modelServer, clusterName: deps.clusterName, tags: deps.tags }, { ...deps.inCluster, parent });

    const workloads = agents.map((a) => {
        // AgentPlatform's arguments were checked: the image and queue exist, a model server too when used.
        const image = built[a.image ?? images[0].name];
        const queue = a.queue === undefined ? undefined : deps.queues[a.queue];
        const scaling = queue?.scaling;
        return new AgentWorkload(`${name}-agent-${a.name}`, {
            workloadName: a.name,
            role: a.role,
            environment: deps.environment,
            clusterName: deps.clusterName,
            image: image.imageRef,
            namespace: AGENT_NAMESPACE,
            profile: a.profile,
            minReplicas: a.minReplicas,
            maxReplicas: a.maxReplicas,
            targetCpuUtilization: a.targetCpuUtilization,
            messagesPerReplica: a.messagesPerReplica,
            workerConcurrency: a.workerConcurrency,
            capacityType: a.capacityType,
            activationMessages: scaling?.activationMessages,
            cooldownSeconds: scaling?.cooldownSeconds,
            pollingIntervalSeconds: scaling?.pollingIntervalSeconds,
            maxRequestSeconds: a.maxRequestSeconds,
            gpu: a.gpu,
            queue: queue && { url: queue.url, arn: queue.arn, maxJobDurationSeconds: queue.maxJobDurationSeconds },
            region: queue ? deps.region : undefined,
            redis: {
                url: deps.contextStoreUrl,
                port: REDIS_PORT,
                ...(deps.contextStoreInCluster ? { podLabels: inClusterValkeyLabels() } : { cidrs: [deps.vpcCidr] }),
                passwordSecretName: REDIS_AUTH_SECRET.name,
                passwordSecretKey: REDIS_AUTH_SECRET.key,
                sessionTtlSeconds: deps.sessionTtlSeconds,
            },
            llm: {
                baseUrl: a.llmBaseUrl ?? (a.useModelServer && server ? server.serviceUrl : DEFAULT_LLM_BASE_URL),
                model: a.llmModel,
                ...(a.llmApiKeySecret ? { apiKeySecretName: a.llmApiKeySecret, apiKeySecretKey: a.llmApiKeyKey } : {}),
                ...(a.useModelServer ? { modelServerPodLabels: modelServerLabels(modelServer!.name), modelServerPort: MODEL_SERVER_PORT } : {}),
            },
            secretNames: a.secrets,
            otlpEndpoint: deps.otlpEndpoint,
            ingressNamespaces: a.ingressNamespaces,
        }, { ...deps.inCluster, parent });
    });

    const apis = agents.map((a, i) => [a, workloads[i]] as const).filter(([a]) => a.role === AgentRole.Api);
    return {
        imageRefs: pulumi.output(Object.fromEntries(Object.entries(built).map(([n, i]) => [n, i.imageRef]))) as pulumi.Output<Record<string, string>>,
        apiServiceUrls: pulumi.output(Object.fromEntries(apis.map(([a, w]) => [a.name, w.serviceUrl]))) as pulumi.Output<Record<string, string>>,
        modelServerUrl: server ? server.serviceUrl : pulumi.output(undefined),
    };
}
