import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../stacks/offline";

/** Every source file of the reference agent, concatenated (what the agent really emits). */
export function agentSource(): string {
    const root = path.join(PROJECT_ROOT, "agent", "src");
    const files: string[] = [];
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const p = path.join(dir, entry.name);
            if (entry.isDirectory()) walk(p);
            else if (entry.name.endsWith(".ts")) files.push(p);
        }
    };
    walk(root);
    return files.map((f) => fs.readFileSync(f, "utf8")).join("\n");
}
