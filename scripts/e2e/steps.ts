/**
 * The steps of `scripts/e2e-local`, each with its own exit code, and what a failed run says: the step,
 * why, and what is left deployed. docs/local.md lists the codes (a test holds it to STEPS).
 */

/** Every step, in order, with its exit code. */
export const STEPS = [
    { step: "prerequisites", code: 10, what: "the commands, the passphrase, the kubeconfig context and the policy pack's packages are there" },
    { step: "stack", code: 11, what: "the local state backend, the `local` stack and its config secret are set up" },
    { step: "deploy", code: 12, what: "`pulumi up -s local` (with the policy pack) succeeded" },
    { step: "ready", code: 13, what: "ExternalSecrets are synced, the agents' rollouts are done, the API answers /readyz, Tempo answers /ready" },
    { step: "job", code: 14, what: "a job posted to the API reached `succeeded` with the tool's result" },
    { step: "chat", code: 15, what: "two messages in one session: the second reply shows the first (context read back from Redis)" },
    { step: "trace", code: 16, what: "Tempo holds the job's trace: API → SQS → worker → LLM (and the tool call)" },
    { step: "destroy", code: 17, what: "`pulumi destroy -s local` succeeded and the stack was removed" },
] as const;

export type StepName = (typeof STEPS)[number]["step"];

/** Exit code of a usage error (bad flags). */
export const USAGE_EXIT_CODE = 2;
/** Exit code of a bug in the script itself (anything not attributed to a step). */
export const INTERNAL_EXIT_CODE = 1;

/** The exit code of a step. */
export function exitCodeOf(step: StepName): number {
    return STEPS.find((s) => s.step === step)!.code;
}

/** A step that failed, and why (shown as is: it must never hold a secret). */
export class StepFailure extends Error {
    constructor(readonly step: StepName, message: string) {
        super(message);
        this.name = "StepFailure";
    }
}

/** What the run left in the cluster. */
export type Deployment = "none" | "destroyed" | "deployed" | "unknown";

/** The lines a run ends with: the failure (if any), and what is left deployed with how to reach or remove it. */
export function closingReport(p: {
    failure?: StepFailure;
    deployment: Deployment;
    keep: boolean;
    context: string;
    stateDir: string;
    destroyError?: string;
}): string[] {
    const lines: string[] = [];
    if (p.failure) lines.push(`FAILED at step "${p.failure.step}" (exit ${exitCodeOf(p.failure.step)}): ${p.failure.message}`);
    else lines.push("PASSED: deploy, readiness, job, chat, trace" + (p.keep ? " (stack kept, as asked)" : ", destroy"));
    const destroy = `PULUMI_BACKEND_URL=file://${p.stateDir} pulumi destroy -s local --yes`;
    switch (p.deployment) {
        case "none":
            lines.push("Nothing was deployed.");
            break;
        case "destroyed":
            lines.push(`Nothing is left deployed: the stack was destroyed (context ${p.context}).`);
            break;
        case "deployed":
        case "unknown":
            lines.push(p.deployment === "deployed"
                ? `The local stack is STILL DEPLOYED in context ${p.context}${p.keep ? " (--keep)" : ""}.`
                : `The local stack MAY BE PARTLY DEPLOYED in context ${p.context}: \`pulumi up\` stopped midway.`);
            if (p.destroyError) lines.push(`Destroying it failed: ${p.destroyError}`);
            lines.push(`  look:    kubectl --context ${p.context} get pods -A`, `  remove:  ${destroy}   (with the same PULUMI_CONFIG_PASSPHRASE)`);
            break;
    }
    return lines;
}
