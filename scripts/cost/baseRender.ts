/**
 * Renders a stack as another git ref has it: the ref's tree is exported with `git archive` into a
 * temporary directory that borrows this checkout's node_modules, and the ref's own scripts/render.ts
 * writes the render there. The caller removes the directory with `cleanup()`.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface RefRender {
    /** The render directory (JSON and YAML per resource), named `base`: a render written next to it as `head` diffs against it (renderDiff). */
    dir: string;
    /** What the ref's `npm run render` printed (its summary and, since it has one, the critical path). */
    output: string;
    /** Removes everything this render created. */
    cleanup(): void;
}

/** Whether `ref` names a commit of the repository at `projectRoot`. */
export function isGitRef(projectRoot: string, ref: string): boolean {
    try {
        execFileSync("git", ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], { cwd: projectRoot, stdio: "ignore" });
        return true;
    } catch {
        return false;
    }
}

/** Renders `stack` as of `ref` (a branch, tag or commit of the repository at `projectRoot`). */
export function renderRef(projectRoot: string, ref: string, stack: string): RefRender {
    if (!isGitRef(projectRoot, ref)) throw new Error(`${ref} is neither a render directory nor a git ref of ${projectRoot}`);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "cost-base-"));
    const cleanup = () => fs.rmSync(root, { recursive: true, force: true });
    try {
        const tree = path.join(root, "tree");
        fs.mkdirSync(tree);
        // The ref and the directory are arguments of the shell, never part of the script text.
        execFileSync("sh", ["-c", 'git archive --format=tar "$1" | tar -x -C "$2"', "sh", ref, tree], { cwd: projectRoot, stdio: ["ignore", "ignore", "pipe"] });
        if (!fs.existsSync(path.join(tree, `Pulumi.${stack}.yaml`))) throw new Error(`${ref} has no Pulumi.${stack}.yaml`);
        if (!fs.existsSync(path.join(tree, "scripts", "render.ts"))) throw new Error(`${ref} has no scripts/render.ts to render with`);
        fs.symlinkSync(path.join(projectRoot, "node_modules"), path.join(tree, "node_modules"), "dir");
        const dir = path.join(root, "base");
        const output = execFileSync(path.join(projectRoot, "node_modules", ".bin", "tsx"), ["scripts/render.ts", stack, "--out", dir], { cwd: tree, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
        return { dir, output, cleanup };
    } catch (error) {
        cleanup();
        const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
        throw new Error(`rendering ${stack} at ${ref} failed: ${stderr || (error as Error).message}`, { cause: error });
    }
}
