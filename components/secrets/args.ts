import { inClusterDependsOnSchema } from "../shared/inCluster";
import * as pulumi from "@pulumi/pulumi";
import { SecretStoreKind } from "../shared/constants";
import { checkDistinctNames } from "../shared/distinct";
import { ALWAYS, duration, environmentName, input, int, matching, oneOf, tags, z } from "../shared/schema";
import { SECRET_STORE_NAMESPACE } from "./kubernetesStore";
import { DNS_LABEL, ENV_VAR_NAME, PLATFORM_NAME } from "../shared/names";

/** A Kubernetes Secret data key. */
const SECRET_KEY = /^[-._a-zA-Z0-9]{1,253}$/;
/** Path segments of a Secrets Manager name prefix. */
const SECRET_PREFIX = /^[A-Za-z0-9_+=.@-]+(\/[A-Za-z0-9_+=.@-]+)*$/;

const secretName = matching(PLATFORM_NAME);
const namespace = matching(DNS_LABEL, "a Kubernetes namespace name");

/** A secret entry as a stack declares it (its values come from the `secretValues` config secret or out of band). */
export const secretEntryOptionsSchema = z.strictObject({
    name: secretName.describe("Secret name: Secrets Manager `<prefix>/<name>` and the Kubernetes Secret `<name>` in the agents namespace"),
    keys: z.array(matching(ENV_VAR_NAME, "an environment variable name such as OPENAI_API_KEY")).min(1).max(50)
        .refine((keys) => new Set(keys).size === keys.length, { message: "keys without duplicates" })
        .describe("Keys of the secret's JSON object; each becomes an environment variable"),
    description: z.string().min(1).default("agent credentials").describe("What the secret is for"),
});

/** SecretEntryArgs. */
export const secretEntrySchema = secretEntryOptionsSchema.extend({
    values: input<Record<string, pulumi.Input<string>>>().meta({ secret: true }).optional(),
    namespaces: z.array(namespace).min(1).optional().meta({ defaultText: "the component's `namespaces`" }),
}).superRefine((s, ctx) => {
    if (s.values === undefined || pulumi.Output.isInstance(s.values) || s.values instanceof Promise) return;
    const given = Object.keys(s.values).sort();
    if (JSON.stringify(given) !== JSON.stringify([...s.keys].sort())) {
        ctx.addIssue({ code: "custom", path: ["values"], message: `values for exactly the keys ${s.keys.join(", ")} (key names shown, never values)`, input: given });
    }
});

/** Days a deleted secret stays recoverable: 0 (delete at once) or 7–30, what Secrets Manager accepts. */
const recoveryWindowDays = z.int().refine((d) => d === 0 || (d >= 7 && d <= 30)).meta({ allowed: "0, or 7 to 30" });

/** SecretsOptions: what a stack or AgentPlatform sets. */
export const secretsOptionsSchema = z.strictObject({
    entries: z.array(secretEntrySchema).max(50).default([]).describe("Secrets the agents read"),
    recoveryWindowDays: recoveryWindowDays.default(30).describe("Days a deleted secret can be recovered (0 deletes at once; else 7–30)"),
    refreshInterval: duration.default("1h").describe("How often ESO re-reads Secrets Manager (a value changed out of band reaches the Kubernetes Secret within this)"),
    reloader: z.boolean().default(true).describe("Install Stakater Reloader: workloads annotated with `reloadAnnotations` restart when their Secrets change"),
});

/** GeneratedSecretArgs. */
export const generatedSecretSchema = z.strictObject({
    name: secretName,
    key: matching(SECRET_KEY, `a Secret data key matching ${SECRET_KEY}`),
    length: int(16, 128).default(32),
    namespaces: z.array(namespace).min(1),
});

/** Secret names must be distinct across entries and generated secrets (checked even when other arguments fail, so the value is read defensively). */
function checkDistinctSecretNames(a: { secrets?: unknown; generatedSecrets?: unknown }, ctx: z.RefinementCtx): void {
    const seen = new Set<unknown>();
    for (const list of ["secrets", "generatedSecrets"] as const) {
        const items: ({ name?: unknown } | undefined)[] = Array.isArray(a[list]) ? a[list] : [];
        checkDistinctNames(items, (s) => s?.name, ctx, [list], "a name not used by another secret or generated secret", seen);
    }
}

/** AgentSecretsArgs. */
export const secretsArgsSchema = z.strictObject({
    clusterName: input<string>().optional(),
    store: oneOf(SecretStoreKind).default(SecretStoreKind.SecretsManager),
    storeNamespace: namespace.default(SECRET_STORE_NAMESPACE),
    environment: environmentName,
    secrets: z.array(secretEntrySchema).max(50),
    generatedSecrets: z.array(generatedSecretSchema).default([]),
    namespaces: z.array(namespace).default([]),
    recoveryWindowDays: secretsOptionsSchema.shape.recoveryWindowDays,
    refreshInterval: secretsOptionsSchema.shape.refreshInterval,
    secretNamePrefix: matching(SECRET_PREFIX, "path segments of letters, digits and _+=.@- separated by /").max(200).optional().meta({ defaultText: '"agent-platform/<environment>"' }),
    keyDeletionWindowDays: int(7, 30).default(30),
    reloader: secretsOptionsSchema.shape.reloader,
    inClusterDependsOn: inClusterDependsOnSchema,
    onSystemNodes: z.boolean().default(true),
    tags: tags.optional(),
}).superRefine(checkDistinctSecretNames, ALWAYS).superRefine((a, ctx) => {
    if (a.store === SecretStoreKind.SecretsManager && a.clusterName === undefined) {
        ctx.addIssue({ code: "custom", path: ["clusterName"], message: 'the EKS cluster name (required with store "secrets-manager": ESO\'s Pod Identity association)' });
    }
});
