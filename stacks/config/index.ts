import * as pulumi from "@pulumi/pulumi";
import { relationProblems } from "../../components/platform/relations";
import { ALERTING_SECRET, GRAFANA_ADMIN_SECRET, REDIS_AUTH_SECRET } from "../../components/secrets/spec";
import { AgentRole, ContactPoint, ContextStoreMode, ModelSource, PlatformTarget } from "../../components/shared/constants";
import { problemsOf, quotedNames, safeParse, z } from "../../components/shared/schema";
import { clusterSection, networkSection, nodePoolsSection } from "./network";
import { ConfigProblem, configProblem, configProblemsAt, describeProblem } from "./problems";
import { configReferenceOf, FieldDoc } from "./reference";
import { checkSecretValues, SECRET_VALUES_KEY, SecretValuesConfig } from "./secretValues";
import { alertsSection, contextStoreSection, queuesSection, secretsSection, tracingSection } from "./services";
import { fakeLlmSection, REGISTRY_PASSWORD_KEY, secretKeyProblem, targetProblems, targetSection } from "./target";
import { agentsSection, imagesSection, modelServerSection } from "./workloads";

export { ConfigProblem, describeProblem, FieldDoc };

/** Configuration namespace of the project (`agent-platform:<key>` in `Pulumi.<stack>.yaml`). */
export const CONFIG_NAMESPACE = "agent-platform";

/**
 * Every top-level key of the platform's stack configuration. Each section is built from the field
 * schemas of the component it configures, so bounds, defaults and descriptions have one source.
 */
export const platformSchema = z.strictObject({
    target: targetSection,
    network: networkSection,
    cluster: clusterSection,
    nodePools: nodePoolsSection,
    secrets: secretsSection,
    contextStore: contextStoreSection,
    queues: queuesSection,
    tracing: tracingSection,
    alerts: alertsSection,
    images: imagesSection,
    agents: agentsSection,
    modelServer: modelServerSection,
    fakeLlm: fakeLlmSection,
});

type Sections = z.output<typeof platformSchema>;

/** The validated configuration of one stack, defaults applied. */
export type PlatformConfig = Sections & {
    /** Environment name (the stack name): `deployment.environment` on traces, resource name suffixes. */
    environment: string;
    /** `agent-platform:secretValues` (a config secret): which entries have values, and the values as a secret output. */
    secretValues?: SecretValuesConfig;
    /** `agent-platform:registryPassword` (a config secret), as a secret output; undefined when unset or read without Pulumi. */
    registryPassword?: pulumi.Output<string>;
};

/** Raised before any resource is registered when the stack configuration is invalid; lists every problem. */
export class StackConfigError extends pulumi.RunError {
    constructor(readonly problems: ConfigProblem[]) {
        super(`invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
            problems.map((p) => `  - ${describeProblem(p)}`).join("\n"));
    }
}

/** Looks up the raw (string) value of a config key such as `agent-platform:network`. */
export type RawConfigLookup = (fullKey: string) => string | undefined;

function parseSection(lookup: RawConfigLookup, fullKey: string, problems: ConfigProblem[]): unknown {
    const text = lookup(fullKey);
    if (text === undefined) return undefined;
    try {
        return JSON.parse(text);
    } catch {
        problems.push({ key: fullKey, value: text, allowed: "a YAML object or list (structured config)" });
        return undefined;
    }
}

/**
 * Checks that need more than one key (references between sections, dependent limits, what the target
 * allows). `present` are the sections the stack sets; `registryPasswordSet` whether
 * `agent-platform:registryPassword` is.
 */
export function crossCheck(c: Sections, present: ReadonlySet<string> = new Set(), registryPasswordSet = false): ConfigProblem[] {
    const key = (path: string) => `${CONFIG_NAMESPACE}:${path}`;
    const problems: ConfigProblem[] = targetProblems(c, present, registryPasswordSet, key);
    // On the kubernetes target there are no node pools: targetProblems speaks for GPUs and capacity types.
    const onAws = c.target.type === PlatformTarget.Aws;
    const queues = c.queues.map((q) => q.name);
    const secrets = new Set(c.secrets.entries.map((s) => s.name));

    const platformSecrets = [REDIS_AUTH_SECRET.name, GRAFANA_ADMIN_SECRET.name, ALERTING_SECRET.name] as string[];
    c.secrets.entries.forEach((s, i) => {
        if (platformSecrets.includes(s.name)) problems.push({ key: key(`secrets.entries[${i}].name`), value: s.name, allowed: `a name other than the platform's own secrets ${platformSecrets.join(", ")}` });
    });
    if (c.contextStore.mode === ContextStoreMode.InCluster && c.contextStore.multiAz) {
        problems.push({ key: key("contextStore.multiAz"), value: true, allowed: "false with mode \"in-cluster\" (a single Valkey pod; use \"elasticache\" for failover)" });
    }
    if (onAws && c.modelServer.enabled && !c.nodePools.gpu.enabled) {
        problems.push({ key: key("modelServer.enabled"), value: true, allowed: "false unless nodePools.gpu.enabled is true" });
    }
    if (c.modelServer.enabled && c.modelServer.source === ModelSource.S3 && !c.modelServer.s3Uri) {
        problems.push({ key: key("modelServer.s3Uri"), value: undefined, allowed: "an s3:// prefix when source is \"s3\"" });
    }
    const hubToken = c.modelServer.hubTokenSecret;
    if (c.modelServer.enabled && hubToken !== undefined) {
        const entry = c.secrets.entries.find((s) => s.name === hubToken);
        if (c.modelServer.source !== ModelSource.Hub) {
            problems.push({ key: key("modelServer.hubTokenSecret"), value: hubToken, allowed: "nothing unless source is \"hub\"" });
        } else if (!entry) {
            problems.push({ key: key("modelServer.hubTokenSecret"), value: hubToken, allowed: `a secret name from secrets.entries: ${quotedNames(secrets)}` });
        } else if (!entry.keys.includes(c.modelServer.hubTokenKey)) {
            problems.push({ key: key("modelServer.hubTokenKey"), value: c.modelServer.hubTokenKey, allowed: `a key of secrets entry "${hubToken}": ${entry.keys.join(", ")}` });
        }
    }
    const produced = new Set(c.agents.filter((a) => a.role === AgentRole.Api).map((a) => a.queue));
    c.agents.forEach((a, i) => {
        if (a.role === AgentRole.Worker && a.queue !== undefined && queues.includes(a.queue) && !produced.has(a.queue)) {
            problems.push({ key: key(`agents[${i}].queue`), value: a.queue, allowed: `a queue some api agent produces to (${[...produced].filter(Boolean).map((q) => JSON.stringify(q)).join(", ") || "none do"}), or add an api for ${JSON.stringify(a.queue)}` });
        }
    });
    const relations = relationProblems({
        contactPoint: c.alerts.contactPoint, grafana: c.tracing.grafana, images: c.images.map((i) => i.name), queues,
        nodePools: onAws ? c.nodePools : undefined, modelServer: c.modelServer.enabled, agents: c.agents,
    }, { nodePools: "nodePools", modelServerOn: "modelServer.enabled is true" });
    problems.push(...configProblemsAt(c, relations, key));
    c.agents.forEach((a, i) => {
        const at = (field: string) => key(`agents[${i}].${field}`);
        // The reference agent needs a queue in both roles: the api enqueues jobs to it, the worker consumes it.
        if (a.queue === undefined) problems.push({ key: at("queue"), value: undefined, allowed: `a queue name for ${a.role === AgentRole.Worker ? "a worker" : "an api (it enqueues jobs)"}: ${quotedNames(queues)}` });
        (a.secrets ?? []).forEach((name, j) => {
            if (!secrets.has(name)) problems.push({ key: at(`secrets[${j}]`), value: name, allowed: `a secret name from secrets.entries: ${quotedNames(secrets)}` });
        });
        const keyProblem = a.useModelServer ? undefined : secretKeyProblem(a.llmApiKey, c.secrets.entries);
        if (keyProblem) problems.push({ key: at("llmApiKey"), value: a.llmApiKey, allowed: keyProblem });
    });
    return problems;
}

/**
 * Reads and validates the whole stack configuration. Collects every problem before failing, so one
 * run reports them all (relations between sections are checked once every section is valid); throws
 * StackConfigError when there is any. Registers no resource.
 */
export function readPlatformConfig(lookup: RawConfigLookup, environment: string): PlatformConfig {
    const problems: ConfigProblem[] = [];
    const values: Record<string, unknown> = {};
    const present = new Set<string>();
    for (const [name, section] of Object.entries(platformSchema.shape)) {
        const fullKey = `${CONFIG_NAMESPACE}:${name}`;
        const raw = parseSection(lookup, fullKey, problems);
        if (raw !== undefined) present.add(name);
        const parsed = safeParse(section, raw);
        if (parsed.success) values[name] = parsed.data;
        else problems.push(...problemsOf(section, raw).map((p) => configProblem(fullKey, p)));
    }
    if (problems.length > 0) throw new StackConfigError(problems);
    const config = values as Sections;
    problems.push(...crossCheck(config, present, lookup(`${CONFIG_NAMESPACE}:${REGISTRY_PASSWORD_KEY}`) !== undefined));
    const secretValuesKey = `${CONFIG_NAMESPACE}:${SECRET_VALUES_KEY}`;
    const alerting = alertingSecretKeys(config.alerts);
    const declared = [...config.secrets.entries, ...(alerting.length > 0 ? [{ name: ALERTING_SECRET.name, keys: alerting }] : [])];
    const secretValues = checkSecretValues(lookup(secretValuesKey), declared, secretValuesKey);
    problems.push(...secretValues.problems);
    if (config.alerts.contactPoint === ContactPoint.Sns && config.alerts.pagerDuty && !secretValues.entries.includes(ALERTING_SECRET.name)) {
        problems.push({
            key: `${secretValuesKey}.${ALERTING_SECRET.name}.${ALERTING_SECRET.pagerDutyUrlKey}`, value: undefined,
            allowed: `PagerDuty's integration URL for Amazon CloudWatch, a config secret (SNS needs it to subscribe): pulumi config set --secret --path '${SECRET_VALUES_KEY}.${ALERTING_SECRET.name}.${ALERTING_SECRET.pagerDutyUrlKey}' <url>`,
        });
    }
    if (problems.length > 0) throw new StackConfigError(problems);
    return { ...config, environment, secretValues: { entries: secretValues.entries } };
}

/**
 * Keys of the `alerting` secret the configured receivers need: PagerDuty's URL for the SNS topic,
 * the Slack webhook for Grafana. None: the secret is not declared.
 */
export function alertingSecretKeys(alerts: Sections["alerts"]): string[] {
    if (alerts.contactPoint === ContactPoint.Sns) return alerts.pagerDuty ? [ALERTING_SECRET.pagerDutyUrlKey] : [];
    return alerts.slackWebhook ? [ALERTING_SECRET.slackWebhookKey] : [];
}

/** Reads the configuration of the running stack from Pulumi config. */
export function loadPlatformConfig(): PlatformConfig {
    const config = new pulumi.Config(CONFIG_NAMESPACE);
    const loaded = readPlatformConfig((fullKey) => config.get(fullKey.slice(CONFIG_NAMESPACE.length + 1)), pulumi.getStack());
    // The values themselves only ever as a secret output.
    const values = config.getSecretObject<Record<string, Record<string, unknown>>>(SECRET_VALUES_KEY);
    const registryPassword = config.getSecret(REGISTRY_PASSWORD_KEY);
    return {
        ...loaded,
        ...(values === undefined ? {} : { secretValues: { entries: loaded.secretValues?.entries ?? [], values } }),
        ...(registryPassword === undefined ? {} : { registryPassword }),
    };
}

/** One row per configuration leaf, for the configuration reference. */
export function configReference(): FieldDoc[] {
    return Object.entries(platformSchema.shape).flatMap(([name, section]) => configReferenceOf(section, `${CONFIG_NAMESPACE}:${name}`));
}
