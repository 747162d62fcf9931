import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { enumValues, ImagePlatform } from "../shared/constants";
import { ArgChecks } from "../shared/validation";

export interface AgentImageArgs {
    /** ECR repository name (lower case, `/`-separated path segments, 2–256 characters). Required. */
    repositoryName: string;
    /**
     * Image tag, derived from the build's content: compute it with `contextTag(context, { dockerfile,
     * platform, buildArgs })` in the program (components never read files). The repository's tags are
     * immutable, so a tag must never be reused for other content. Required.
     */
    tag: string;
    /** Docker build context, relative to the program's working directory. Default: "agent". */
    context?: string;
    /** Dockerfile, relative to the program's working directory (docker provider ≥ 4.1 semantics). Default: "agent/Dockerfile". */
    dockerfile?: string;
    /** Target platform, one of ImagePlatform ("linux/amd64", "linux/arm64"). Default: "linux/amd64". */
    platform?: string;
    /**
     * Build args. They end up in the image history and in Pulumi state, so they are never secrets: names
     * containing TOKEN, KEY, SECRET, PASSWORD, PASSWD or CREDENTIAL are rejected. Default: none.
     */
    buildArgs?: Record<string, string>;
    /** Tagged images the lifecycle policy keeps (the newest N by push time; older ones expire). Default: 30. */
    keepTaggedImages?: number;
    /** Days after which untagged images (superseded manifests, failed pushes) expire. Default: 7. */
    untaggedExpiryDays?: number;
    /** KMS key that encrypts the repository (SSE-KMS). Default: none (AES256, ECR-managed keys). */
    kmsKeyArn?: pulumi.Input<string>;
    /** Other tags of this repository to use as build cache (e.g. the previous release's tag), besides `tag` itself. Default: none. */
    cacheFromTags?: string[];
    /** Tags of the repository. Default: none (the provider's default tags still apply). */
    tags?: Record<string, string>;
}

/** Defaults of AgentImageArgs, in one place. */
export const IMAGE_DEFAULTS = {
    context: "agent",
    dockerfile: "agent/Dockerfile",
    platform: ImagePlatform.Amd64,
    keepTaggedImages: 30,
    untaggedExpiryDays: 7,
} as const;

/** ECR repository names: path segments of lower-case letters and digits joined by `.`, `_` or `-`. */
const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
/** Docker tag grammar. */
const DOCKER_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** Build-arg names. */
const BUILD_ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Build-arg names that suggest a secret (build args are stored in the image history and in state). */
export const SECRET_LIKE_BUILD_ARG = /TOKEN|KEY|SECRET|PASSWORD|PASSWD|CREDENTIAL/i;

/** Validates AgentImageArgs; throws `InputPropertiesError` naming each bad argument. */
export function validateImageArgs(args: AgentImageArgs): void {
    const checks = new ArgChecks("AgentImage")
        .require(typeof args.repositoryName === "string" && args.repositoryName.length >= 2 && args.repositoryName.length <= 256 && REPOSITORY_NAME.test(args.repositoryName),
            "repositoryName", args.repositoryName, "2–256 characters: lower-case letters, digits and . _ - / (segments start and end with a letter or digit)")
        .require(typeof args.tag === "string" && DOCKER_TAG.test(args.tag) && args.tag !== "latest",
            "tag", args.tag, "a Docker tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}) other than \"latest\", derived from the content (see contextTag)")
        .oneOf("platform", args.platform, enumValues(ImagePlatform))
        .integer("keepTaggedImages", args.keepTaggedImages, 1, 1000)
        .integer("untaggedExpiryDays", args.untaggedExpiryDays, 1, 365);
    if (args.context !== undefined) checks.require(args.context.trim().length > 0, "context", args.context, "a directory path");
    if (args.dockerfile !== undefined) checks.require(args.dockerfile.trim().length > 0, "dockerfile", args.dockerfile, "a file path");
    for (const name of Object.keys(args.buildArgs ?? {})) {
        checks.require(BUILD_ARG_NAME.test(name), `buildArgs.${name}`, name, "a build-arg name ([A-Za-z_][A-Za-z0-9_]*)");
        checks.require(!SECRET_LIKE_BUILD_ARG.test(name), `buildArgs.${name}`, name,
            "no secrets in build args (they are kept in the image history and in Pulumi state): use a BuildKit secret mount, or read the value at run time from AgentSecrets");
    }
    (args.cacheFromTags ?? []).forEach((t, i) => checks.require(DOCKER_TAG.test(t), `cacheFromTags[${i}]`, t, "a Docker tag"));
    checks.throwIfInvalid();
}

/** An ECR lifecycle policy rule (the JSON ECR stores). */
export interface LifecycleRule {
    rulePriority: number;
    description: string;
    selection: { tagStatus: string; tagPatternList?: string[]; countType: string; countUnit?: string; countNumber: number };
    action: { type: string };
}

/**
 * The repository's lifecycle policy: untagged images expire after `untaggedExpiryDays`; of the tagged
 * images, the newest `keepTagged` (by push time) are kept and older ones expire. Workloads reference
 * images by digest, so `keepTagged` bounds how far back a rollback can go.
 */
export function ecrLifecyclePolicy(keepTagged: number, untaggedExpiryDays: number): { rules: LifecycleRule[] } {
    return {
        rules: [
            {
                rulePriority: 1,
                description: `Expire untagged images ${untaggedExpiryDays} days after push`,
                selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: untaggedExpiryDays },
                action: { type: "expire" },
            },
            {
                rulePriority: 2,
                description: `Keep the last ${keepTagged} tagged images`,
                selection: { tagStatus: "tagged", tagPatternList: ["*"], countType: "imageCountMoreThan", countNumber: keepTagged },
                action: { type: "expire" },
            },
        ],
    };
}

/** Repository encryption: SSE-KMS with the given key, else AES256. */
export function repositoryEncryption<T>(kmsKeyArn: T | undefined): { encryptionType: string; kmsKey?: T } {
    return kmsKeyArn === undefined ? { encryptionType: "AES256" } : { encryptionType: "KMS", kmsKey: kmsKeyArn };
}

/** The registry host of a repository URL (`<account>.dkr.ecr.<region>.amazonaws.com/<name>` → host). */
export function registryHost(repositoryUrl: string): string {
    return repositoryUrl.split("/")[0];
}

/** Build args sent to Docker: the caller's plus inline cache metadata, so later builds can use this image as cache. */
export function dockerBuildArgs(buildArgs: Record<string, string> = {}): Record<string, string> {
    return { ...buildArgs, BUILDKIT_INLINE_CACHE: "1" };
}

/**
 * An agent image: an ECR repository (immutable tags, scan on push, encryption, lifecycle policy, never
 * force-deleted) and a `docker.Image` built from the context and pushed with credentials from
 * `aws.ecr.getAuthorizationTokenOutput` (the password stays secret). Workloads use `imageRef`, the
 * digest-pinned reference, never the tag.
 */
export class AgentImage extends pulumi.ComponentResource {
    /** Digest-pinned reference, `<repositoryUrl>@sha256:...`: what workloads run. */
    public readonly imageRef: pulumi.Output<string>;
    /** `<repositoryUrl>:<tag>` that was pushed. */
    public readonly imageName: pulumi.Output<string>;
    /** URL of the ECR repository. */
    public readonly repositoryUrl: pulumi.Output<string>;
    /** ARN of the ECR repository (for pull permissions). */
    public readonly repositoryArn: pulumi.Output<string>;

    constructor(name: string, args: AgentImageArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validated before `super`: invalid arguments register nothing, not even the component.
        validateImageArgs(args);
        super("agent-platform:index:AgentImage", name, {}, opts);
        const parent = { parent: this };
        const keep = args.keepTaggedImages ?? IMAGE_DEFAULTS.keepTaggedImages;
        const untaggedDays = args.untaggedExpiryDays ?? IMAGE_DEFAULTS.untaggedExpiryDays;

        const repository = new aws.ecr.Repository(name, {
            name: args.repositoryName,
            imageTagMutability: "IMMUTABLE",
            imageScanningConfiguration: { scanOnPush: true },
            encryptionConfigurations: [repositoryEncryption(args.kmsKeyArn)],
            forceDelete: false,
            tags: args.tags,
        }, parent);
        new aws.ecr.LifecyclePolicy(name, {
            repository: repository.name,
            policy: JSON.stringify(ecrLifecyclePolicy(keep, untaggedDays)),
        }, parent);

        const token = aws.ecr.getAuthorizationTokenOutput({ registryId: repository.registryId }, parent);
        const imageName = pulumi.interpolate`${repository.repositoryUrl}:${args.tag}`;
        const cacheTags = [args.tag, ...(args.cacheFromTags ?? [])];
        const image = new docker.Image(name, {
            imageName,
            build: {
                context: args.context ?? IMAGE_DEFAULTS.context,
                dockerfile: args.dockerfile ?? IMAGE_DEFAULTS.dockerfile,
                platform: args.platform ?? IMAGE_DEFAULTS.platform,
                args: dockerBuildArgs(args.buildArgs),
                cacheFrom: { images: cacheTags.map((t) => pulumi.interpolate`${repository.repositoryUrl}:${t}`) },
            },
            registry: {
                server: repository.repositoryUrl.apply(registryHost),
                username: token.userName,
                password: pulumi.secret(token.password),
            },
            skipPush: false,
        }, parent);

        this.imageRef = image.repoDigest;
        this.imageName = image.imageName;
        this.repositoryUrl = repository.repositoryUrl;
        this.repositoryArn = repository.arn;
        this.registerOutputs({ imageRef: this.imageRef, imageName: this.imageName, repositoryUrl: this.repositoryUrl, repositoryArn: this.repositoryArn });
    }
}
