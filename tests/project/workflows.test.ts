import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { validateWorkflow } from "@action-validator/core";
import { parse as parseYaml } from "yaml";
import { AWS_STACKS, PROJECT_ROOT } from "../../stacks/offline";
import { forkPathProblems, sameRepositoryOnly } from "../support/workflowSafety";

/* eslint-disable @typescript-eslint/no-explicit-any */
const WORKFLOWS = path.join(PROJECT_ROOT, ".github", "workflows");
const read = (file: string) => fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
const FILES = fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).sort();
const stepsUsing = (job: any, action: string) => (job.steps as any[]).filter((s) => typeof s.uses === "string" && s.uses.startsWith(`${action}@`));

describe("GitHub workflows", () => {
    it("has the workflows this test knows", () => {
        assert.deepEqual(FILES, ["deploy.yml", "e2e.yml", "pr-comment.yml", "pull-request.yml"]);
    });

    for (const file of FILES) {
        it(`${file} is valid against the GitHub workflow schema`, () => {
            assert.deepEqual(validateWorkflow(read(file)).errors, []);
        });
    }

    it("the validator does reject a broken workflow (it is not a no-op)", () => {
        const broken = read("deploy.yml").replace("runs-on:", "runs_on:");
        assert.ok(validateWorkflow(broken).errors.length > 0);
    });

    describe("fork safety (every workflow)", () => {
        it("no job a fork's pull request reaches has pull-requests write or secrets together with a checkout of the pull request's code", () => {
            assert.deepEqual(FILES.flatMap((file) => forkPathProblems(file, parseYaml(read(file)))), []);
        });

        it("the check catches the unsafe patterns (it is not a no-op)", () => {
            const checkout = (ref?: string) => ({ uses: "actions/checkout@v4", ...(ref ? { with: { ref } } : {}) });
            const target = { on: { pull_request_target: {} }, permissions: { "pull-requests": "write" }, jobs: { build: { steps: [checkout("${{ github.event.pull_request.head.sha }}"), { run: "npm test" }] } } };
            assert.equal(forkPathProblems("target.yml", target).length, 1);
            const run = { on: { workflow_run: { workflows: ["ci"] } }, jobs: { post: { steps: [checkout("${{ github.event.workflow_run.head_sha }}")] } } };
            assert.deepEqual(forkPathProblems("run.yml", run), ["run.yml job post: pull-requests write together with a checkout of the pull request's code"], "no permissions: the default token may write");
            const gh = { on: "workflow_run", permissions: { "pull-requests": "write" }, jobs: { post: { steps: [{ run: "gh pr checkout 12" }] } } };
            assert.equal(forkPathProblems("gh.yml", gh).length, 1);
            // The single pull_request workflow this repository had before: PR-comment permission for every job, forks included.
            const before = { on: { pull_request: {} }, permissions: { contents: "read", "pull-requests": "write", "id-token": "write" }, jobs: { test: { steps: [checkout(), { run: "npm test" }] } } };
            assert.deepEqual(forkPathProblems("before.yml", before), ["before.yml job test: pull-requests write together with a checkout of the pull request's code"]);
            const secrets = { on: { pull_request: {} }, jobs: { test: { steps: [checkout(), { run: "deploy", env: { KEY: "${{ secrets.DEPLOY_KEY }}" } }] } } };
            assert.deepEqual(forkPathProblems("secrets.yml", secrets), ["secrets.yml job test: secrets together with a checkout of the pull request's code"]);
            assert.deepEqual(forkPathProblems("safe.yml", { on: { workflow_run: {} }, permissions: { "pull-requests": "write" }, jobs: { post: { steps: [checkout()] } } }), [], "the base branch's code is trusted");
            assert.equal(sameRepositoryOnly("github.event.pull_request.head.repo.full_name == github.repository || true"), false);
        });
    });

    describe("pull-request.yml", () => {
        const wf: any = parseYaml(read("pull-request.yml"));

        it("runs on pull requests with a read-only token by default", () => {
            assert.ok(wf.on.pull_request);
            assert.deepEqual(wf.permissions, { contents: "read" });
        });

        it("runs the README's test command before previewing", () => {
            const run = (wf.jobs.test.steps as any[]).map((s) => s.run).filter(Boolean);
            assert.ok(run.includes("npm ci") && run.includes("npm test"));
            assert.deepEqual(wf.jobs.preview.needs, "test");
        });

        it("previews every stack of this repository's own pull requests with the policy pack, credentials by role assumption", () => {
            const job = wf.jobs.preview;
            assert.ok(sameRepositoryOnly(job.if), "forks never reach the job that holds the cloud credentials");
            assert.deepEqual(job.permissions, { contents: "read", "pull-requests": "write", "id-token": "write" });
            assert.deepEqual(job.strategy.matrix.stack, [...AWS_STACKS]);
            const [pulumi] = stepsUsing(job, "pulumi/actions");
            assert.equal(pulumi.with.command, "preview");
            assert.equal(pulumi.with["stack-name"], "${{ matrix.stack }}");
            assert.equal(pulumi.with.policyPacks, "policy");
            assert.ok(fs.existsSync(path.join(PROJECT_ROOT, pulumi.with.policyPacks, "PulumiPolicy.yaml")), "policyPacks names the pack directory");
            assert.equal(pulumi.with["comment-on-pr"], true);
            assert.equal(pulumi.with.diff, true);
            assert.match(pulumi.with["cloud-url"], /vars\.PULUMI_BACKEND_URL/);
            const [aws] = stepsUsing(job, "aws-actions/configure-aws-credentials");
            assert.match(aws.with["role-to-assume"], /secrets\.AWS_PREVIEW_ROLE_ARN/);
            assert.equal(JSON.stringify(wf).includes("aws-secret-access-key"), false, "no long-lived keys");
        });

        it("reviews every stack offline, forks included, with a read-only token and no secrets, and uploads the report", () => {
            const job = wf.jobs.review;
            assert.equal(job.if, undefined, "runs for forks too");
            assert.deepEqual(job.permissions, { contents: "read" });
            assert.deepEqual(job.strategy.matrix.stack, [...AWS_STACKS]);
            assert.doesNotMatch(JSON.stringify(job), /secrets\./);
            const script = (job.steps as any[]).map((s) => s.run ?? "").join("\n");
            assert.match(script, /npm run review -- "\$STACK" --base "origin\/\$BASE_REF" \$fork --out "report\/\$STACK\.md"/);
            assert.match(script, /report\/pr\.json/);
            const [upload] = stepsUsing(job, "actions/upload-artifact");
            assert.equal(upload.with.name, "pr-report-${{ matrix.stack }}");
            assert.equal(upload.with.path, "report/");
            const [checkout] = stepsUsing(job, "actions/checkout");
            assert.equal(checkout.with["fetch-depth"], 0, "the base branch is there to render");
            assert.equal(checkout.with["persist-credentials"], false);
        });
    });

    describe("pr-comment.yml", () => {
        const wf: any = parseYaml(read("pr-comment.yml"));
        const job = wf.jobs.comment;

        it("runs after pull-request.yml completes, for pull-request runs only", () => {
            assert.deepEqual(wf.on.workflow_run, { workflows: ["pull-request"], types: ["completed"] });
            assert.equal(parseYaml(read("pull-request.yml")).name, "pull-request");
            assert.match(job.if, /github\.event\.workflow_run\.event == 'pull_request'/);
        });

        it("only downloads the report and posts it: no checkout, no run step, no secret", () => {
            assert.deepEqual(job.permissions, { actions: "read", "pull-requests": "write" });
            assert.deepEqual((job.steps as any[]).map((s) => s.uses), ["actions/download-artifact@v4", "actions/github-script@v7"]);
            assert.doesNotMatch(JSON.stringify(wf), /secrets\./);
            const [download] = stepsUsing(job, "actions/download-artifact");
            assert.equal(download.with["run-id"], "${{ github.event.workflow_run.id }}");
            assert.equal(download.with.pattern, "pr-report-*");
        });

        it("posts to the pull request only when it is at the head commit of the run, one marked comment per stack", () => {
            const [script] = stepsUsing(job, "actions/github-script");
            assert.equal(script.env.HEAD_SHA, "${{ github.event.workflow_run.head_sha }}");
            assert.match(script.with.script, /pull\.head\.sha !== process\.env\.HEAD_SHA/);
            assert.match(script.with.script, /agent-platform-review:\$\{file\.slice\(0, -3\)\}/);
            assert.match(script.with.script, /updateComment/);
        });

        it("its script updates the stack's earlier comment, creates the missing ones, and refuses a report of another commit", async () => {
            const [step] = stepsUsing(job, "actions/github-script");
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pr-comment-"));
            const cwd = process.cwd();
            try {
                fs.mkdirSync(path.join(dir, "report"));
                fs.writeFileSync(path.join(dir, "report", "pr.json"), JSON.stringify({ number: 7 }));
                fs.writeFileSync(path.join(dir, "report", "dev.md"), "<!-- agent-platform-review:dev -->\ndev report\n");
                fs.writeFileSync(path.join(dir, "report", "prod.md"), "<!-- agent-platform-review:prod -->\nprod report\n");
                const calls: string[] = [];
                const github = {
                    rest: {
                        pulls: { get: async () => ({ data: { head: { sha: "abc" } } }) },
                        issues: {
                            listComments: "listComments",
                            updateComment: async (a: any) => { calls.push(`update ${a.comment_id}: ${a.body.split("\n")[1]}`); },
                            createComment: async (a: any) => { calls.push(`create #${a.issue_number}: ${a.body.split("\n")[1]}`); },
                        },
                    },
                    paginate: async () => [
                        { id: 1, user: { login: "someone" }, body: "<!-- agent-platform-review:dev --> forged" },
                        { id: 2, user: { login: "github-actions[bot]" }, body: "<!-- agent-platform-review:dev -->\nold" },
                    ],
                };
                const run = (sha: string) => new Function("github", "context", "require", "process", `return (async () => {${step.with.script}})()`)(
                    github, { repo: { owner: "o", repo: "r" } }, require, { env: { HEAD_SHA: sha } });
                process.chdir(dir);
                await run("abc");
                assert.deepEqual(calls, ["update 2: dev report", "create #7: prod report"]);
                await assert.rejects(run("def"), /pull request #7 is not at def/);
            } finally {
                process.chdir(cwd);
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    });

    describe("e2e.yml", () => {
        const text = read("e2e.yml");
        const wf: any = parseYaml(text);
        const job = wf.jobs["local-stack-on-kind"];
        const steps = job.steps as any[];

        it("runs on pull requests that touch the platform (components, stacks, agent, e2e, the script), on main, and by hand", () => {
            const paths: string[] = wf.on.pull_request.paths;
            for (const p of ["components/**", "stacks/**", "agent/**", "e2e/**", "scripts/e2e*", "scripts/e2e/**", "Pulumi.local.yaml", ".github/workflows/e2e.yml"]) assert.ok(paths.includes(p), p);
            assert.deepEqual(wf.on.pull_request.branches, ["main"]);
            assert.deepEqual(wf.on.push.branches, ["main"]);
            assert.ok("workflow_dispatch" in wf.on);
        });

        it("holds no credential: a read-only token, no secret, no cloud login, a local state backend", () => {
            assert.deepEqual(wf.permissions, { contents: "read" });
            assert.equal(job.permissions, undefined);
            assert.doesNotMatch(text, /secrets\./);
            assert.doesNotMatch(text, /aws-actions|AWS_|PULUMI_ACCESS_TOKEN|cloud-url|role-to-assume/);
            const [checkout] = stepsUsing(job, "actions/checkout");
            assert.equal(checkout.with["persist-credentials"], false);
            assert.match(text, /--state-dir "\$\{\{ runner\.temp \}\}\/pulumi-state"/);
            const passphrase = steps.find((s) => typeof s.run === "string" && s.run.includes("PULUMI_CONFIG_PASSPHRASE"));
            assert.match(passphrase.run, /openssl rand -hex 24/);
            assert.match(passphrase.run, /::add-mask::/);
        });

        it("pins every action to a commit with its version, and the CLIs to exact versions", () => {
            const uses = steps.filter((s) => s.uses).map((s) => s.uses as string);
            assert.ok(uses.length >= 4);
            for (const u of uses) assert.match(u, /^[a-z0-9-]+\/[a-z0-9-]+@[0-9a-f]{40}$/, u);
            for (const line of text.split("\n").filter((l) => /uses: /.test(l))) assert.match(line, /@[0-9a-f]{40} # v\d+\.\d+\.\d+$/, line);
            const [pulumi] = stepsUsing(job, "pulumi/actions");
            assert.match(pulumi.with["pulumi-version"], /^\d+\.\d+\.\d+$/);
            assert.equal(pulumi.with.command, undefined, "installs the CLI only");
            const [kind] = stepsUsing(job, "helm/kind-action");
            assert.equal(kind.with.install_only, true, "the cluster comes from scripts/kind-with-registry");
            assert.match(kind.with.version, /^v\d+\.\d+\.\d+$/);
            assert.match(kind.with.kubectl_version, /^v\d+\.\d+\.\d+$/);
        });

        it("creates kind with the local registry, runs scripts/e2e-local against it, and always deletes the cluster", () => {
            const runs = steps.map((s) => s.run ?? "");
            const cluster = runs.findIndex((r) => r.includes("scripts/kind-with-registry agent-platform"));
            const e2e = runs.findIndex((r) => r.startsWith("scripts/e2e-local"));
            assert.ok(cluster >= 0 && e2e > cluster, "cluster first, then the script");
            assert.match(runs[e2e], /--context kind-agent-platform/);
            const local = parseYaml(fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.local.yaml"), "utf8")).config["agent-platform:target"];
            assert.equal(local.context, "kind-agent-platform", "the context kind creates for the cluster is the stack's");
            assert.equal(local.registry, "localhost:5001", "the registry the script starts is the stack's");
            assert.ok(runs.some((r) => r.includes("npm install --prefix policy")), "the policy pack can run");
            const cleanup = steps[steps.length - 1];
            assert.equal(cleanup.if, "always()");
            assert.match(cleanup.run, /kind delete cluster --name agent-platform/);
            assert.ok(job["timeout-minutes"] <= 90);
            for (const script of ["scripts/e2e-local", "scripts/kind-with-registry"]) {
                assert.ok(fs.statSync(path.join(PROJECT_ROOT, script)).mode & 0o100, `${script} is executable`);
            }
        });
    });

    describe("deploy.yml", () => {
        const wf: any = parseYaml(read("deploy.yml"));

        it("deploys dev on push to main and any stack by manual dispatch through GitHub environments", () => {
            assert.deepEqual(wf.on.push.branches, ["main"]);
            assert.deepEqual(wf.on.workflow_dispatch.inputs.stack.options, [...AWS_STACKS]);
            assert.equal(wf.jobs.up.environment, "${{ github.event.inputs.stack || 'dev' }}");
            const [pulumi] = stepsUsing(wf.jobs.up, "pulumi/actions");
            assert.equal(pulumi.with.command, "up");
            assert.equal(pulumi.with["stack-name"], "${{ github.event.inputs.stack || 'dev' }}");
            assert.equal(wf.permissions["id-token"], "write");
            assert.equal(wf.concurrency["cancel-in-progress"], false, "a running deployment is never cancelled");
        });
    });
});
