import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildReport, renderDiff, reportMarker, reportMarkdown } from "../../scripts/review/report";
import { policyViolations } from "../../scripts/review/policy";
import { agentDeployment, container, mutate } from "../support/policyFixtures";

describe("pull-request report (scripts/review)", () => {
    it("applies the policy pack to rendered resources and names rule, resource and message", () => {
        assert.deepEqual(policyViolations([{ type: "kubernetes:apps/v1:Deployment", name: "chat-api", inputs: agentDeployment }]), []);
        const broken = mutate(agentDeployment, (o) => { delete container(o).securityContext.readOnlyRootFilesystem; });
        const found = policyViolations([{ type: "kubernetes:apps/v1:Deployment", name: "chat-api", inputs: broken }]);
        assert.deepEqual(found.map((v) => [v.rule, v.name]), [["k8s-read-only-root-filesystem", "chat-api"]]);
        assert.match(found[0].message, /readOnlyRootFilesystem/);
    });

    it("diffs two render directories with git, and says when nothing changed", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "review-test-"));
        try {
            for (const side of ["base", "head"]) fs.mkdirSync(path.join(root, side, "aws"), { recursive: true });
            fs.writeFileSync(path.join(root, "base", "aws", "a.json"), '{ "size": 1 }\n');
            fs.writeFileSync(path.join(root, "head", "aws", "a.json"), '{ "size": 1 }\n');
            assert.deepEqual(renderDiff(root), { stat: "", diff: "", truncated: false });
            fs.writeFileSync(path.join(root, "head", "aws", "a.json"), '{ "size": 2 }\n');
            fs.writeFileSync(path.join(root, "head", "aws", "b.json"), "{}\n");
            const changed = renderDiff(root);
            assert.match(changed.diff, /-\{ "size": 1 \}\n\+\{ "size": 2 \}/);
            assert.match(changed.stat, /2 files changed/);
            assert.equal(renderDiff(root, 10).truncated, true);
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });

    it("gives same-repository pull requests the cost only, and forks the offline diff and policy result too", () => {
        const args = { stack: "dev", base: "main", cost: "| cost |\n", diff: { stat: "1 file changed", diff: "+x", truncated: false }, violations: [{ rule: "sqs-encryption", type: "aws:sqs/queue:Queue", name: "q", message: "must be encrypted" }] };
        const same = reportMarkdown({ ...args, fork: false });
        assert.ok(same.startsWith(reportMarker("dev")));
        assert.doesNotMatch(same, /offline render diff|Policy pack/);
        const fork = reportMarkdown({ ...args, fork: true });
        assert.match(fork, /This is an \*\*offline render diff\*\*/);
        assert.match(fork, /1 violation\*\*/);
        assert.match(fork, /- `sqs-encryption`: aws:sqs\/queue:Queue `q`: must be encrypted/);
        assert.match(fork, /```diff\n\+x\n```/);
    });

    it("builds the fork report of the dev stack against HEAD: cost table, policy result, render diff", async function () {
        this.timeout(120_000);
        const report = await buildReport("dev", "HEAD", true);
        assert.ok(report.startsWith(reportMarker("dev")));
        assert.match(report, /\| \*\*total per month\*\* \| \*\*\$[\d,]+\.\d\d\*\* \|/);
        assert.match(report, /offline render diff/);
        assert.match(report, /Policy pack \(`policy\/`\) under mocks/);
    });
});
