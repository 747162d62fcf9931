/** ElastiCache: agent context (conversation history) is encrypted in transit and at rest and needs a password. */
import { describe, ResourceArgs, Rule } from "./rule";
import { isSet, isUnknown } from "./values";

/** Checks transit encryption (required, not "preferred"), at-rest encryption and an auth token. */
export function checkReplicationGroupEncryption(args: ResourceArgs): string[] {
    const p = args.props;
    const problems: string[] = [];
    if (p.transitEncryptionEnabled !== true && !isUnknown(p.transitEncryptionEnabled)) problems.push("transitEncryptionEnabled must be true");
    if (p.transitEncryptionMode !== undefined && p.transitEncryptionMode !== "required" && !isUnknown(p.transitEncryptionMode)) {
        problems.push(`transitEncryptionMode must be "required" (got ${JSON.stringify(p.transitEncryptionMode)}): "preferred" still accepts plaintext clients`);
    }
    if (p.atRestEncryptionEnabled !== true && !isUnknown(p.atRestEncryptionEnabled)) problems.push("atRestEncryptionEnabled must be true");
    if (!isSet(p.authToken)) problems.push("authToken must be set (clients authenticate with AUTH)");
    return problems.map((m) => `${describe(args)}: ${m}`);
}

/** Rule: replication groups encrypt in transit and at rest and require AUTH. */
export const elasticacheEncryption: Rule = {
    name: "elasticache-encryption",
    description: "ElastiCache replication groups must enable transit encryption (mode required), at-rest encryption and an auth token: "
        + "they hold agents' conversation context, which is user data.",
    enforcementLevel: "mandatory",
    resourceTypes: ["aws:elasticache/replicationGroup:ReplicationGroup"],
    check: checkReplicationGroupEncryption,
};
