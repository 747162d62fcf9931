import { execFileSync } from "node:child_process";
import { PROJECT_ROOT } from "../../stacks/offline";

let built = false;

/** Builds the package into dist/ with `npm run build` (clean, then compile), once per test process. */
export function buildPackage(): void {
    if (built) return;
    execFileSync("npm", ["run", "build"], { cwd: PROJECT_ROOT, stdio: "pipe" });
    built = true;
}
