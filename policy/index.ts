/**
 * The agent-platform policy pack (CrossGuard). Run it with
 * `pulumi preview --policy-pack policy` (after `npm install --prefix policy`).
 * Constructing a PolicyPack starts the analyzer's gRPC server for the Pulumi CLI, so tests import
 * `./policies` instead; tests/stacks/policy.test.ts also starts this file in a child process.
 */
import { PolicyPack } from "@pulumi/policy";
import { POLICIES, POLICY_PACK_NAME } from "./policies";

/** The policy pack the Pulumi CLI loads. */
export const pack = new PolicyPack(POLICY_PACK_NAME, {
    description: "Rules of the agent platform: encrypted and private data stores, least-privilege IAM, a hardened EKS control plane, restricted pods, pinned images and charts.",
    policies: POLICIES,
});
