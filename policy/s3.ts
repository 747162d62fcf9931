/** S3: no public access, server-side encryption with KMS. */
import { describe, ResourceArgs, Rule } from "./rule";
import { at, isUnknown, list, record } from "./values";

/** The four switches of a bucket public access block. */
export const PUBLIC_ACCESS_BLOCK_FIELDS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

/** SSE algorithms that use AWS KMS keys. */
export const KMS_SSE_ALGORITHMS = ["aws:kms", "aws:kms:dsse"] as const;

/** Checks that a bucket public access block turns on all four switches. */
export function checkPublicAccessBlock(args: ResourceArgs): string[] {
    return PUBLIC_ACCESS_BLOCK_FIELDS
        .filter((field) => args.props[field] !== true && !isUnknown(args.props[field]))
        .map((field) => `${describe(args)}: ${field} must be true (got ${JSON.stringify(args.props[field] ?? null)})`);
}

/**
 * Suffix of the Pulumi name that marks a bucket (and its encryption resource) as an S3 server access log
 * destination. S3 delivers server access logs only to buckets whose default encryption is SSE-S3
 * (AES256): SSE-KMS there silently stops log delivery, so such a bucket must use AES256 instead.
 */
export const ACCESS_LOG_BUCKET_SUFFIX = "-access-logs";

/** True when the resource is the encryption of a server access log destination (by its Pulumi name). */
export function isAccessLogDestination(args: ResourceArgs): boolean {
    return typeof args.name === "string" && args.name.endsWith(ACCESS_LOG_BUCKET_SUFFIX);
}

/**
 * Checks that every default-encryption rule of a bucket uses KMS (separate resource, or a bucket's
 * inline configuration) — or, for a server access log destination, SSE-S3, the only one log delivery accepts.
 */
export function checkBucketKmsEncryption(args: ResourceArgs): string[] {
    const rules = args.type === "aws:s3/bucket:Bucket"
        ? list(at(args.props, "serverSideEncryptionConfiguration", "rule"))
        : list(args.props.rules);
    if (args.type === "aws:s3/bucket:Bucket" && rules.length === 0) return []; // inline configuration not used: see the separate resource
    if (isUnknown(args.props.rules)) return [];
    if (rules.length === 0) return [`${describe(args)}: has no encryption rule`];
    const accessLogs = isAccessLogDestination(args);
    return rules.flatMap((rule, i) => {
        const algorithm = at(record(rule), "applyServerSideEncryptionByDefault", "sseAlgorithm");
        if (isUnknown(algorithm) || isUnknown(rule)) return [];
        if (accessLogs) {
            return algorithm === "AES256" ? [] : [`${describe(args)}: rule ${i} encrypts with ${JSON.stringify(algorithm ?? null)}; a server access log destination must use "AES256" (S3 does not deliver access logs to SSE-KMS buckets)`];
        }
        if ((KMS_SSE_ALGORITHMS as readonly unknown[]).includes(algorithm)) return [];
        return [`${describe(args)}: rule ${i} encrypts with ${JSON.stringify(algorithm ?? null)}; use sseAlgorithm "aws:kms" with a customer-managed key`];
    });
}

/** Rule: bucket public access blocks block all four kinds of public access. */
export const s3PublicAccessBlock: Rule = {
    name: "s3-public-access-block",
    description: "S3 public access blocks must set blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets: "
        + "platform buckets (traces) hold data that must never become public through an ACL or a bucket policy.",
    enforcementLevel: "mandatory",
    resourceTypes: ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"],
    check: checkPublicAccessBlock,
};

/** Rule: bucket default encryption uses KMS. */
export const s3KmsEncryption: Rule = {
    name: "s3-sse-kms",
    description: "S3 default encryption must use aws:kms: a KMS key gives key policies, rotation and CloudTrail records of every "
        + "decryption, which SSE-S3 (AES256) does not. The one exemption: a server access log destination (Pulumi name ending "
        + `in "${ACCESS_LOG_BUCKET_SUFFIX}") must use AES256, because S3 delivers server access logs to no other encryption.`,
    enforcementLevel: "mandatory",
    resourceTypes: [
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
        "aws:s3/bucket:Bucket",
    ],
    check: checkBucketKmsEncryption,
};
