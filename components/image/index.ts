import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { needsCredentials, parseRegistry, registryRepository } from "../shared/registry";
import { parseArgs } from "../shared/schema";
import { imageArgsSchema } from "./args";
import { dockerBuildArgs, ecrLifecyclePolicy, registryHost, repositoryEncryption } from "./spec";

export interface AgentImageArgs {
    /** Repository name (lower case, `/`-separated path segments, 2–256 characters): the ECR repository, or the path under `registry`. Required. */
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
    /**
     * Push to this registry instead of a new ECR repository: "localhost:<port>" (a local registry such
     * as kind's localhost:5001), "ghcr.io/<owner>" or "docker.io/<namespace>" (on Docker Hub the
     * repository name's segments are joined with "-"). No AWS resource then; the cluster must be able to
     * pull from it. Default: none (ECR).
     */
    registry?: string;
    /** User that pushes to `registry` (GHCR, Docker Hub; none for a local registry). Default: none. */
    registryUsername?: string;
    /** Password or access token of `registryUsername` (held as a secret). Default: none. */
    registryPassword?: pulumi.Input<string>;
}

/** Validates AgentImageArgs and applies their defaults; throws `InputPropertiesError` naming each bad argument. */
export function parseImageArgs(args: AgentImageArgs) {
    return parseArgs("AgentImage", imageArgsSchema, args);
}

/**
 * An agent image: an ECR repository (immutable tags, scan on push, encryption, lifecycle policy, never
 * force-deleted) and a `docker.Image` built from the context and pushed with credentials from
 * `aws.ecr.getAuthorizationTokenOutput` (the password stays secret). Or, with `registry`, the same
 * build pushed to a local registry, GHCR or Docker Hub. Workloads use `imageRef`, the digest-pinned
 * reference, never the tag.
 */
export class AgentImage extends pulumi.ComponentResource {
    /** Digest-pinned reference, `<repositoryUrl>@sha256:...`: what workloads run. */
    public readonly imageRef: pulumi.Output<string>;
    /** `<repositoryUrl>:<tag>` that was pushed. */
    public readonly imageName: pulumi.Output<string>;
    /** URL of the repository (ECR, or under `registry`). */
    public readonly repositoryUrl: pulumi.Output<string>;
    /** ARN of the ECR repository (for pull permissions; undefined output with `registry`). */
    public readonly repositoryArn: pulumi.Output<string | undefined>;

    constructor(name: string, args: AgentImageArgs, opts?: pulumi.ComponentResourceOptions) {
        const a = parseImageArgs(args); // before super: invalid arguments register nothing
        super("agent-platform:index:AgentImage", name, {}, opts);
        const parent = { parent: this };
        const registry = a.registry === undefined ? undefined : parseRegistry(a.registry);
        const target = registry
            ? {
                repositoryUrl: pulumi.output(registryRepository(registry, a.repositoryName)),
                repositoryArn: pulumi.output(undefined),
                // No `registry` for a local one: the provider then pushes as `docker push` would, with the host's (absent) credentials.
                credentials: needsCredentials(registry.kind) ? { server: registry.server, username: a.registryUsername, password: pulumi.secret(a.registryPassword!) } : undefined,
            }
            : this.ecrRepository(name, a);
        const imageName = pulumi.interpolate`${target.repositoryUrl}:${a.tag}`;
        const cacheTags = [a.tag, ...a.cacheFromTags];
        const image = new docker.Image(name, {
            imageName,
            build: {
                context: a.context,
                dockerfile: a.dockerfile,
                platform: a.platform,
                args: dockerBuildArgs(a.buildArgs),
                cacheFrom: { images: cacheTags.map((t) => pulumi.interpolate`${target.repositoryUrl}:${t}`) },
            },
            registry: target.credentials,
            skipPush: false,
        }, parent);

        this.imageRef = image.repoDigest;
        this.imageName = image.imageName;
        this.repositoryUrl = target.repositoryUrl;
        this.repositoryArn = target.repositoryArn;
        this.registerOutputs({ imageRef: this.imageRef, imageName: this.imageName, repositoryUrl: this.repositoryUrl, repositoryArn: this.repositoryArn });
    }

    /** The ECR repository, its lifecycle policy and push credentials from an ECR authorization token. */
    private ecrRepository(name: string, a: ReturnType<typeof parseImageArgs>) {
        const parent = { parent: this };

        const repository = new aws.ecr.Repository(name, {
            name: a.repositoryName,
            imageTagMutability: "IMMUTABLE",
            imageScanningConfiguration: { scanOnPush: true },
            encryptionConfigurations: [repositoryEncryption(a.kmsKeyArn)],
            forceDelete: false,
            tags: a.tags,
        }, parent);
        new aws.ecr.LifecyclePolicy(name, {
            repository: repository.name,
            policy: JSON.stringify(ecrLifecyclePolicy(a.keepTaggedImages, a.untaggedExpiryDays)),
        }, parent);

        const token = aws.ecr.getAuthorizationTokenOutput({ registryId: repository.registryId }, parent);
        return {
            repositoryUrl: repository.repositoryUrl,
            repositoryArn: repository.arn.apply((arn): string | undefined => arn),
            credentials: { server: repository.repositoryUrl.apply(registryHost), username: token.userName, password: pulumi.secret(token.password) },
        };
    }
}
