import { inClusterDependsOnSchema } from "../shared/inCluster";
import * as pulumi from "@pulumi/pulumi";
import { ContextStoreMode, EvictionPolicy } from "../shared/constants";
import { AGENT_NAMESPACE } from "../shared/placement";
import { environmentName, input, int, logRetentionDays, matching, oneOf, tags, z } from "../shared/schema";
import { DNS_LABEL, SECRET_KEY } from "../shared/names";
import { AUTH_TOKEN_PATTERN, replicationGroupId } from "./spec";

const WEEKLY_WINDOW = /^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$/;
const DAILY_WINDOW = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/;

/** ContextStoreOptions: what a stack or AgentPlatform sets. */
export const contextStoreOptionsSchema = z.strictObject({
    mode: oneOf(ContextStoreMode).default(ContextStoreMode.ElastiCache).describe("`elasticache` (managed Valkey) or `in-cluster` (a Valkey StatefulSet, for dev)"),
    nodeType: matching(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, "an ElastiCache node type such as cache.t4g.small").default("cache.t4g.small").describe("ElastiCache node type"),
    replicas: int(0, 5).default(1).describe("Read replicas besides the primary (ElastiCache); any replica enables automatic failover"),
    multiAz: z.boolean().default(false).describe("Multi-AZ with automatic failover (needs at least one replica)"),
    snapshotRetentionDays: int(0, 35).default(0).describe("Days of automatic snapshots (0: none)"),
    snapshotWindow: matching(DAILY_WINDOW, "hh:mm-hh:mm (UTC)").default("03:00-04:00").describe("Daily snapshot window (UTC); must not overlap the maintenance window"),
    maintenanceWindow: matching(WEEKLY_WINDOW, "ddd:hh:mm-ddd:hh:mm (UTC)").default("sun:05:00-sun:06:00").describe("Weekly maintenance window (UTC)"),
    applyImmediately: z.boolean().default(false).describe("Apply ElastiCache changes now instead of in the maintenance window"),
    sessionTtlSeconds: int(60, 2592000).default(86400).describe("Seconds of inactivity after which a session's context expires (agents' SESSION_TTL_SECONDS)"),
    storageGiB: int(1, 1000).default(8).describe("PersistentVolume size of the in-cluster store, GiB"),
    maxmemoryPolicy: oneOf(EvictionPolicy).default(EvictionPolicy.VolatileLru)
        .describe("`maxmemory-policy`; `volatile-lru` evicts the idlest keys that carry a TTL (all agent keys do)"),
    logRetentionDays: logRetentionDays.default(30).describe("Days the ElastiCache slow and engine logs are kept"),
});

/** Multi-AZ failover needs a replica to fail over to. */
export function checkReplicas(c: { mode: string; multiAz: boolean; replicas: number }, ctx: z.RefinementCtx): void {
    if (c.mode === ContextStoreMode.ElastiCache && c.multiAz && c.replicas < 1) {
        ctx.addIssue({ code: "custom", path: ["replicas"], message: "at least 1 when multiAz is true (failover needs a replica)" });
    }
}

/** ContextStoreArgs. */
export const contextStoreArgsSchema = contextStoreOptionsSchema.extend({
    environment: environmentName,
    vpcId: input<string>().optional(),
    subnetIds: input<pulumi.Input<string>[]>().optional(),
    allowedSecurityGroupIds: z.array(input<string>()).default([]),
    authToken: input<string>().refine((t) => typeof t !== "string" || AUTH_TOKEN_PATTERN.test(t))
        .meta({ allowed: "16–128 characters of A–Z a–z 0–9 ! & # $ ^ < > -", secret: true }).optional(),
    authSecretName: matching(DNS_LABEL, "a Kubernetes Secret name").default("redis-auth"),
    authSecretKey: matching(SECRET_KEY, "a Secret key ([-._a-zA-Z0-9]+)").default("password"),
    kmsKeyArn: input<string>().optional(),
    namespace: matching(DNS_LABEL, "a DNS label").default(AGENT_NAMESPACE),
    inClusterDependsOn: inClusterDependsOnSchema,
    tags: tags.optional(),
}).superRefine((a, ctx) => {
    checkReplicas(a, ctx);
    if (a.mode !== ContextStoreMode.ElastiCache) return;
    const id = replicationGroupId(a.environment);
    if (!/^[a-z][a-z0-9-]{0,38}[a-z0-9]$/.test(id) || id.includes("--")) {
        ctx.addIssue({ code: "custom", path: ["environment"], message: `a name that makes a valid replication group id (${id}: letters, digits, single hyphens, ≤ 40 characters)` });
    }
    const missing = (key: string, what: string) => ctx.addIssue({ code: "custom", path: [key], message: `${what} (required with mode "elasticache")` });
    if (a.vpcId === undefined) missing("vpcId", "a VPC id");
    if (a.subnetIds === undefined) missing("subnetIds", "private subnet ids");
    if (a.allowedSecurityGroupIds.length === 0) missing("allowedSecurityGroupIds", "at least one security group");
    if (a.authToken === undefined) missing("authToken", "an AUTH token");
});
