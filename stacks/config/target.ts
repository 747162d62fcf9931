/**
 * `target` (where the stack runs), `registryPassword` (its registry's token, a config secret) and
 * `fakeLlm` (the fake OpenAI-compatible server of end-to-end tests), and the checks that tie them to the
 * other sections: on the kubernetes target the AWS-only sections are refused and what needs AWS has to
 * take its in-cluster stand-in.
 */
import { checkTarget, fakeLlmOptionsSchema, kubernetesTargetProblems, targetOptionsSchema } from "../../components/platform/args";
import { PlatformTarget } from "../../components/shared/constants";
import { needsCredentials, parseRegistry } from "../../components/shared/registry";
import { quotedNames, z } from "../../components/shared/schema";
import { ConfigProblem, configProblemsAt } from "./problems";
import { secretKeyReference } from "./workloads";

/** The config secret holding the registry's password or token (GHCR, Docker Hub). */
export const REGISTRY_PASSWORD_KEY = "registryPassword";

const target = targetOptionsSchema.shape;

/** `target`: AWS (default) or an existing Kubernetes cluster (AgentPlatform's TargetOptions; the password is `registryPassword`). */
export const targetSection = z.strictObject({
    type: target.type,
    context: target.context,
    registry: target.registry,
    registryUsername: target.registryUsername,
}).superRefine((t, ctx) => checkTarget(t, ctx, [], false)).prefault({});

/** `fakeLlm`: the fake OpenAI-compatible server (e2e/fake-llm) deployed beside the agents, for end-to-end tests. */
export const fakeLlmSection = z.strictObject({
    enabled: z.boolean().default(false).describe("Deploy the fake OpenAI-compatible server (target `kubernetes` only); agents use it with `llmBaseUrl: http://fake-llm.agents.svc.cluster.local:8080/v1`"),
    image: fakeLlmOptionsSchema.shape.image.default("fake-llm"),
    apiKey: secretKeyReference().default("none")
        .describe("The key the fake requires, `<secrets entry>/<KEY>` (the one the agents send as LLM_API_KEY), or `none`"),
}).prefault({});

/** Sections only the aws target uses. */
export const AWS_ONLY_SECTIONS = ["network", "cluster", "nodePools"] as const;

/** What the target checks read of the whole configuration. */
export interface TargetCheckInput {
    target: z.output<typeof targetSection>;
    fakeLlm: z.output<typeof fakeLlmSection>;
    contextStore: { mode: string };
    tracing: { storage: string; metrics: string };
    alerts: { contactPoint: string };
    modelServer: { enabled: boolean };
    images: { name: string }[];
    agents: { gpu: boolean; capacityType: string }[];
    secrets: { entries: { name: string; keys: string[] }[] };
}

/** Problems of `<entry>/<KEY>` (or `none`) against the declared secret entries, or undefined when it names one. */
export function secretKeyProblem(reference: string, entries: { name: string; keys: string[] }[]): string | undefined {
    if (reference === "none") return undefined;
    const [entryName, keyName] = reference.split("/");
    if (entries.find((e) => e.name === entryName)?.keys.includes(keyName)) return undefined;
    const known = entries.flatMap((e) => e.keys.map((k) => `${e.name}/${k}`));
    return `"none" or an entry/key of secrets.entries: ${quotedNames(known)}`;
}

/**
 * The target's cross-key problems: the registry password where the registry needs one, nothing of the
 * AWS-only sections (`present`: the keys the stack sets) and no AWS-only choice on the kubernetes
 * target, and a fake LLM only there, built from one of the images.
 */
export function targetProblems(c: TargetCheckInput, present: ReadonlySet<string>, registryPasswordSet: boolean, key: (path: string) => string): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const kubernetes = c.target.type === PlatformTarget.Kubernetes;
    const registry = parseRegistry(c.target.registry);
    if (kubernetes && registry && needsCredentials(registry.kind) && !registryPasswordSet) {
        problems.push({ key: key(REGISTRY_PASSWORD_KEY), value: undefined, allowed: `a password or token for ${c.target.registry}, set with \`pulumi config set --secret ${key(REGISTRY_PASSWORD_KEY)}\`` });
    }
    if (registryPasswordSet && !(kubernetes && registry && needsCredentials(registry.kind))) {
        problems.push({ key: key(REGISTRY_PASSWORD_KEY), value: "[secret]", allowed: 'nothing unless target.type is "kubernetes" with a GHCR or Docker Hub registry' });
    }
    if (kubernetes) {
        for (const section of AWS_ONLY_SECTIONS.filter((s) => present.has(s))) {
            problems.push({ key: key(section), value: "(set)", allowed: 'nothing with target.type "kubernetes" (the cluster exists: no VPC, EKS or Karpenter pools are created)' });
        }
        const found = kubernetesTargetProblems({
            contextStoreMode: c.contextStore.mode, traceStorage: c.tracing.storage, metricsStorage: c.tracing.metrics, contactPoint: c.alerts.contactPoint,
            modelServer: c.modelServer.enabled, agents: c.agents,
        });
        problems.push(...configProblemsAt(c, found, key, { modelServer: ["modelServer.enabled", true] }));
    }
    if (c.fakeLlm.enabled) {
        if (!kubernetes) problems.push({ key: key("fakeLlm.enabled"), value: true, allowed: 'false unless target.type is "kubernetes" (a test double)' });
        if (!c.images.some((i) => i.name === c.fakeLlm.image)) {
            problems.push({ key: key("fakeLlm.image"), value: c.fakeLlm.image, allowed: `an image name from images: ${quotedNames(c.images.map((i) => i.name))}` });
        }
        const keyProblem = secretKeyProblem(c.fakeLlm.apiKey, c.secrets.entries);
        if (keyProblem) problems.push({ key: key("fakeLlm.apiKey"), value: c.fakeLlm.apiKey, allowed: keyProblem });
    }
    return problems;
}
