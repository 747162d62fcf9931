/** EKS control plane and node instances: secrets encryption, audit logs, API authentication, IMDSv2. */
import { describe, ResourceArgs, Rule, strings } from "./rule";
import { at, isSet, isUnknown } from "./values";

/** Every EKS control-plane log type. */
export const EKS_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

/** Checks that Kubernetes Secrets are envelope-encrypted with a KMS key. */
export function checkClusterSecretsEncryption(args: ResourceArgs): string[] {
    const config = args.props.encryptionConfig;
    if (isUnknown(config)) return [];
    const resources = at(config, "resources");
    const problems: string[] = [];
    if (!isUnknown(resources) && !strings(resources).includes("secrets")) problems.push(`${describe(args)}: encryptionConfig.resources must include "secrets"`);
    if (!isSet(at(config, "provider", "keyArn"))) problems.push(`${describe(args)}: encryptionConfig.provider.keyArn must name a KMS key`);
    return problems;
}

/** Checks that all five control-plane log types go to CloudWatch. */
export function checkClusterLogs(args: ResourceArgs): string[] {
    const enabled = args.props.enabledClusterLogTypes;
    if (isUnknown(enabled)) return [];
    const missing = EKS_LOG_TYPES.filter((t) => !strings(enabled).includes(t));
    return missing.length ? [`${describe(args)}: enabledClusterLogTypes is missing ${missing.join(", ")}`] : [];
}

/** Checks that cluster access is managed by access entries only (`authenticationMode: API`). */
export function checkClusterAuthentication(args: ResourceArgs): string[] {
    const mode = at(args.props, "accessConfig", "authenticationMode");
    if (isUnknown(mode) || mode === "API") return [];
    return [`${describe(args)}: accessConfig.authenticationMode must be "API" (got ${JSON.stringify(mode ?? null)}); the aws-auth ConfigMap is not used`];
}

/** Checks that instances launched from a template or as an instance require IMDSv2 session tokens. */
export function checkImdsV2(args: ResourceArgs): string[] {
    const tokens = at(args.props, "metadataOptions", "httpTokens");
    if (isUnknown(tokens) || tokens === "required") return [];
    return [`${describe(args)}: metadataOptions.httpTokens must be "required" (IMDSv2; got ${JSON.stringify(tokens ?? null)})`];
}

const CLUSTER = ["aws:eks/cluster:Cluster"];

/** Rule: EKS Secrets are encrypted with KMS. */
export const eksSecretsEncryption: Rule = {
    name: "eks-secrets-encryption",
    description: "EKS clusters must envelope-encrypt Kubernetes Secrets with a KMS key (encryptionConfig with resources [\"secrets\"]): "
        + "the LLM keys and Redis auth token that ESO syncs live in Secrets.",
    enforcementLevel: "mandatory",
    resourceTypes: CLUSTER,
    check: checkClusterSecretsEncryption,
};

/** Rule: EKS sends every control-plane log type. */
export const eksControlPlaneLogs: Rule = {
    name: "eks-control-plane-logs",
    description: `EKS clusters must enable every control-plane log type (${EKS_LOG_TYPES.join(", ")}): the audit trail of who changed what in the cluster.`,
    enforcementLevel: "mandatory",
    resourceTypes: CLUSTER,
    check: checkClusterLogs,
};

/** Rule: EKS uses access entries (API mode). */
export const eksApiAuthentication: Rule = {
    name: "eks-api-authentication",
    description: "EKS clusters must use accessConfig.authenticationMode \"API\": access is granted by access entries that are AWS resources "
        + "(reviewable, in state), not by an aws-auth ConfigMap that one bad edit can break.",
    enforcementLevel: "mandatory",
    resourceTypes: CLUSTER,
    check: checkClusterAuthentication,
};

/** Rule: nodes require IMDSv2. */
export const ec2ImdsV2: Rule = {
    name: "ec2-imdsv2",
    description: "Launch templates (and instances) must set metadataOptions.httpTokens \"required\": IMDSv1 lets an SSRF in any pod "
        + "read the node role's credentials.",
    enforcementLevel: "mandatory",
    resourceTypes: ["aws:ec2/launchTemplate:LaunchTemplate", "aws:ec2/instance:Instance"],
    check: checkImdsV2,
};
