/** IAM: no wildcard grants in identity policies; Pod Identity roles trust exactly one service account. */
import { describe, ResourceArgs, Rule, strings } from "./rule";
import { isUnknown, list, parseJson, record } from "./values";

/** An action that grants everything (`*`) or everything of a service (`s3:*`). */
export const WILDCARD_ACTION = /^([a-z0-9-]+:)?\*+$/i;

/** The EKS Pod Identity service principal. */
export const POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com";

/**
 * Session tags EKS Pod Identity sets on the role session, which a Pod Identity trust policy must match
 * with `StringEquals` (see `podIdentityTrustPolicy` in components/podIdentity/spec.ts).
 */
export const POD_IDENTITY_SESSION_TAGS = [
    "aws:RequestTag/eks-cluster-name",
    "aws:RequestTag/kubernetes-namespace",
    "aws:RequestTag/kubernetes-service-account",
] as const;

/** Statements of a policy document (a single statement or a list). */
function statementsOf(document: unknown): Record<string, unknown>[] {
    return list(record(document)?.Statement).map((s) => record(s) ?? {});
}

/** Wildcard-grant problems of one policy document (`where` names it in messages). */
export function wildcardGrants(where: string, document: unknown): string[] {
    const parsed = parseJson(document);
    if (!parsed.ok) return parsed.unknown ? [] : [`${where}: policy is not valid JSON (${parsed.error})`];
    return statementsOf(parsed.value).flatMap((statement, i) => {
        if (statement.Effect !== "Allow") return [];
        const label = `${where}: statement ${typeof statement.Sid === "string" ? statement.Sid : i}`;
        const problems = strings(statement.Action).filter((a) => WILDCARD_ACTION.test(a))
            .map((a) => `${label} allows Action "${a}"; list the actions the workload needs`);
        if (statement.NotAction !== undefined) problems.push(`${label} allows NotAction, which grants every other action; list the actions instead`);
        return problems;
    });
}

/** Checks the identity policy documents a resource carries (inline role policies included) for wildcard grants. */
export function checkNoWildcardActions(args: ResourceArgs): string[] {
    if (args.type === "aws:iam/role:Role") {
        const inline = args.props.inlinePolicies;
        if (isUnknown(inline)) return [];
        return list(inline).flatMap((p, i) => wildcardGrants(`${describe(args)} inline policy ${record(p)?.name ?? i}`, record(p)?.policy));
    }
    return wildcardGrants(describe(args), args.props.policy);
}

/** Checks that a role trusted by EKS Pod Identity is scoped to one cluster, namespace and service account. */
export function checkPodIdentityTrust(args: ResourceArgs): string[] {
    const parsed = parseJson(args.props.assumeRolePolicy);
    if (!parsed.ok) return parsed.unknown ? [] : [`${describe(args)}: assumeRolePolicy is not valid JSON (${parsed.error})`];
    return statementsOf(parsed.value).flatMap((statement, i) => {
        const services = strings(record(statement.Principal)?.Service);
        if (statement.Effect !== "Allow" || !services.includes(POD_IDENTITY_PRINCIPAL)) return [];
        const label = `${describe(args)}: trust statement ${typeof statement.Sid === "string" ? statement.Sid : i} for ${POD_IDENTITY_PRINCIPAL}`;
        const problems: string[] = [];
        const actions = strings(statement.Action);
        for (const needed of ["sts:AssumeRole", "sts:TagSession"]) {
            if (!actions.includes(needed)) problems.push(`${label} must allow ${needed}`);
        }
        const equals = record(record(statement.Condition)?.StringEquals) ?? {};
        for (const tag of POD_IDENTITY_SESSION_TAGS) {
            const value = equals[tag];
            if (isUnknown(value)) continue;
            if (typeof value !== "string" || value === "" || value.includes("*") || value.includes("?")) {
                problems.push(`${label} must have Condition StringEquals "${tag}" set to one value (got ${JSON.stringify(value ?? null)}), or any pod identity association in the account can assume the role`);
            }
        }
        return problems;
    });
}

/** Rule: identity policies never allow `*` or `service:*`. */
export const iamNoWildcardActions: Rule = {
    name: "iam-no-wildcard-actions",
    description: "IAM policy documents (managed, inline, role/user/group policies) must not Allow Action \"*\" or \"service:*\" (nor NotAction): "
        + "agents run model-chosen tool calls, so every role grants the listed actions it needs and nothing else.",
    enforcementLevel: "mandatory",
    resourceTypes: ["aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy", "aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy", "aws:iam/role:Role"],
    check: checkNoWildcardActions,
};

/** Rule: Pod Identity trust policies check the cluster/namespace/service-account session tags. */
export const iamPodIdentityTrust: Rule = {
    name: "iam-pod-identity-trust",
    description: `A role that trusts ${POD_IDENTITY_PRINCIPAL} must allow sts:AssumeRole and sts:TagSession and match the session tags `
        + `${POD_IDENTITY_SESSION_TAGS.join(", ")} with StringEquals: without them any Pod Identity association in the account `
        + "(another cluster, namespace or service account) can borrow the role.",
    enforcementLevel: "mandatory",
    resourceTypes: ["aws:iam/role:Role"],
    check: checkPodIdentityTrust,
};
