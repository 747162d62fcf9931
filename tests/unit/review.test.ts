import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { criticalPath } from "../../scripts/criticalPath";
import { buildReport, criticalPathSection, renderDiff, reportMarker, reportMarkdown } from "../../scripts/review/report";
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

    it("gives same-repository pull requests the cost and the deploy critical path, and forks the offline diff and policy result too", () => {
        const args = { stack: "dev", base: "main", cost: "| cost |\n", deployPath: ["**Estimated deploy critical path** ..."], diff: { stat: "1 file changed", diff: "+x", truncated: false }, violations: [{ rule: "sqs-encryption", type: "aws:sqs/queue:Queue", name: "q", message: "must be encrypted" }] };
        const same = reportMarkdown({ ...args, fork: false });
        assert.ok(same.startsWith(reportMarker("dev")));
        assert.doesNotMatch(same, /offline render diff|Policy pack/);
        assert.match(same, /\| cost \|\n\n\*\*Estimated deploy critical path\*\* \.\.\.\n$/);
        const fork = reportMarkdown({ ...args, fork: true });
        assert.match(fork, /This is an \*\*offline render diff\*\*/);
        assert.match(fork, /1 violation\*\*/);
        assert.match(fork, /- `sqs-encryption`: aws:sqs\/queue:Queue `q`: must be encrypted/);
        assert.match(fork, /```diff\n\+x\n```/);
    });

    it("gives the deploy critical path against the base's: slower, faster, unchanged, or none printed", () => {
        const head = criticalPath([
            { urn: "urn:a", type: "aws:eks/cluster:Cluster", name: "a", custom: true, parent: "", provider: "", dependencies: [] },
            { urn: "urn:b", type: "aws:eks/nodeGroup:NodeGroup", name: "b", custom: true, parent: "", provider: "", dependencies: ["urn:a"] },
        ]);
        const minutes = head.minutes.toFixed(2);
        const headline = (base: number | undefined) => criticalPathSection(head, base)[0];
        assert.equal(headline(head.minutes - 1.5), `**Estimated deploy critical path** of a first \`pulumi up\`: ${minutes} min (base ${(head.minutes - 1.5).toFixed(2)} min, +1.50 min).`);
        assert.match(headline(head.minutes + 0.25), /, -0\.25 min\)\.$/);
        assert.match(headline(Number(minutes)), new RegExp(`\\(base ${minutes} min, unchanged\\)`));
        assert.match(headline(undefined), /\(the base's render prints no estimate\)/);
        assert.match(criticalPathSection(head, undefined)[2], /<details><summary>The chain<\/summary>[\s\S]*aws:eks\/nodeGroup:NodeGroup {2}b {2}\(dependency\)/);
    });

    it("builds the fork report of the dev stack against HEAD: cost table, deploy critical path, policy result, render diff", async function () {
        this.timeout(120_000);
        const report = await buildReport("dev", "HEAD", true);
        assert.ok(report.startsWith(reportMarker("dev")));
        assert.match(report, /\| \*\*total per month\*\* \| \*\*\$[\d,]+\.\d\d\*\* \|/);
        assert.match(report, /Estimated deploy critical path\*\* of a first `pulumi up`: (\d+\.\d\d) min \(base \1 min, unchanged\)/);
        assert.match(report, /offline render diff/);
        assert.match(report, /Policy pack \(`policy\/`\) under mocks/);
    });
});
