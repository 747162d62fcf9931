import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

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

export interface PodIdentityRoleArgs {
    /** EKS cluster the association belongs to. Required. */
    clusterName: pulumi.Input<string>;
    /** Namespace of the service account. Required. */
    namespace: pulumi.Input<string>;
    /** Service account whose pods get the role. Required. */
    serviceAccount: pulumi.Input<string>;
    /** Inline permissions as a JSON policy document (build it with `policyDocument` + `pulumi.jsonStringify`). Default: none. */
    policy?: pulumi.Input<string>;
    /** AWS managed policy ARNs to attach. Default: none. */
    managedPolicyArns?: pulumi.Input<string>[];
    /** Tags of the role. Default: none. */
    tags?: Record<string, string>;
}

/**
 * An IAM role for the pods of one service account, through EKS Pod Identity: the role (trust
 * `pods.eks.amazonaws.com`, `sts:AssumeRole` + `sts:TagSession`), its permissions and the
 * `aws.eks.PodIdentityAssociation`. Every component whose pods call AWS uses it.
 */
export class PodIdentityRole extends pulumi.ComponentResource {
    /** The IAM role. */
    public readonly role: aws.iam.Role;
    /** ARN of the IAM role. */
    public readonly roleArn: pulumi.Output<string>;
    /** Id of the Pod Identity association. */
    public readonly associationId: pulumi.Output<string>;

    constructor(name: string, args: PodIdentityRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("agent-platform:index:PodIdentityRole", name, {}, opts);
        const parent = { parent: this };
        this.role = new aws.iam.Role(name, {
            assumeRolePolicy: pulumi.jsonStringify(pulumi.all([args.clusterName, args.namespace, args.serviceAccount])
                .apply(([clusterName, namespace, serviceAccount]) => podIdentityTrustPolicy({ clusterName, namespace, serviceAccount }))),
            description: pulumi.interpolate`Pod Identity role of ${args.namespace}/${args.serviceAccount}`,
            tags: args.tags,
        }, parent);
        if (args.policy !== undefined) {
            new aws.iam.RolePolicy(name, { role: this.role.id, policy: args.policy }, parent);
        }
        (args.managedPolicyArns ?? []).forEach((policyArn, i) => {
            new aws.iam.RolePolicyAttachment(`${name}-${i}`, { role: this.role.name, policyArn }, parent);
        });
        const association = new aws.eks.PodIdentityAssociation(name, {
            clusterName: args.clusterName,
            namespace: args.namespace,
            serviceAccount: args.serviceAccount,
            roleArn: this.role.arn,
            tags: args.tags,
        }, parent);
        this.roleArn = this.role.arn;
        this.associationId = association.id;
        this.registerOutputs({ roleArn: this.roleArn, associationId: this.associationId });
    }
}
