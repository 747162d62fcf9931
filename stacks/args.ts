import * as pulumi from "@pulumi/pulumi";
import { AgentPlatformArgs } from "../components/platform";
import { PlatformTarget } from "../components/shared/constants";
import { ALERTING_SECRET } from "../components/secrets/spec";
import { PlatformConfig } from "./config";
import { entryValues } from "./config/secretValues";

/**
 * Maps the validated stack configuration onto AgentPlatform's arguments. Pure: the program is this
 * function plus `new AgentPlatform(...)`. Sections carry AgentPlatform's own field names but for the
 * few documented renames (`azCount`, `evictionPolicy`, flattened queue scaling, `llmApiKey`,
 * `hubTokenSecret`/`hubTokenKey`, `modelServer.enabled`, `fakeLlm.enabled`/`apiKey`, the registry's password
 * as `agent-platform:registryPassword`). On the kubernetes target the AWS-only sections (network,
 * cluster, node pools) are left out. `imageTags` are the content-derived tags of `config.images`
 * (computed by the program from the build contexts).
 */
export function platformArgsFromConfig(config: PlatformConfig, imageTags: Record<string, string>): AgentPlatformArgs {
    const { azCount, ...network } = config.network;
    // The values of an entry from `secretValues` (a secret output), when the stack sets that entry there.
    const sv = config.secretValues;
    const secretValuesOf = (entry: string) => (sv?.values !== undefined && sv.entries.includes(entry) ? sv.values.apply((all) => entryValues(all, entry)) : undefined);
    // A value of the `alerting` secret from `secretValues`.
    const alertingValue = (key: string): pulumi.Output<string> | undefined => secretValuesOf(ALERTING_SECRET.name)?.apply((values) => values[key]);
    const pagerDutyUrl = alertingValue(ALERTING_SECRET.pagerDutyUrlKey);
    const slackWebhookUrl = alertingValue(ALERTING_SECRET.slackWebhookKey);
    const { evictionPolicy, ...contextStore } = config.contextStore;
    const { enabled: modelServerEnabled, hubTokenSecret, hubTokenKey, ...modelServer } = config.modelServer;
    const onAws = config.target.type === PlatformTarget.Aws;
    const [fakeLlmKeySecret, fakeLlmKeyKey] = config.fakeLlm.apiKey === "none" ? [] : config.fakeLlm.apiKey.split("/");
    return {
        environment: config.environment,
        target: { ...config.target, ...(config.registryPassword ? { registryPassword: config.registryPassword } : {}) },
        ...(onAws ? {
            network: { ...network, availabilityZoneCount: azCount },
            cluster: { ...config.cluster, nodePools: config.nodePools },
        } : {}),
        tracing: config.tracing,
        alerts: {
            ...config.alerts,
            ...(config.alerts.pagerDuty && pagerDutyUrl ? { pagerDutyUrl } : {}),
            ...(config.alerts.slackWebhook && slackWebhookUrl ? { slackWebhookUrl } : {}),
        },
        contextStore: { ...contextStore, maxmemoryPolicy: evictionPolicy },
        queues: config.queues.map(({ activationMessages, pollingIntervalSeconds, cooldownSeconds, ...queue }) => ({
            ...queue, scaling: { activationMessages, pollingIntervalSeconds, cooldownSeconds },
        })),
        images: config.images.map((i) => ({ ...i, tag: imageTags[i.name] })),
        agents: config.agents.map(({ llmApiKey, ...agent }) => {
            const [llmApiKeySecret, llmApiKeyKey] = llmApiKey === "none" || agent.useModelServer ? [undefined, undefined] : llmApiKey.split("/");
            return {
                ...agent,
                llmModel: agent.useModelServer ? modelServer.model : agent.llmModel,
                ...(llmApiKeySecret ? { llmApiKeySecret, llmApiKeyKey } : {}),
            };
        }),
        modelServer: modelServerEnabled ? { ...modelServer, hubTokenSecretName: hubTokenSecret, hubTokenSecretKey: hubTokenKey } : undefined,
        fakeLlm: config.fakeLlm.enabled ? { image: config.fakeLlm.image, ...(fakeLlmKeySecret ? { apiKeySecret: fakeLlmKeySecret, apiKeyKey: fakeLlmKeyKey } : {}) } : undefined,
        secrets: {
            ...config.secrets,
            // Entries with a value in `agent-platform:secretValues` get it as a secret output (and a
            // SecretVersion); the others are created empty and set out of band.
            entries: config.secrets.entries.map((e) => {
                const values = secretValuesOf(e.name);
                return { ...e, ...(values ? { values } : {}) };
            }),
        },
    };
}
