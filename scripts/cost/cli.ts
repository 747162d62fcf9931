/**
 * `npm run cost -- <stack> [--json | --markdown] [--base <render-dir-or-git-ref>]`: the monthly estimate
 * of a stack from its offline render (the program under the test mocks: no cloud account), and with
 * `--base` the difference against another render (a directory written by `npm run render`) or the same
 * stack at another git ref.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PlatformTarget } from "../../components/shared/constants";
import { PROJECT_ROOT, runStack, stackConfig } from "../../stacks/offline";
import { renderRef } from "./baseRender";
import { costDelta } from "./delta";
import { estimate, type Estimate } from "./estimate";
import { deltaMarkdown, deltaTable, estimateTable } from "./format";
import { loadPriceTable, type PriceTable } from "./prices";
import { readRenderDir, regionOf, resourcesOfRun } from "./resources";

/** What stands for the region of a stack that has no AWS resource (target kubernetes): no price applies. */
export const NO_AWS_REGION = "no AWS: kubernetes target";

/** The region a stack deploys to (`aws:region` of its stack file), or NO_AWS_REGION on the kubernetes target. */
export function stackRegion(stack: string): string {
    const config = stackConfig(stack);
    if ((config["agent-platform:target"] as { type?: string } | undefined)?.type === PlatformTarget.Kubernetes) return NO_AWS_REGION;
    const region = config["aws:region"];
    if (typeof region !== "string") throw new Error(`Pulumi.${stack}.yaml sets no aws:region`);
    return region;
}

/** The estimate of a stack as this checkout renders it. */
export async function headEstimate(stack: string, table: PriceTable): Promise<Estimate> {
    return estimate(resourcesOfRun(await runStack(stack)), stackRegion(stack), table);
}

/** The estimate of a render directory, in the region its resources name (else `fallbackRegion`). */
export function estimateOfRenderDir(dir: string, fallbackRegion: string, table: PriceTable): Estimate {
    const resources = readRenderDir(dir);
    return estimate(resources, regionOf(resources) ?? fallbackRegion, table);
}

/** The estimate of `base`: a render directory, or `stack` rendered at a git ref. */
export function baseEstimate(base: string, stack: string, fallbackRegion: string, table: PriceTable): Estimate {
    if (fs.existsSync(base) && fs.statSync(base).isDirectory()) return estimateOfRenderDir(base, fallbackRegion, table);
    const render = renderRef(PROJECT_ROOT, base, stack);
    try {
        return estimateOfRenderDir(render.dir, fallbackRegion, table);
    } finally {
        render.cleanup();
    }
}

interface Options {
    stack: string;
    base?: string;
    format: "table" | "json" | "markdown";
}

/** Parses the command line; throws with the usage on anything else. */
export function parseArgs(argv: string[]): Options {
    const usage = "usage: npm run cost -- <stack> [--json | --markdown] [--base <render-dir-or-git-ref>]";
    const rest = [...argv];
    const options: Partial<Options> = { format: "table" };
    while (rest.length > 0) {
        const arg = rest.shift() as string;
        if (arg === "--json") options.format = "json";
        else if (arg === "--markdown") options.format = "markdown";
        else if (arg === "--base") {
            options.base = rest.shift();
            if (!options.base) throw new Error(usage);
        } else if (!arg.startsWith("--") && !options.stack) options.stack = arg;
        else throw new Error(`${usage}\nunexpected argument ${arg}`);
    }
    if (!options.stack) throw new Error(usage);
    if (!fs.existsSync(path.join(PROJECT_ROOT, `Pulumi.${options.stack}.yaml`))) throw new Error(`no Pulumi.${options.stack}.yaml in ${PROJECT_ROOT}`);
    if (options.format === "markdown" && !options.base) throw new Error(`--markdown shows a delta: give --base\n${usage}`);
    return options as Options;
}

async function main(argv: string[]): Promise<void> {
    const options = parseArgs(argv);
    const table = loadPriceTable();
    const head = await headEstimate(options.stack, table);
    const title = `monthly estimate of stack ${options.stack} (${head.region}), offline render`;
    if (!options.base) {
        process.stdout.write(options.format === "json" ? JSON.stringify({ stack: options.stack, ...head }, null, 2) + "\n" : estimateTable(head, table, title));
        return;
    }
    const base = baseEstimate(options.base, options.stack, head.region, table);
    const delta = costDelta(base, head);
    if (options.format === "json") process.stdout.write(JSON.stringify({ stack: options.stack, base: options.base, delta, baseEstimate: base, headEstimate: head }, null, 2) + "\n");
    else if (options.format === "markdown") process.stdout.write(deltaMarkdown(delta, head, table));
    else process.stdout.write(estimateTable(head, table, title) + "\n" + deltaTable(delta, `delta against ${options.base}`));
}

if (require.main === module) {
    main(process.argv.slice(2)).catch((error: Error) => {
        console.error(error.message);
        process.exit(1);
    });
}
