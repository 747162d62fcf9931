import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    ACCESS_LOG_PREFIX, ACCESS_LOG_SUFFIX, accessLogBucketPolicy, accessLogLifecycleRules, traceBucketLifecycleRules, traceBucketTlsPolicy,
} from "./values";

/** What the trace bucket depends on. */
export interface TraceBucketArgs {
    environment: string;
    retentionDays: number;
    accessLogRetentionDays: number;
    tags: Record<string, string>;
}

/** A bucket's ownership, public access block and (for `ready`) what must exist before it is used. */
function lockDown(name: string, bucket: aws.s3.Bucket, parent: pulumi.Resource) {
    const ownership = new aws.s3.BucketOwnershipControls(name, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, { parent });
    const publicAccess = new aws.s3.BucketPublicAccessBlock(name, {
        bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
    }, { parent });
    return { ownership, publicAccess };
}

/**
 * The trace bucket — SSE-KMS with its own key, public access blocked, TLS only, expiring with the
 * retention — and its server access logs, delivered by S3 to a bucket of their own: SSE-S3 (the only
 * default encryption server access logging accepts), public access blocked, TLS only, written only by
 * the S3 logging service on behalf of the trace bucket, expiring after `accessLogRetentionDays`.
 * Created under `parent` (the Tracing component).
 */
export function createTraceBucket(name: string, args: TraceBucketArgs, parent: pulumi.Resource) {
    const opts = { parent };
    const key = new aws.kms.Key(`${name}-traces`, {
        description: `Encrypts the ${args.environment} trace bucket`,
        enableKeyRotation: true,
        deletionWindowInDays: 7,
        tags: args.tags,
    }, opts);
    // Traces and their access logs are telemetry with a retention: a stack destroy may empty the buckets.
    const bucket = new aws.s3.Bucket(`${name}-traces`, { forceDestroy: true, tags: args.tags }, opts);
    const traces = lockDown(`${name}-traces`, bucket, parent);
    const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-traces`, {
        bucket: bucket.id,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }],
    }, opts);
    const lifecycle = new aws.s3.BucketLifecycleConfiguration(`${name}-traces`, {
        bucket: bucket.id, rules: traceBucketLifecycleRules(args.retentionDays),
    }, opts);
    const policy = new aws.s3.BucketPolicy(`${name}-traces`, {
        bucket: bucket.id, policy: pulumi.jsonStringify(bucket.arn.apply(traceBucketTlsPolicy)),
    }, { parent, dependsOn: [traces.publicAccess] });

    const logName = `${name}${ACCESS_LOG_SUFFIX}`;
    const logs = new aws.s3.Bucket(logName, { forceDestroy: true, tags: args.tags }, opts);
    const logLock = lockDown(logName, logs, parent);
    const logEncryption = new aws.s3.BucketServerSideEncryptionConfiguration(logName, {
        bucket: logs.id,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    }, opts);
    new aws.s3.BucketLifecycleConfiguration(logName, { bucket: logs.id, rules: accessLogLifecycleRules(args.accessLogRetentionDays) }, opts);
    const accountId = aws.getCallerIdentityOutput({}, opts).accountId;
    const logPolicy = new aws.s3.BucketPolicy(logName, {
        bucket: logs.id,
        policy: pulumi.jsonStringify(pulumi.all([logs.arn, bucket.arn, accountId]).apply(([l, t, acct]) => accessLogBucketPolicy(l, t, acct))),
    }, { parent, dependsOn: [logLock.publicAccess] });
    const logging = new aws.s3.BucketLogging(`${name}-traces`, {
        bucket: bucket.id, targetBucket: logs.id, targetPrefix: ACCESS_LOG_PREFIX,
    }, { parent, dependsOn: [logPolicy, logEncryption, logLock.ownership] });

    return { bucket, key, logBucket: logs, ready: [traces.ownership, traces.publicAccess, encryption, lifecycle, policy, logging] };
}
