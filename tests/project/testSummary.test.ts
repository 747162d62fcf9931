import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../stacks/offline";

/** Runs scripts/testSummary.sh (what .ci/run ends with) on a test log. */
function summarize(log: string, expectedSuites = 2) {
    const r = spawnSync("bash", [path.join(PROJECT_ROOT, "scripts", "testSummary.sh"), String(expectedSuites)], { input: log, encoding: "utf8" });
    return { status: r.status, lines: r.stdout.trim().split("\n") };
}

const suite = (passing: number, failing = 0, title = "a test") => [
    "", `  ${title}`, `    \u001b[32m✔\u001b[0m reports 7 passing cases`, "",
    `  \u001b[32m${passing} passing\u001b[0m\u001b[90m (17s)\u001b[0m`, ...(failing ? [`  \u001b[31m${failing} failing\u001b[0m`] : []), "",
].join("\n");

describe("test summary (scripts/testSummary.sh, the last line of .ci/run)", () => {
    it("sums the mocha summaries of both suites, ignoring colours and test titles", () => {
        assert.deepEqual(summarize(suite(602) + suite(88)), { status: 0, lines: ["690 passed, 0 failed"] });
    });

    it("counts failures", () => {
        assert.deepEqual(summarize(suite(600, 2) + suite(85, 3)).lines, ["685 passed, 5 failed"]);
    });

    it("fails, still printing the sums, when a suite never reported", () => {
        const r = summarize(suite(602) + "\n  agent suite crashed\n");
        assert.equal(r.status, 1);
        assert.deepEqual(r.lines, ["602 passed, 0 failed", "expected 2 suites to report; saw 1"]);
    });
});
