import { AgentPlatformArgs } from "../components/platform";
import { PlatformConfig } from "./config";
import { entryValues } from "./config/secretValues";

/**
 * Maps the validated stack configuration onto AgentPlatform's arguments. Pure: the program is this
 * function plus `new AgentPlatform(...)`. `imageTags` are the content-derived tags of `config.images`
 * (computed by the program from the build contexts).
 */
export function platformArgsFromConfig(config: PlatformConfig, imageTags: Record<string, string>): AgentPlatformArgs {
    const n = config.network;
    return {
        environment: config.environment,
        network: {
            vpcCidr: n.vpcCidr,
            availabilityZoneCount: n.azCount,
            availabilityZones: n.availabilityZones,
            natGateways: n.natGateways,
            flowLogRetentionDays: n.flowLogRetentionDays,
            interfaceEndpoints: n.interfaceEndpoints,
            existingVpc: n.existingVpc,
        },
        cluster: {
            kubernetesVersion: config.cluster.kubernetesVersion,
            endpointPublicAccess: config.cluster.endpointPublicAccess,
            publicAccessCidrs: config.cluster.publicAccessCidrs,
            adminPrincipalArns: config.cluster.adminPrincipalArns,
            logRetentionDays: config.cluster.logRetentionDays,
            systemNodes: { ...config.cluster.systemNodes },
            nodePools: { cpu: { ...config.nodePools.cpu }, gpu: { ...config.nodePools.gpu } },
        },
        tracing: {
            storage: config.tracing.storage,
            retentionDays: config.tracing.retentionDays,
            localStorageGiB: config.tracing.localStorageGiB,
            grafana: config.tracing.grafana,
            collectorReplicas: config.tracing.collectorReplicas,
            storageClassName: config.tracing.storageClassName,
        },
        contextStore: {
            mode: config.contextStore.mode,
            nodeType: config.contextStore.nodeType,
            replicas: config.contextStore.replicas,
            multiAz: config.contextStore.multiAz,
            snapshotRetentionDays: config.contextStore.snapshotRetentionDays,
            maintenanceWindow: config.contextStore.maintenanceWindow,
            applyImmediately: config.contextStore.applyImmediately,
            sessionTtlSeconds: config.contextStore.sessionTtlSeconds,
            storageGiB: config.contextStore.storageGiB,
            maxmemoryPolicy: config.contextStore.evictionPolicy,
            logRetentionDays: config.contextStore.logRetentionDays,
        },
        queues: config.queues.map((q) => ({
            name: q.name,
            maxJobDurationSeconds: q.maxJobDurationSeconds,
            visibilityTimeoutSeconds: q.visibilityTimeoutSeconds,
            maxReceiveCount: q.maxReceiveCount,
            retentionDays: q.retentionDays,
            scaling: { activationMessages: q.activationMessages, pollingIntervalSeconds: q.pollingIntervalSeconds, cooldownSeconds: q.cooldownSeconds },
        })),
        images: config.images.map((i) => ({
            name: i.name, tag: imageTags[i.name], context: i.context, dockerfile: i.dockerfile, platform: i.platform, keepTaggedImages: i.keepTaggedImages,
        })),
        agents: config.agents.map((a) => {
            const [apiKeySecret, apiKeyKey] = a.llmApiKey === "none" || a.useModelServer ? [undefined, undefined] : a.llmApiKey.split("/");
            return {
                name: a.name, role: a.role, image: a.image, profile: a.profile, queue: a.queue, minReplicas: a.minReplicas, maxReplicas: a.maxReplicas,
                targetCpuUtilization: a.targetCpuUtilization, messagesPerReplica: a.messagesPerReplica, workerConcurrency: a.workerConcurrency, capacityType: a.capacityType, maxRequestSeconds: a.maxRequestSeconds, gpu: a.gpu,
                secrets: a.secrets, llmModel: a.useModelServer ? config.modelServer.model : a.llmModel, llmBaseUrl: a.llmBaseUrl, useModelServer: a.useModelServer,
                llmApiKeySecret: apiKeySecret, llmApiKeyKey: apiKeyKey, ingressNamespaces: a.ingressNamespaces,
            };
        }),
        modelServer: config.modelServer.enabled ? {
            model: config.modelServer.model, source: config.modelServer.source, s3Uri: config.modelServer.s3Uri,
            hubTokenSecretName: config.modelServer.hubTokenSecret, hubTokenSecretKey: config.modelServer.hubTokenKey,
            storageGiB: config.modelServer.storageGiB, replicas: config.modelServer.replicas, gpusPerReplica: config.modelServer.gpusPerReplica,
            maxModelLen: config.modelServer.maxModelLen,
            toolCallParser: config.modelServer.toolCallParser,
        } : undefined,
        secrets: {
            recoveryWindowDays: config.secrets.recoveryWindowDays,
            refreshInterval: config.secrets.refreshInterval,
            reloader: config.secrets.reloader,
            // Entries with a value in `agent-platform:secretValues` get it as a secret output (and a
            // SecretVersion); the others are created empty and set out of band.
            entries: config.secrets.entries.map((e) => {
                const sv = config.secretValues;
                const values = sv?.values !== undefined && sv.entries.includes(e.name) ? sv.values.apply((all) => entryValues(all, e.name)) : undefined;
                return { name: e.name, keys: e.keys, description: e.description, values };
            }),
        },
    };
}
