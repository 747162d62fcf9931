import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { configReference } from "../../stacks/config";
import { withReference } from "../../scripts/configReference";
import { PROJECT_ROOT } from "../../stacks/offline";

const readme = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");

describe("README.md", () => {
    it("has an up-to-date configuration reference (run `npm run docs:config`)", () => {
        assert.equal(readme, withReference(readme));
    });

    it("documents every configuration key", () => {
        for (const doc of configReference()) assert.ok(readme.includes(`| \`${doc.path}\` |`), doc.path);
    });

    it("gives exactly the two set-up commands, and they are the ones CI runs", () => {
        const quickStart = readme.slice(readme.indexOf("## Quick start"), readme.indexOf("## Deploy"));
        assert.match(quickStart, /```sh\nnpm ci\nnpm test\n```/);
        const ci = fs.readFileSync(path.join(PROJECT_ROOT, ".ci", "run"), "utf8");
        assert.match(ci, /npm ci /);
        assert.match(ci, /npm test 2>&1/);
    });

    it("has an architecture diagram", () => {
        assert.match(readme, /```mermaid\nflowchart/);
    });
});
