/** Pure derivations of an AgentImage: the ECR lifecycle policy, encryption, registry host and build args. */

/** Build-arg names that suggest a secret (build args are stored in the image history and in state). */
export const SECRET_LIKE_BUILD_ARG = /TOKEN|KEY|SECRET|PASSWORD|PASSWD|CREDENTIAL/i;

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

