import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { configReference } from "../../stacks/config";
import { REFERENCE_FILE, withReference } from "../../scripts/configReference";
import { PROJECT_ROOT } from "../../stacks/offline";
import { brokenLinks, headingAnchors } from "../support/markdown";
import { INTERNAL_EXIT_CODE, STEPS, USAGE_EXIT_CODE } from "../../scripts/e2e/steps";

const read = (file: string) => fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8");
const readme = read("README.md");

/** The documents whose links must resolve: README.md, docs/**, the policy pack's and the agent's READMEs. */
const DOCUMENTS = [
    "README.md",
    ...fs.readdirSync(path.join(PROJECT_ROOT, "docs"), { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".md"))
        .map((f) => path.join("docs", f))
        .sort(),
    path.join("policy", "README.md"),
    path.join("agent", "README.md"),
];

/** Files of the repository (tracked, or new and not ignored): what a clone holds. */
function repositoryFiles(): string[] {
    return execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], { cwd: PROJECT_ROOT, encoding: "utf8" })
        .split("\0")
        .filter((f) => f !== "" && fs.existsSync(path.join(PROJECT_ROOT, f)));
}

describe("README.md", () => {
    it("gives exactly the two set-up commands, and they are the ones CI runs", () => {
        const quickStart = readme.slice(readme.indexOf("## Quick start"), readme.indexOf("## Deploy"));
        assert.match(quickStart, /```sh\nnpm ci\nnpm test\n```/);
        const ci = read(path.join(".ci", "run"));
        assert.match(ci, /npm ci /);
        assert.match(ci, /npm test 2>&1/);
    });

    it("has an architecture diagram", () => {
        assert.match(readme, /```mermaid\nflowchart/);
    });

    it("stays short (at most 250 lines): the detail lives in docs/", () => {
        const lines = readme.split("\n").length - (readme.endsWith("\n") ? 1 : 0);
        assert.ok(lines <= 250, `README.md has ${lines} lines`);
    });

    it("links every component's page", () => {
        const pages = fs.readdirSync(path.join(PROJECT_ROOT, "docs", "components")).filter((f) => f.endsWith(".md"));
        assert.equal(pages.length, 13);
        for (const page of pages) assert.ok(readme.includes(`(docs/components/${page})`), page);
    });
});

describe("docs/configuration.md", () => {
    const reference = fs.readFileSync(REFERENCE_FILE, "utf8");

    it("is what `npm run docs:config` writes", () => {
        assert.equal(reference, withReference(reference));
    });

    it("documents every configuration key", () => {
        for (const doc of configReference()) assert.ok(reference.includes(`| \`${doc.path}\` |`), doc.path);
    });
});

describe("links in the documentation", () => {
    it("covers the docs, the README and the component pages", () => {
        assert.ok(DOCUMENTS.includes(path.join("docs", "architecture.md")) && DOCUMENTS.includes(path.join("docs", "components", "workload.md")));
    });

    for (const file of DOCUMENTS) {
        it(`${file}: every relative link and #anchor resolves`, () => {
            assert.deepEqual(brokenLinks(PROJECT_ROOT, file), []);
        });
    }

    it("the checker reports a missing file, a missing anchor and a link out of the repository (it is not a no-op)", () => {
        const doc = path.join(PROJECT_ROOT, "docs", "example.md");
        const text = "# Example\n\n[ok](#example) [gone](missing.md) [anchor](architecture.md#no-such-section) [out](../../shared/notes.md) `[code](nowhere.md)`\n";
        const broken = brokenLinks(PROJECT_ROOT, path.join("docs", "example.md"), (p) => (p === doc ? text : fs.readFileSync(p, "utf8")));
        assert.equal(broken.length, 3, broken.join("\n"));
        assert.match(broken.join("\n"), /missing\.md does not exist/);
        assert.match(broken.join("\n"), /no heading of docs\/architecture\.md has the anchor #no-such-section/);
        assert.match(broken.join("\n"), /leaves the repository/);
    });

    it("slugs headings the way GitHub does", () => {
        const anchors = headingAnchors("## 13. The reference agent's contract\n## `AgentCluster` & GPUs\n## Setup\n## Setup\n");
        assert.deepEqual([...anchors], ["13-the-reference-agents-contract", "agentcluster--gpus", "setup", "setup-1"]);
    });
});

describe("docs/architecture.md", () => {
    const architecture = read(path.join("docs", "architecture.md"));

    it("numbers its sections 1, 2, 3, ... so code can cite them as `docs/architecture.md §N`", () => {
        const numbers = [...architecture.matchAll(/^## (\d+)\. /gm)].map((m) => Number(m[1]));
        assert.ok(numbers.length > 5);
        assert.deepEqual(numbers, numbers.map((_, i) => i + 1));
    });

    it("has every section that a citation in the repository names", () => {
        const sections = [...architecture.matchAll(/^## (\d+)\. /gm)].map((m) => Number(m[1]));
        const cited = repositoryFiles().flatMap((f) => [...read(f).matchAll(/docs\/architecture\.md §(\d+)/g)].map((m) => ({ file: f, section: Number(m[1]) })));
        for (const c of cited) assert.ok(sections.includes(c.section), `${c.file} cites docs/architecture.md §${c.section}`);
    });
});

describe("docs/local.md", () => {
    const local = read(path.join("docs", "local.md"));

    it("lists exactly the exit codes of scripts/e2e-local, with each step's meaning", () => {
        const table = local.slice(local.indexOf("<!-- e2e-exit-codes"));
        const rows = [...table.matchAll(/^\| (\d+) \| ?([a-z]*) ?\| (.+) \|$/gm)].map((m) => ({ code: Number(m[1]), step: m[2], what: m[3] }));
        assert.deepEqual(rows, [
            { code: 0, step: "", what: "passed" }, { code: INTERNAL_EXIT_CODE, step: "", what: "a bug in the script" }, { code: USAGE_EXIT_CODE, step: "", what: "bad flags" },
            ...STEPS.map((s) => ({ code: s.code, step: s.step, what: s.what })),
        ]);
    });

    it("is linked from the README's try-it section", () => {
        const tryIt = readme.slice(readme.indexOf("## Try it on your laptop"), readme.indexOf("## Deploy"));
        assert.match(tryIt, /\(docs\/local\.md\)/);
        assert.match(tryIt, /scripts\/kind-with-registry/);
        assert.match(tryIt, /scripts\/e2e-local --keep/);
    });
});

describe("the repository stands on its own", () => {
    it("cites no design document outside it and no path into a sibling `shared` folder", () => {
        const problems = repositoryFiles().flatMap((file) => {
            const text = read(file);
            const found: string[] = [];
            if (/DESIGN(\.md| §)/.test(text)) found.push(`${file} cites the design notes`);
            for (const m of text.matchAll(/(?:\.\.\/)+shared\b/g)) {
                const target = path.resolve(path.dirname(path.join(PROJECT_ROOT, file)), m[0]);
                if (path.relative(PROJECT_ROOT, target).startsWith("..")) found.push(`${file} refers to ${m[0]} outside the repository`);
            }
            return found;
        });
        assert.deepEqual(problems, []);
    });
});
