import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { parseArgs } from "../shared/schema";
import { podIdentityRoleArgsSchema } from "./args";
import { podIdentityTrustPolicy } from "./spec";

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
        const a = parseArgs("PodIdentityRole", podIdentityRoleArgsSchema, args); // before super: invalid arguments register nothing
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
        a.managedPolicyArns.forEach((policyArn, i) => {
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
