import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ContextStoreMode } from "../shared/constants";
import { InClusterDependencies } from "../shared/inCluster";
import { parseArgs } from "../shared/schema";
import { ELASTICACHE_VALKEY } from "../shared/versions";
import { contextStoreArgsSchema } from "./args";
import { createInClusterValkey, inClusterHost, REDIS_PORT } from "./inClusterValkey";
import { CACHE_LOG_TYPES, cacheLogGroupName, contextStoreUrl, replicationGroupId, replicationSettings, valkeyParameters } from "./spec";

/** ContextStore settings that do not depend on the network, the cluster or the secrets (what AgentPlatform takes). */
export interface ContextStoreOptions {
    /** "elasticache" (managed Valkey, TLS, auth token) or "in-cluster" (a Valkey StatefulSet, for dev) — ContextStoreMode. Default: "elasticache". */
    mode?: string;
    /** ElastiCache node type. Default: "cache.t4g.small". */
    nodeType?: string;
    /** Read replicas besides the primary (0–5); any replica enables automatic failover. Default: 1. */
    replicas?: number;
    /** Spread primary and replicas over AZs with automatic failover (needs at least one replica). Default: false. */
    multiAz?: boolean;
    /** Days of automatic snapshots (0–35; 0: none). Default: 0. */
    snapshotRetentionDays?: number;
    /** Daily snapshot window, UTC `hh:mm-hh:mm`. Default: "03:00-04:00". */
    snapshotWindow?: string;
    /** Weekly maintenance window, UTC `ddd:hh:mm-ddd:hh:mm`. Default: "sun:05:00-sun:06:00". */
    maintenanceWindow?: string;
    /** Apply modifications now instead of in the maintenance window. Default: false. */
    applyImmediately?: boolean;
    /** Default session TTL, seconds, that agents apply to context keys (60–2 592 000). Default: 86400. */
    sessionTtlSeconds?: number;
    /** PersistentVolume size of the in-cluster store, GiB (1–1000). Default: 8. */
    storageGiB?: number;
    /** `maxmemory-policy` (EvictionPolicy). Default: "volatile-lru" (keys carry TTLs). */
    maxmemoryPolicy?: string;
    /** Days the ElastiCache slow log and engine log are kept in CloudWatch Logs (a CloudWatch Logs retention period). Default: 30. */
    logRetentionDays?: number;
}

export interface ContextStoreArgs extends ContextStoreOptions {
    /** Environment name: names the replication group (`agents-<environment>-context`) and tags. Required. */
    environment: string;
    /** VPC of the cache's security group. Required for "elasticache". */
    vpcId?: pulumi.Input<string>;
    /** Private subnets of the cache's subnet group. Required for "elasticache". */
    subnetIds?: pulumi.Input<pulumi.Input<string>[]>;
    /** Security groups admitted on 6379 (the EKS cluster security group every node and pod carries). Required (at least one) for "elasticache". */
    allowedSecurityGroupIds?: pulumi.Input<string>[];
    /** AUTH token (a secret; AgentSecrets' `redis-auth`). 16–128 chars of `[A-Za-z0-9!&#$^<>-]`. Required for "elasticache". */
    authToken?: pulumi.Input<string>;
    /** Kubernetes Secret (created by ESO in `namespace`) that holds the password. Default: "redis-auth". */
    authSecretName?: string;
    /** Key of the password in that Secret. Default: "password". */
    authSecretKey?: string;
    /** KMS key for encryption at rest. Default: a new key (rotation on) for this store. */
    kmsKeyArn?: pulumi.Input<string>;
    /** Namespace of the agents (where the Secret lives; the in-cluster store runs there). Default: "agents". */
    namespace?: string;
    /** Tags of the AWS resources. Default: none. */
    tags?: Record<string, string>;
    /**
     * What the in-cluster store's Kubernetes objects wait for: `namespaces` (its namespace); before the
     * StatefulSet also `pods` (nodes, storage) and `secrets` (the password's Secret). Default: none.
     * Unused by ElastiCache.
     */
    inClusterDependsOn?: InClusterDependencies;
}

/** Validates ContextStoreArgs and applies their defaults; throws `InputPropertiesError` naming each bad argument (never the AUTH token). */
export function parseContextStoreArgs(args: ContextStoreArgs) {
    return parseArgs("ContextStore", contextStoreArgsSchema, args);
}

type ParsedContextStoreArgs = ReturnType<typeof parseContextStoreArgs>;

/**
 * Redis-protocol store for agent context, either an ElastiCache Valkey replication group (TLS in
 * transit, KMS at rest, AUTH token, a security group that admits 6379 only from the cluster, multi-AZ
 * failover and snapshots when configured) or an in-cluster Valkey StatefulSet for cheap dev stacks.
 * Agents consume the same outputs either way.
 */
export class ContextStore extends pulumi.ComponentResource {
    /** Which option runs: "elasticache" or "in-cluster". */
    public readonly mode: pulumi.Output<string>;
    /** Host agents connect to (the primary endpoint, or the in-cluster Service). */
    public readonly host: pulumi.Output<string>;
    /** Host of the reader endpoint (the primary's host for the in-cluster store). */
    public readonly readerHost: pulumi.Output<string>;
    /** Port (6379). */
    public readonly port: pulumi.Output<number>;
    /** Whether clients must use TLS (`rediss://`). */
    public readonly tls: pulumi.Output<boolean>;
    /** Kubernetes Secret (in the agents' namespace) holding the password. */
    public readonly passwordSecretName: pulumi.Output<string>;
    /** Key of the password in that Secret. */
    public readonly passwordSecretKey: pulumi.Output<string>;
    /** Default session TTL, seconds, agents apply to context keys. */
    public readonly sessionTtlSeconds: pulumi.Output<number>;
    /** Connection URL without the password (`rediss://host:6379` or `redis://host:6379`). */
    public readonly url: pulumi.Output<string>;
    /** Security group of the cache (undefined output for the in-cluster store). */
    public readonly securityGroupId: pulumi.Output<string | undefined>;
    /** ElastiCache cluster id of every node (primary and replicas), sorted: the `CacheClusterId` of its CloudWatch metrics. Empty for the in-cluster store. */
    public readonly cacheClusterIds: pulumi.Output<string[]>;

    constructor(name: string, args: ContextStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        const a = parseContextStoreArgs(args); // before super: invalid arguments register nothing
        super("agent-platform:index:ContextStore", name, {}, opts);
        const { mode, namespace, authSecretName: secretName, authSecretKey: secretKey } = a;

        let endpoint: { host: pulumi.Output<string>; readerHost: pulumi.Output<string>; tls: boolean; securityGroupId: pulumi.Output<string | undefined>; cacheClusterIds: pulumi.Output<string[]> };
        if (mode === ContextStoreMode.InCluster) {
            createInClusterValkey(name, {
                namespace, passwordSecretName: secretName, passwordSecretKey: secretKey,
                storageGiB: a.storageGiB, maxmemoryPolicy: a.maxmemoryPolicy,
            }, this, a.inClusterDependsOn);
            const host = pulumi.output(inClusterHost(namespace));
            endpoint = { host, readerHost: host, tls: false, securityGroupId: pulumi.output(undefined), cacheClusterIds: pulumi.output([]) };
        } else {
            endpoint = this.createElastiCache(name, a);
        }

        this.mode = pulumi.output(mode);
        this.host = endpoint.host;
        this.readerHost = endpoint.readerHost;
        this.port = pulumi.output(REDIS_PORT);
        this.tls = pulumi.output(endpoint.tls);
        this.passwordSecretName = pulumi.output(secretName);
        this.passwordSecretKey = pulumi.output(secretKey);
        this.sessionTtlSeconds = pulumi.output(a.sessionTtlSeconds);
        this.url = endpoint.host.apply((h) => contextStoreUrl(h, REDIS_PORT, endpoint.tls));
        this.securityGroupId = endpoint.securityGroupId;
        this.cacheClusterIds = endpoint.cacheClusterIds;
        this.registerOutputs({
            mode: this.mode, host: this.host, readerHost: this.readerHost, port: this.port, tls: this.tls,
            passwordSecretName: this.passwordSecretName, passwordSecretKey: this.passwordSecretKey,
            sessionTtlSeconds: this.sessionTtlSeconds, url: this.url, securityGroupId: this.securityGroupId, cacheClusterIds: this.cacheClusterIds,
        });
    }

    private createElastiCache(name: string, args: ParsedContextStoreArgs) {
        const parent = { parent: this };
        const id = replicationGroupId(args.environment);
        const tags = { ...args.tags, Name: id };

        const sg = new aws.ec2.SecurityGroup(`${name}-cache`, {
            vpcId: args.vpcId as pulumi.Input<string>,
            description: `Valkey ${id}: 6379 from the EKS cluster only`,
            tags,
        }, parent);
        args.allowedSecurityGroupIds.forEach((source, i) => {
            new aws.vpc.SecurityGroupIngressRule(`${name}-cache-from-${i}`, {
                securityGroupId: sg.id,
                referencedSecurityGroupId: source,
                ipProtocol: "tcp",
                fromPort: REDIS_PORT,
                toPort: REDIS_PORT,
                description: "Valkey from the EKS cluster (nodes and pods)",
                tags,
            }, parent);
        });
        const subnets = new aws.elasticache.SubnetGroup(`${name}-cache`, {
            name: id,
            description: `Private subnets of ${id}`,
            subnetIds: args.subnetIds as pulumi.Input<pulumi.Input<string>[]>,
            tags,
        }, parent);
        const parameters = new aws.elasticache.ParameterGroup(`${name}-cache`, {
            name: `${id}-${ELASTICACHE_VALKEY.parameterGroupFamily}`,
            family: ELASTICACHE_VALKEY.parameterGroupFamily,
            description: `Agent context: ${args.maxmemoryPolicy} eviction (keys carry TTLs)`,
            parameters: valkeyParameters(args.maxmemoryPolicy),
            tags,
        }, parent);
        let kmsKeyArn = args.kmsKeyArn;
        if (kmsKeyArn === undefined) {
            const key = new aws.kms.Key(`${name}-cache`, {
                description: `Encryption at rest of ${id}`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                tags,
            }, parent);
            new aws.kms.Alias(`${name}-cache`, { name: `alias/${id}`, targetKeyId: key.keyId }, parent);
            kmsKeyArn = key.arn;
        }
        const logGroups = CACHE_LOG_TYPES.map((logType) => ({
            logType,
            group: new aws.cloudwatch.LogGroup(`${name}-cache-${logType}`, {
                name: cacheLogGroupName(id, logType),
                retentionInDays: args.logRetentionDays,
                tags,
            }, parent),
        }));
        const settings = replicationSettings(args);
        // Final snapshot names must be unique in the account: a suffix drawn once per stack lets the
        // same stack be destroyed and created again without "snapshot already exists".
        const finalSnapshotSuffix = settings.snapshotRetentionLimit > 0 ? new random.RandomId(`${name}-final-snapshot`, { byteLength: 4 }, parent) : undefined;
        const group = new aws.elasticache.ReplicationGroup(`${name}-cache`, {
            replicationGroupId: id,
            description: `Agent context store (${args.environment})`,
            engine: ELASTICACHE_VALKEY.engine,
            engineVersion: ELASTICACHE_VALKEY.engineVersion,
            nodeType: args.nodeType,
            port: REDIS_PORT,
            parameterGroupName: parameters.name,
            subnetGroupName: subnets.name,
            securityGroupIds: [sg.id],
            transitEncryptionEnabled: true,
            transitEncryptionMode: "required",
            atRestEncryptionEnabled: true,
            kmsKeyId: kmsKeyArn,
            authToken: pulumi.secret(args.authToken as pulumi.Input<string>),
            // ROTATE keeps the old token valid next to the new one, so pods restarted by the secret change reconnect without an outage.
            authTokenUpdateStrategy: "ROTATE",
            autoMinorVersionUpgrade: true,
            applyImmediately: args.applyImmediately,
            logDeliveryConfigurations: logGroups.map(({ logType, group: logGroup }) => ({
                destination: logGroup.name, destinationType: "cloudwatch-logs", logFormat: "json", logType,
            })),
            ...settings,
            ...(finalSnapshotSuffix ? { finalSnapshotIdentifier: pulumi.interpolate`${id}-final-${finalSnapshotSuffix.hex}` } : {}),
            tags,
        }, { parent: this, additionalSecretOutputs: ["authToken"] });

        return {
            host: group.primaryEndpointAddress,
            readerHost: group.readerEndpointAddress,
            tls: true,
            securityGroupId: sg.id.apply((v): string | undefined => v),
            cacheClusterIds: group.memberClusters.apply((ids) => [...(ids ?? [])].sort()),
        };
    }
}
