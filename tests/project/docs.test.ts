import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { configReference } from "../../stacks/config";
import { REFERENCE_FILE, withReference } from "../../scripts/configReference";
import { PROJECT_ROOT } from "../../stacks/offline";

const readme = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");

describe("docs/configuration.md", () => {
    const reference = fs.readFileSync(REFERENCE_FILE, "utf8");

    it("is what `npm run docs:config` writes", () => {
        assert.equal(reference, withReference(reference));
    });

    it("documents every configuration key", () => {
        for (const doc of configReference()) assert.ok(reference.includes(`| \`${doc.path}\` |`), doc.path);
    });
});

describe("README.md", () => {
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
