/**
 * Offline render: `npm run render -- <stack> [--out <dir>]` runs the real program for a stack under the
 * test mocks (no cloud account, no Pulumi CLI) and writes what it would register: Kubernetes objects as
 * YAML (one file per object, grouped by namespace), every other resource as JSON. Secret inputs are
 * masked. Output is deterministic, so `diff -r` between two commits is a review diff. It then prints the
 * estimated deploy critical path (scripts/criticalPath), so a change that makes deploys slower shows.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify as toYaml } from "yaml";
import { countByType, Registered, RunResult } from "../testing";
import { criticalPath, formatCriticalPath } from "./criticalPath";
import { PROJECT_ROOT, runStack } from "../stacks/offline";

export const SECRET_MASK = "[secret]";

/** Recursively sorts object keys, so serialized output does not depend on registration order. */
export function sortKeys(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (value && typeof value === "object") {
        return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
    }
    return value;
}

/** Replaces the value at each dotted path with the secret mask. */
export function maskSecrets(inputs: Record<string, unknown>, secretPaths: string[]): Record<string, unknown> {
    const copy = structuredClone(inputs);
    for (const p of secretPaths) {
        const parts = p.split(".");
        let node: Record<string, unknown> | undefined = copy;
        for (const part of parts.slice(0, -1)) node = node?.[part] as Record<string, unknown> | undefined;
        if (node && parts[parts.length - 1] in node) node[parts[parts.length - 1]] = SECRET_MASK;
    }
    return copy;
}

/** Dotted paths whose string value contains a computed placeholder. */
export function placeholderPaths(value: unknown, computed: Set<string>, at = ""): string[] {
    if (typeof value === "string") return [...computed].some((c) => value.includes(c)) ? [at] : [];
    if (value && typeof value === "object") {
        return Object.entries(value).flatMap(([k, v]) => placeholderPaths(v, computed, at ? `${at}.${k}` : k));
    }
    return [];
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, "_");

/** Relative output path of one resource. */
export function renderPath(r: Registered): string {
    if (r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm") && r.custom) {
        const kind = r.type.split(":").pop() as string;
        const namespace = r.inputs.metadata?.namespace ?? "_cluster";
        const name = r.inputs.metadata?.name ?? r.name;
        return path.join("kubernetes", safe(namespace), `${safe(kind)}--${safe(name)}.yaml`);
    }
    const [provider, module] = r.type.split(":");
    const kind = r.type.split(":").pop() as string;
    return path.join(safe(provider), `${safe(module.replace("/", "-"))}-${safe(kind)}--${safe(r.name)}.json`);
}

/** The resources a render writes (and the cost model reads): the custom ones, without providers. */
export function renderedResources(result: RunResult): Registered[] {
    return result.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
}

/** Writes the render of one run into `outDir` (emptied first); returns the lines of the summary. */
export function writeRender(result: RunResult, outDir: string): string[] {
    fs.rmSync(outDir, { recursive: true, force: true });
    const resources = renderedResources(result);
    const placeholders: string[] = [];
    for (const r of resources) {
        const inputs = maskSecrets(r.inputs, r.secretPaths);
        const file = path.join(outDir, renderPath(r));
        fs.mkdirSync(path.dirname(file), { recursive: true });
        const body = file.endsWith(".yaml")
            ? toYaml(sortKeys(inputs), { lineWidth: 0 })
            : JSON.stringify(sortKeys({ type: r.type, name: r.name, inputs }), null, 2) + "\n";
        fs.writeFileSync(file, body);
        for (const p of placeholderPaths(inputs, result.computed)) placeholders.push(`${renderPath(r)}: ${p}`);
    }
    placeholders.sort();
    fs.writeFileSync(path.join(outDir, "placeholders.txt"), placeholders.join("\n") + "\n");
    const counts = countByType(resources);
    const width = Math.max(...Object.keys(counts).map((t) => t.length));
    return [
        ...Object.entries(counts).map(([type, n]) => `${type.padEnd(width)}  ${n}`),
        `${resources.length} resources; ${placeholders.length} input values are computed placeholders (ids, ARNs, endpoints the cloud assigns), listed in ${path.relative(process.cwd(), path.join(outDir, "placeholders.txt"))}`,
        `secret inputs masked as ${SECRET_MASK}: ${resources.reduce((n, r) => n + r.secretPaths.length, 0)}`,
    ];
}

/** Renders a stack into `outDir`; returns what `npm run render` prints (summary, then the critical path). */
export async function renderStack(stack: string, outDir: string): Promise<string[]> {
    const result = await runStack(stack);
    return [
        ...writeRender(result, outDir),
        `wrote ${path.relative(process.cwd(), outDir) || "."}`,
        ...formatCriticalPath(criticalPath(result.resources)),
    ];
}

async function main(argv: string[]): Promise<void> {
    const stack = argv.find((a) => !a.startsWith("--"));
    const outIndex = argv.indexOf("--out");
    if (!stack || (outIndex >= 0 && !argv[outIndex + 1])) {
        console.error("usage: npm run render -- <stack> [--out <dir>]");
        process.exit(2);
    }
    if (!fs.existsSync(path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`))) {
        console.error(`no Pulumi.${stack}.yaml in ${PROJECT_ROOT}`);
        process.exit(2);
    }
    const outDir = path.resolve(outIndex >= 0 ? argv[outIndex + 1] : path.join(PROJECT_ROOT, "render", stack));
    for (const line of await renderStack(stack, outDir)) console.log(line);
}

if (require.main === module) {
    main(process.argv.slice(2)).catch((error: Error) => {
        console.error(error.message);
        process.exit(1);
    });
}
