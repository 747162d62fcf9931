import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { validateWorkflow } from "@action-validator/core";
import { parse as parseYaml } from "yaml";
import { PROJECT_ROOT, STACKS } from "../../stacks/offline";

/* eslint-disable @typescript-eslint/no-explicit-any */
const read = (file: string) => fs.readFileSync(path.join(PROJECT_ROOT, ".github", "workflows", file), "utf8");
const stepsUsing = (job: any, action: string) => (job.steps as any[]).filter((s) => typeof s.uses === "string" && s.uses.startsWith(`${action}@`));

describe("GitHub workflows", () => {
    for (const file of ["pull-request.yml", "deploy.yml"]) {
        it(`${file} is valid against the GitHub workflow schema`, () => {
            assert.deepEqual(validateWorkflow(read(file)).errors, []);
        });
    }

    it("the validator does reject a broken workflow (it is not a no-op)", () => {
        const broken = read("deploy.yml").replace("runs-on:", "runs_on:");
        assert.ok(validateWorkflow(broken).errors.length > 0);
    });

    describe("pull-request.yml", () => {
        const wf: any = parseYaml(read("pull-request.yml"));

        it("runs on pull requests with OIDC and PR-comment permissions only", () => {
            assert.ok(wf.on.pull_request);
            assert.deepEqual(wf.permissions, { contents: "read", "pull-requests": "write", "id-token": "write" });
        });

        it("runs the README's test command before previewing", () => {
            const run = (wf.jobs.test.steps as any[]).map((s) => s.run).filter(Boolean);
            assert.ok(run.includes("npm ci") && run.includes("npm test"));
            assert.deepEqual(wf.jobs.preview.needs, "test");
        });

        it("previews every stack with pulumi/actions, posting the diff as a PR comment, credentials by role assumption", () => {
            assert.deepEqual(wf.jobs.preview.strategy.matrix.stack, [...STACKS]);
            const [pulumi] = stepsUsing(wf.jobs.preview, "pulumi/actions");
            assert.equal(pulumi.with.command, "preview");
            assert.equal(pulumi.with["stack-name"], "${{ matrix.stack }}");
            assert.equal(pulumi.with["comment-on-pr"], true);
            assert.equal(pulumi.with.diff, true);
            assert.match(pulumi.with["cloud-url"], /vars\.PULUMI_BACKEND_URL/);
            const [aws] = stepsUsing(wf.jobs.preview, "aws-actions/configure-aws-credentials");
            assert.match(aws.with["role-to-assume"], /secrets\.AWS_PREVIEW_ROLE_ARN/);
            assert.equal(JSON.stringify(wf).includes("aws-secret-access-key"), false, "no long-lived keys");
        });
    });

    describe("deploy.yml", () => {
        const wf: any = parseYaml(read("deploy.yml"));

        it("deploys dev on push to main and any stack by manual dispatch through GitHub environments", () => {
            assert.deepEqual(wf.on.push.branches, ["main"]);
            assert.deepEqual(wf.on.workflow_dispatch.inputs.stack.options, [...STACKS]);
            assert.equal(wf.jobs.up.environment, "${{ github.event.inputs.stack || 'dev' }}");
            const [pulumi] = stepsUsing(wf.jobs.up, "pulumi/actions");
            assert.equal(pulumi.with.command, "up");
            assert.equal(pulumi.with["stack-name"], "${{ github.event.inputs.stack || 'dev' }}");
            assert.equal(wf.permissions["id-token"], "write");
            assert.equal(wf.concurrency["cancel-in-progress"], false, "a running deployment is never cancelled");
        });
    });
});
