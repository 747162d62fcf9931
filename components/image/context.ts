/**
 * Content-derived image tags. `contextTag` reads the build context from disk, so programs call it
 * *outside* component constructors (components never read the user's files) and pass the result to
 * `AgentImage` as `tag`. The same sources, Dockerfile, platform and build args always give the same
 * tag; any change gives a new one — what an ECR repository with immutable tags needs.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/** Options of `contextTag`. */
export interface ContextTagOptions {
    /** Dockerfile (path as given to the build; read and hashed even when it lies outside the context). Default: `<dir>/Dockerfile` when it exists. */
    dockerfile?: string;
    /** Target platform, part of the hash (the same sources for another platform are another image). Default: "linux/amd64". */
    platform?: string;
    /** Build args, part of the hash. Default: none. */
    buildArgs?: Record<string, string>;
    /** Extra `.dockerignore`-style patterns applied after the context's own `.dockerignore`. Default: none. */
    exclude?: string[];
    /** Hex characters of the digest kept in the tag (8–64). Default: 16. */
    length?: number;
}

/** Prefix of content-derived tags (the ECR lifecycle policy does not depend on it). */
export const CONTEXT_TAG_PREFIX = "ctx-";

/** A compiled `.dockerignore` rule. */
interface IgnoreRule {
    negate: boolean;
    regex: RegExp;
}

/** Translates one `.dockerignore` pattern (Go `filepath.Match` plus `**`) into a regular expression over `/`-separated relative paths. */
function patternRegex(pattern: string): RegExp {
    let out = "";
    for (let i = 0; i < pattern.length; i++) {
        const c = pattern[i];
        if (c === "*") {
            if (pattern[i + 1] === "*") {
                // `**/` matches any number of directories (including none); a trailing `**` matches everything.
                if (pattern[i + 2] === "/") { out += "(?:.*/)?"; i += 2; } else { out += ".*"; i += 1; }
            } else {
                out += "[^/]*";
            }
        } else if (c === "?") {
            out += "[^/]";
        } else if (c === "\\" && i + 1 < pattern.length) {
            out += pattern[++i].replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        } else {
            out += c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        }
    }
    return new RegExp(`^${out}$`);
}

/**
 * Parses `.dockerignore` text into rules: comments and blank lines skipped, paths cleaned (leading `/`
 * and `./` dropped, trailing `/` ignored), `!` re-includes. Like Docker, the last matching rule wins,
 * and a rule that matches a directory matches everything under it.
 */
export function parseDockerignore(text: string): IgnoreRule[] {
    return text.split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line.length > 0 && !line.startsWith("#"))
        .map((line) => {
            const negate = line.startsWith("!");
            const cleaned = path.posix.normalize((negate ? line.slice(1) : line).trim()).replace(/^\/+/, "").replace(/\/+$/, "");
            return { negate, regex: patternRegex(cleaned === "." ? "**" : cleaned) };
        });
}

/** Whether a context-relative path (`/`-separated) is excluded by the rules. */
export function isIgnored(relPath: string, rules: IgnoreRule[]): boolean {
    const parts = relPath.split("/");
    const candidates = parts.map((_, i) => parts.slice(0, i + 1).join("/"));
    let ignored = false;
    for (const rule of rules) {
        if (candidates.some((c) => rule.regex.test(c))) ignored = !rule.negate;
    }
    return ignored;
}

/** Files of the build context that Docker would send, as sorted `/`-separated relative paths. */
export function contextFiles(dir: string, extraExclude: string[] = []): string[] {
    const ignoreFile = path.join(dir, ".dockerignore");
    const rules = [
        ...(fs.existsSync(ignoreFile) ? parseDockerignore(fs.readFileSync(ignoreFile, "utf8")) : []),
        ...parseDockerignore(extraExclude.join("\n")),
    ];
    const files: string[] = [];
    const walk = (rel: string) => {
        for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
            const child = rel ? `${rel}/${entry.name}` : entry.name;
            if (entry.isDirectory()) {
                // A directory that is ignored and no negation could re-include is skipped whole (node_modules, .git).
                if (isIgnored(child, rules) && !rules.some((r) => r.negate)) continue;
                walk(child);
            } else if ((entry.isFile() || entry.isSymbolicLink()) && !isIgnored(child, rules)) {
                files.push(child);
            }
        }
    };
    walk("");
    return files.sort();
}

/**
 * A tag derived from the build's content: a SHA-256 over every file Docker would send (path, mode
 * bit for executables, bytes; symlinks by target), the Dockerfile, the platform and the build args,
 * as `ctx-<hex>`. Honours the context's `.dockerignore` (patterns, `**`, `!` negation; not Docker's
 * every corner case). Reads files: call it in a program, never in a constructor.
 */
export function contextTag(dir: string, opts: ContextTagOptions = {}): string {
    const length = opts.length ?? 16;
    if (!Number.isInteger(length) || length < 8 || length > 64) throw new Error(`contextTag: length must be an integer from 8 to 64, got ${length}`);
    if (!fs.statSync(dir).isDirectory()) throw new Error(`contextTag: ${dir} is not a directory`);
    const hash = createHash("sha256");
    const field = (name: string, value: string | Buffer) => {
        hash.update(`${name}\0${Buffer.byteLength(value)}\0`);
        hash.update(value);
    };
    for (const rel of contextFiles(dir, opts.exclude)) {
        const full = path.join(dir, rel);
        const stat = fs.lstatSync(full);
        if (stat.isSymbolicLink()) {
            field(`link:${rel}`, fs.readlinkSync(full));
        } else {
            // The full permission bits, as the docker provider hashes them: a checkout with another umask
            // makes the provider rebuild, so it must also get a new tag (pushing a rebuilt image under an
            // existing tag fails on an immutable repository).
            field(`file:${rel}:${(stat.mode & 0o7777).toString(8)}`, fs.readFileSync(full));
        }
    }
    const dockerfile = opts.dockerfile ?? path.join(dir, "Dockerfile");
    if (opts.dockerfile !== undefined || fs.existsSync(dockerfile)) field("dockerfile", fs.readFileSync(dockerfile));
    field("platform", opts.platform ?? "linux/amd64");
    for (const [k, v] of Object.entries(opts.buildArgs ?? {}).sort(([a], [b]) => a.localeCompare(b))) field(`arg:${k}`, v);
    return `${CONTEXT_TAG_PREFIX}${hash.digest("hex").slice(0, length)}`;
}
