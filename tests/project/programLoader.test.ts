import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../stacks/offline";

/**
 * `pulumi up` loads `stacks/` through @pulumi/pulumi's own TypeScript loader (its vendored ts-node with
 * the project's TypeScript and tsconfig.json, type-checking). This runs that loader the same way, with
 * no engine and no config: the program must compile, load and reach config validation.
 */
describe("the program under Pulumi's TypeScript loader", function () {
    this.timeout(120_000);

    it("compiles with type-checking, loads, and stops at config validation before registering anything", () => {
        const script = `
            const tsn = require(${JSON.stringify(path.join(PROJECT_ROOT, "node_modules/@pulumi/pulumi/vendor/ts-node@7.0.1"))});
            tsn.register({ compiler: "typescript", transpileOnly: false, project: "tsconfig.json",
                compilerOptions: { target: "ES2020", module: "nodenext", moduleResolution: "nodenext", sourceMap: "true" } });
            try { require("./stacks"); console.log("LOADED-WITHOUT-ERROR"); } catch (e) { console.log("PROGRAM-ERROR " + e.message); }
        `;
        const env = { ...process.env };
        delete env.PULUMI_CONFIG;
        const run = spawnSync(process.execPath, ["-e", script], { cwd: PROJECT_ROOT, encoding: "utf8", env, timeout: 110_000 });
        assert.equal(run.status, 0, run.stderr);
        assert.match(run.stdout, /PROGRAM-ERROR invalid stack configuration \(1 problem\):\n {2}- agent-platform:agents: got nothing; allowed: a list of 1 to 50 objects/);
    });
});
