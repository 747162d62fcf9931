import { ImagePlatform } from "../shared/constants";
import { needsCredentials, parseRegistry, REGISTRY_FORMS } from "../shared/registry";
import { input, int, matching, oneOf, tags, z } from "../shared/schema";
import { SECRET_LIKE_BUILD_ARG } from "./spec";

/** ECR repository names: path segments of lower-case letters and digits joined by `.`, `_` or `-`. */
const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
/** Docker tag grammar. */
const DOCKER_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** Build-arg names. */
const BUILD_ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const buildArgs = z.record(z.string(), z.string()).superRefine((args, ctx) => {
    for (const name of Object.keys(args)) {
        if (!BUILD_ARG_NAME.test(name)) ctx.addIssue({ code: "custom", path: [name], message: "a build-arg name ([A-Za-z_][A-Za-z0-9_]*)" });
        else if (SECRET_LIKE_BUILD_ARG.test(name)) {
            ctx.addIssue({
                code: "custom", path: [name],
                message: "no secrets in build args (they are kept in the image history and in Pulumi state): use a BuildKit secret mount, or read the value at run time from AgentSecrets",
            });
        }
    }
});

/** What to build: the options an image takes besides where it goes (AgentPlatform's ImageOptions and the stack's `images`). */
export const imageBuildFields = {
    context: z.string().trim().min(1).default("agent").meta({ allowed: "a directory path" }).describe("Docker build context, relative to the project root"),
    dockerfile: z.string().trim().min(1).default("agent/Dockerfile").meta({ allowed: "a file path" }).describe("Dockerfile, relative to the project root"),
    platform: oneOf(ImagePlatform).default(ImagePlatform.Amd64).describe("Target platform"),
    keepTaggedImages: int(1, 1000).default(30).describe("Tagged images the ECR lifecycle policy keeps"),
};

/** A registry other than ECR, in one of the forms AgentImage knows. */
export const registryReference = z.string().refine((r) => parseRegistry(r) !== undefined).meta({ allowed: REGISTRY_FORMS });

/** The user and the password or token pushing to a registry (one declaration for AgentImage and a platform's target). */
export const registryCredentialFields = {
    registryUsername: z.string().min(1).max(256).optional(),
    registryPassword: input<string>().meta({ secret: true }).optional(),
};

/**
 * What is wrong with the credentials given for `reference` (GHCR and Docker Hub need both, a local
 * registry takes none), by argument. `password` false when no password is there, undefined when it is
 * checked elsewhere (the stack configuration holds it under a key of its own).
 */
export function registryCredentialProblems(reference: string, username: string | undefined, password: boolean | undefined): { registryUsername?: string; registryPassword?: string } {
    const registry = parseRegistry(reference);
    if (!registry) return {};
    if (needsCredentials(registry.kind)) {
        return {
            ...(username === undefined ? { registryUsername: `the user pushing to ${reference}` } : {}),
            ...(password === false ? { registryPassword: `a password or token for ${reference} (a secret)` } : {}),
        };
    }
    const none = `nothing for a local registry (${reference} takes no credentials)`;
    return { ...(username !== undefined ? { registryUsername: none } : {}), ...(password === true ? { registryPassword: none } : {}) };
}

/** AgentImageArgs. */
export const imageArgsSchema = z.strictObject({
    repositoryName: matching(REPOSITORY_NAME).min(2).max(256)
        .meta({ allowed: "2–256 characters: lower-case letters, digits and . _ - / (segments start and end with a letter or digit)" }),
    tag: matching(DOCKER_TAG).refine((t) => t !== "latest")
        .meta({ allowed: 'a Docker tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}) other than "latest", derived from the content (see contextTag)' }),
    ...imageBuildFields,
    buildArgs: buildArgs.default({}),
    untaggedExpiryDays: int(1, 365).default(7),
    kmsKeyArn: input<string>().optional(),
    cacheFromTags: z.array(matching(DOCKER_TAG, "a Docker tag")).default([]),
    tags: tags.optional(),
    registry: registryReference.optional(),
    ...registryCredentialFields,
}).superRefine((a, ctx) => {
    if (a.registry === undefined || parseRegistry(a.registry) === undefined) return;
    if (a.kmsKeyArn !== undefined) ctx.addIssue({ code: "custom", path: ["kmsKeyArn"], message: "nothing with a registry other than ECR (the key encrypts an ECR repository)" });
    for (const [path, message] of Object.entries(registryCredentialProblems(a.registry, a.registryUsername, a.registryPassword !== undefined))) {
        ctx.addIssue({ code: "custom", path: [path], message });
    }
});
