/** Pure derivations of Pod Identity: IAM policy documents, the trust policy of a Pod Identity role, the agent's address. */

/** An IAM policy statement as plain JSON (what the IAM API stores). */
export interface PolicyStatement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Principal?: Record<string, string | string[]>;
    Action: string | string[];
    Resource: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
}

/**
 * Address of the EKS Pod Identity agent on every node: pods fetch their credentials from it over
 * HTTP (port 80), so a default-deny NetworkPolicy must allow it for pods that call AWS.
 */
export const POD_IDENTITY_AGENT_CIDR = "169.254.170.23/32";
/** Port of the EKS Pod Identity agent. */
export const POD_IDENTITY_AGENT_PORT = 80;

/** An IAM policy document around `statements`. */
export function policyDocument(statements: PolicyStatement[]) {
    return { Version: "2012-10-17", Statement: statements };
}

/**
 * A role trust policy for one AWS service. Trust policies carry no `Resource` element (IAM rejects one as
 * a prohibited field), so they are built here rather than with `policyDocument`. `actions` is written as
 * given: one action as a string, several as a list.
 */
export function serviceTrustPolicy(service: string, actions: string | string[]) {
    return { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: actions }] };
}

/**
 * The statement that refuses every request to `resource` not made over TLS (`aws:SecureTransport`
 * false). A Deny on the service's `<service>:*` is the documented pattern for this guard; it grants nothing.
 */
export function denyInsecureTransport(action: string, resource: string | string[]): PolicyStatement {
    return {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: action,
        Resource: resource,
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
}

/** Who may use a Pod Identity role: one service account of one cluster. */
export interface PodIdentityScope {
    clusterName: string;
    namespace: string;
    serviceAccount: string;
}

/**
 * Trust policy of a Pod Identity role: the EKS Pod Identity service may assume it and tag the session,
 * only for `scope` — EKS sets the cluster, namespace and service account as session tags, and the
 * condition checks them, so no other association in the account (another cluster, namespace or
 * service account) can borrow the role.
 */
export function podIdentityTrustPolicy(scope: PodIdentityScope) {
    // No `Resource` element: IAM rejects a trust policy that has one ("Has prohibited field Resource").
    return {
        Version: "2012-10-17",
        Statement: [{
            Effect: "Allow",
            Principal: { Service: "pods.eks.amazonaws.com" },
            Action: ["sts:AssumeRole", "sts:TagSession"],
            Condition: {
                StringEquals: {
                    "aws:RequestTag/eks-cluster-name": scope.clusterName,
                    "aws:RequestTag/kubernetes-namespace": scope.namespace,
                    "aws:RequestTag/kubernetes-service-account": scope.serviceAccount,
                },
            },
        }],
    };
}
