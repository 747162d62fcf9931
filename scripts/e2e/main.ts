/** Entry point of `scripts/e2e-local` (see cli.ts for the flags and docs/local.md for what it does). */
import { PROJECT_ROOT } from "../../stacks/offline";
import { parseOptions } from "./cli";
import { runE2e } from "./run";
import { INTERNAL_EXIT_CODE, USAGE_EXIT_CODE } from "./steps";
import { realSystem } from "./system";

async function main(): Promise<number> {
    let options;
    try {
        options = parseOptions(process.argv.slice(2), PROJECT_ROOT);
    } catch (error) {
        console.error((error as Error).message);
        return USAGE_EXIT_CODE;
    }
    const system = realSystem();
    const stop = () => { system.stopAll(); process.exit(130); };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    try {
        return await runE2e(options, { system, projectRoot: PROJECT_ROOT, env: process.env, fetch, log: (line) => console.log(line) });
    } finally {
        system.stopAll();
    }
}

main().then((code) => process.exit(code), (error: Error) => {
    console.error(`e2e-local: ${error.stack ?? error.message}`);
    process.exit(INTERNAL_EXIT_CODE);
});
