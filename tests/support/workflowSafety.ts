/**
 * The fork-safety check of GitHub workflows (tests/project/workflows.test.ts): a job that a pull request
 * from a fork can reach must not hold a token that writes pull requests (or secrets) while it has the
 * pull request's code checked out. The check is over the parsed workflow, so it covers every workflow
 * file, present and future.
 */

/* eslint-disable @typescript-eslint/no-explicit-any */
/** Triggers through which a fork's pull request starts a workflow. */
const FORK_TRIGGERS = ["pull_request", "pull_request_target", "workflow_run"] as const;
/** Triggers that run with the base repository's token and secrets (write unless restricted). */
const PRIVILEGED_TRIGGERS = ["pull_request_target", "workflow_run"];

function triggersOf(on: unknown): string[] {
    if (typeof on === "string") return [on];
    if (Array.isArray(on)) return on.map(String);
    return on && typeof on === "object" ? Object.keys(on) : [];
}

/** A job condition that only lets pull requests from the repository itself through. */
export function sameRepositoryOnly(condition: unknown): boolean {
    return typeof condition === "string" && /github\.event\.pull_request\.head\.repo\.full_name\s*==\s*github\.repository/.test(condition)
        && !/\|\|/.test(condition);
}

function writesPullRequests(permissions: any, privileged: boolean): boolean {
    if (permissions === undefined) return privileged; // the default token of privileged triggers may write
    if (typeof permissions === "string") return permissions === "write-all";
    return permissions["pull-requests"] === "write";
}

const HEAD_REF = /pull_request\.head|github\.head_ref|workflow_run\.head_(sha|branch)|refs\/pull\//;

/** Steps of a job that check out the pull request's code (for `pull_request`, a plain checkout does). */
function checksOutHead(job: any, triggers: string[]): boolean {
    return (job.steps ?? []).some((step: any) => {
        if (typeof step.uses === "string" && step.uses.startsWith("actions/checkout@")) {
            return triggers.includes("pull_request") || HEAD_REF.test(JSON.stringify(step.with ?? {}));
        }
        return typeof step.run === "string" && (/gh pr checkout/.test(step.run) || (/git (checkout|fetch|switch)/.test(step.run) && HEAD_REF.test(step.run)));
    });
}

/** Problems of one parsed workflow: jobs on the fork path that combine the pull request's code with write access or secrets. */
export function forkPathProblems(file: string, workflow: any): string[] {
    const triggers = triggersOf(workflow?.on).filter((t) => (FORK_TRIGGERS as readonly string[]).includes(t));
    if (triggers.length === 0) return [];
    const privileged = triggers.some((t) => PRIVILEGED_TRIGGERS.includes(t));
    return Object.entries<any>(workflow.jobs ?? {}).flatMap(([name, job]) => {
        if (!privileged && sameRepositoryOnly(job.if)) return [];
        if (!checksOutHead(job, triggers)) return [];
        const problems: string[] = [];
        if (writesPullRequests(job.permissions ?? workflow.permissions, privileged)) problems.push(`${file} job ${name}: pull-requests write together with a checkout of the pull request's code`);
        if (/secrets\.(?!GITHUB_TOKEN\b)/.test(JSON.stringify(job))) problems.push(`${file} job ${name}: secrets together with a checkout of the pull request's code`);
        return problems;
    });
}
/* eslint-enable @typescript-eslint/no-explicit-any */
