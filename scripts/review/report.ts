/**
 * `npm run review -- <stack> --base <git-ref> [--fork] [--out <file>]`: the pull-request report of one
 * stack, built offline from the renders the tests use (no cloud account, no secrets), as Markdown:
 * the monthly cost delta and the estimated deploy critical path against the base ref, and with
 * `--fork` (pull requests from forks, which get no `pulumi preview`) the offline render diff and the
 * policy pack's result under mocks. The pull-request workflow uploads it; a separate workflow posts
 * it as the stack's comment.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { criticalPath, type CriticalPath, criticalPathMinutesIn, formatCriticalPath } from "../criticalPath";
import { writeRender } from "../render";
import { PROJECT_ROOT, runStack } from "../../stacks/offline";
import { renderRef } from "../cost/baseRender";
import { estimateOfRenderDir, stackRegion } from "../cost/cli";
import { costDelta } from "../cost/delta";
import { estimate } from "../cost/estimate";
import { deltaMarkdown } from "../cost/format";
import { loadPriceTable } from "../cost/prices";
import { resourcesOfRun } from "../cost/resources";
import { policyViolations, type Violation } from "./policy";

/** The HTML comment that marks (and finds again) the report comment of a stack. */
export function reportMarker(stack: string): string {
    return `<!-- agent-platform-review:${stack} -->`;
}

/** Room left for the diff in one comment (GitHub refuses comments over 65,536 characters). */
export const MAX_DIFF_CHARS = 40_000;

/** `git diff --no-index` of two render directories below `root`, named `base` and `head`. */
export function renderDiff(root: string, maxChars = MAX_DIFF_CHARS): { stat: string; diff: string; truncated: boolean } {
    const run = (...args: string[]) => {
        const r = spawnSync("git", ["diff", "--no-index", "--no-color", ...args, "base", "head"], { cwd: root, encoding: "utf8", maxBuffer: 256 * 2 ** 20 });
        // Exit 1 means "there are differences".
        if (r.status !== 0 && r.status !== 1) throw new Error(`git diff failed: ${r.stderr}`);
        return r.stdout;
    };
    const diff = run();
    return { stat: run("--stat=120").trimEnd(), diff: diff.slice(0, maxChars), truncated: diff.length > maxChars };
}

function policySection(violations: Violation[]): string[] {
    if (violations.length === 0) return ["**Policy pack (`policy/`) under mocks:** no violations."];
    return [`**Policy pack (\`policy/\`) under mocks: ${violations.length} violation${violations.length > 1 ? "s" : ""}** (a \`pulumi preview\` with the pack would fail):`, "",
        ...violations.map((v) => `- \`${v.rule}\`: ${v.type} \`${v.name}\`: ${v.message}`)];
}

/** The head's estimated deploy critical path, against the minutes the base's render printed (if it printed any). */
export function criticalPathSection(head: CriticalPath, baseMinutes: number | undefined): string[] {
    // The base's minutes come rounded to hundredths from its printed headline.
    const change = Math.round((head.minutes - (baseMinutes ?? 0)) * 100) / 100;
    const against = baseMinutes === undefined
        ? "the base's render prints no estimate"
        : `base ${baseMinutes.toFixed(2)} min, ${change === 0 ? "unchanged" : `${change > 0 ? "+" : "-"}${Math.abs(change).toFixed(2)} min`}`;
    return [`**Estimated deploy critical path** of a first \`pulumi up\`: ${head.minutes.toFixed(2)} min (${against}).`, "",
        `<details><summary>The chain</summary>\n\n\`\`\`\n${formatCriticalPath(head).slice(1).join("\n")}\n\`\`\`\n</details>`];
}

/** The Markdown report of one stack. */
export function reportMarkdown(p: { stack: string; base: string; cost: string; deployPath: string[]; fork: boolean; diff?: { stat: string; diff: string; truncated: boolean }; violations?: Violation[] }): string {
    const lines = [reportMarker(p.stack), `### \`${p.stack}\`: monthly cost against \`${p.base}\``, "", p.cost.trimEnd(), "", ...p.deployPath];
    if (p.fork && p.diff && p.violations) {
        lines.push("",
            `### \`${p.stack}\`: offline render diff`, "",
            "> This pull request comes from a fork, so it gets no `pulumi preview` (that needs the repository's cloud credentials). " +
            "This is an **offline render diff**: the program run under the test mocks, compared with the base branch's render. " +
            "It shows what the program would register, not what the cloud holds; ids, ARNs and endpoints are mock placeholders.", "",
            ...policySection(p.violations), "",
            p.diff.stat === "" ? "The render is unchanged." : `<details><summary>Render diff</summary>\n\n\`\`\`\n${p.diff.stat}\n\`\`\`\n\n\`\`\`diff\n${p.diff.diff}\n\`\`\`${p.diff.truncated ? "\n\n(diff cut; run `npm run render` on both commits for all of it)" : ""}\n</details>`,
        );
    }
    return lines.join("\n") + "\n";
}

/** Builds the report of `stack` against `base` (a git ref). */
export async function buildReport(stack: string, base: string, fork: boolean): Promise<string> {
    const table = loadPriceTable();
    const result = await runStack(stack);
    const headResources = resourcesOfRun(result);
    const head = estimate(headResources, stackRegion(stack), table);
    const baseRender = renderRef(PROJECT_ROOT, base, stack);
    try {
        const cost = deltaMarkdown(costDelta(estimateOfRenderDir(baseRender.dir, head.region, table), head), head, table);
        const deployPath = criticalPathSection(criticalPath(result.resources), criticalPathMinutesIn(baseRender.output));
        if (!fork) return reportMarkdown({ stack, base, cost, deployPath, fork });
        // The head render goes next to the base's (a directory named `base`), which cleanup() removes with it.
        const root = path.dirname(baseRender.dir);
        writeRender(result, path.join(root, "head"));
        return reportMarkdown({ stack, base, cost, deployPath, fork, diff: renderDiff(root), violations: policyViolations(headResources) });
    } finally {
        baseRender.cleanup();
    }
}

async function main(argv: string[]): Promise<void> {
    const usage = "usage: npm run review -- <stack> --base <git-ref> [--fork] [--out <file>]";
    const value = (flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
    const stack = argv.find((a, i) => !a.startsWith("--") && !["--base", "--out"].includes(argv[i - 1]));
    const base = value("--base");
    if (!stack || !base) throw new Error(usage);
    const markdown = await buildReport(stack, base, argv.includes("--fork"));
    const out = value("--out");
    if (out) fs.writeFileSync(out, markdown);
    else process.stdout.write(markdown);
}

if (require.main === module) {
    main(process.argv.slice(2)).catch((error: Error) => {
        console.error(error.message);
        process.exit(1);
    });
}
