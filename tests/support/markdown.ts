/**
 * Markdown link checking for the repository's docs: parses documents with `marked` and computes heading
 * anchors with `github-slugger` (GitHub's own rules, including `-1`, `-2` for repeated headings).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import GithubSlugger from "github-slugger";
import { Lexer, Token } from "marked";

/** Every token of a document, depth first: blocks, list items, table cells and inline tokens. */
function allTokens(tokens: Token[]): Token[] {
    return tokens.flatMap((token) => {
        const t = token as Token & { tokens?: Token[]; items?: Token[]; header?: { tokens: Token[] }[]; rows?: { tokens: Token[] }[][] };
        const children = [
            ...(t.tokens ?? []),
            ...(t.items ?? []),
            ...(t.header ?? []).flatMap((cell) => cell.tokens),
            ...(t.rows ?? []).flat().flatMap((cell) => cell.tokens),
        ];
        return [token, ...allTokens(children)];
    });
}

/** The text a heading renders to (what GitHub slugs): inline markup dropped, code spans kept. */
function plainText(tokens: Token[]): string {
    return tokens.map((token) => {
        const t = token as Token & { tokens?: Token[]; text?: string };
        return t.tokens ? plainText(t.tokens) : t.text ?? "";
    }).join("");
}

/** The `#anchors` GitHub gives the headings of a Markdown document. */
export function headingAnchors(markdown: string): Set<string> {
    const slugger = new GithubSlugger();
    return new Set(allTokens(new Lexer().lex(markdown))
        .filter((t): t is Token & { type: "heading"; tokens: Token[] } => t.type === "heading")
        .map((heading) => slugger.slug(plainText(heading.tokens))));
}

/** The targets of every link and image of a document (code spans and code blocks are not links). */
export function linkTargets(markdown: string): string[] {
    return allTokens(new Lexer().lex(markdown))
        .filter((t): t is Token & { href: string } => (t.type === "link" || t.type === "image") && typeof (t as { href?: unknown }).href === "string")
        .map((t) => t.href);
}

/** True for a link with a scheme (`https:`, `mailto:`), which the repository cannot check offline. */
function isExternal(target: string): boolean {
    return /^[a-z][a-z0-9+.-]*:/i.test(target);
}

/**
 * Broken relative links of the document `file` (a path under `root`): a target that does not exist,
 * that leaves the repository, or whose `#anchor` matches no heading of the Markdown file it points to.
 * `read` returns a file's text (the file system by default), so tests can check documents in memory.
 */
export function brokenLinks(root: string, file: string, read: (absolute: string) => string = (p) => fs.readFileSync(p, "utf8")): string[] {
    const absolute = path.join(root, file);
    return linkTargets(read(absolute)).filter((target) => !isExternal(target)).flatMap((target) => {
        const [rawPath, anchor] = target.split("#", 2);
        const resolved = rawPath === "" ? absolute : path.resolve(path.dirname(absolute), decodeURIComponent(rawPath));
        const where = `${file}: [${target}]`;
        if (path.relative(root, resolved).startsWith("..")) return [`${where} leaves the repository`];
        if (rawPath !== "" && !fs.existsSync(resolved)) return [`${where}: ${path.relative(root, resolved)} does not exist`];
        if (anchor === undefined) return [];
        if (!resolved.endsWith(".md")) return [`${where}: an anchor into a file that is not Markdown`];
        return headingAnchors(read(resolved)).has(anchor) ? [] : [`${where}: no heading of ${path.relative(root, resolved)} has the anchor #${anchor}`];
    });
}
