/** Pure derivations of a ContextStore: its URL, replication group id and settings, parameters, log groups. */

/**
 * ElastiCache AUTH token rule (ElastiCache user guide, "Authenticating with the Valkey and Redis OSS
 * AUTH command"): 16–128 printable ASCII characters; the only special characters allowed are
 * `! & # $ ^ < > -`.
 */
export const AUTH_TOKEN_PATTERN = /^[A-Za-z0-9!&#$^<>-]{16,128}$/;

/** Connection URL without credentials: `rediss://` with TLS, `redis://` without. */
export function contextStoreUrl(host: string, port: number, tls: boolean): string {
    return `${tls ? "rediss" : "redis"}://${host}:${port}`;
}

/** Replication group id of an environment (≤ 40 characters, the ElastiCache limit). */
export function replicationGroupId(environment: string): string {
    return `agents-${environment}-context`;
}

/** Parameters of the store's parameter group. */
export function valkeyParameters(maxmemoryPolicy: string): { name: string; value: string }[] {
    return [{ name: "maxmemory-policy", value: maxmemoryPolicy }];
}

/** The ContextStore settings that decide availability and backups. */
export interface ReplicationOptions {
    /** Read replicas besides the primary. */
    replicas: number;
    /** Multi-AZ placement. */
    multiAz: boolean;
    /** Days of snapshots. */
    snapshotRetentionDays: number;
    /** Daily snapshot window. */
    snapshotWindow: string;
    /** Weekly maintenance window. */
    maintenanceWindow: string;
}

/** Log types ElastiCache delivers to CloudWatch Logs (JSON): slow commands and engine events. */
export const CACHE_LOG_TYPES = ["slow-log", "engine-log"] as const;

/** Log group name of one log type of a replication group. */
export function cacheLogGroupName(groupId: string, logType: string): string {
    return `/aws/elasticache/${groupId}/${logType}`;
}

/**
 * Availability settings of the replication group: one primary plus `replicas`; automatic failover
 * whenever there is a replica; multi-AZ when asked (prod); snapshots and their window only when
 * retention is on.
 */
export function replicationSettings(args: ReplicationOptions) {
    const replicas = args.replicas;
    const retention = args.snapshotRetentionDays;
    return {
        numCacheClusters: 1 + replicas,
        automaticFailoverEnabled: replicas >= 1,
        multiAzEnabled: args.multiAz && replicas >= 1,
        snapshotRetentionLimit: retention,
        ...(retention > 0 ? { snapshotWindow: args.snapshotWindow } : {}),
        maintenanceWindow: args.maintenanceWindow,
    };
}

