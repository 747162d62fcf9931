/** Every rule of the agent-platform policy pack, and the CrossGuard policies built from them. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { k8sAgentProbes, k8sAgentRollout } from "./agents";
import { ecrImmutableScanned } from "./ecr";
import { ec2ImdsV2, eksApiAuthentication, eksControlPlaneLogs, eksSecretsEncryption } from "./eks";
import { elasticacheEncryption } from "./elasticache";
import { helmPinnedVersion } from "./helm";
import { iamNoWildcardActions, iamPodIdentityTrust } from "./iam";
import { k8sDropAllCapabilities, k8sNoPrivilegeEscalation, k8sPinnedImages, k8sReadOnlyRootFilesystem, k8sResources, k8sRunAsNonRoot } from "./kubernetes";
import { Rule, toPolicy } from "./rule";
import { s3KmsEncryption, s3PublicAccessBlock } from "./s3";
import { sqsEncryption, sqsRedrive } from "./sqs";

/** Name of the policy pack. */
export const POLICY_PACK_NAME = "agent-platform";

/** The platform's rules, in the order the pack reports them. */
export const RULES: readonly Rule[] = [
    s3PublicAccessBlock,
    s3KmsEncryption,
    sqsEncryption,
    sqsRedrive,
    iamNoWildcardActions,
    iamPodIdentityTrust,
    eksSecretsEncryption,
    eksControlPlaneLogs,
    eksApiAuthentication,
    ec2ImdsV2,
    elasticacheEncryption,
    ecrImmutableScanned,
    k8sResources,
    k8sRunAsNonRoot,
    k8sNoPrivilegeEscalation,
    k8sDropAllCapabilities,
    k8sReadOnlyRootFilesystem,
    k8sPinnedImages,
    k8sAgentProbes,
    k8sAgentRollout,
    helmPinnedVersion,
];

/** The CrossGuard policies of the pack (one resource policy per rule). */
export const POLICIES: ResourceValidationPolicy[] = RULES.map(toPolicy);
