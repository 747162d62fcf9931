import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { kubernetesObjects, one, runProgram } from "../../testing";
import { PROJECT_ROOT } from "../../stacks/offline";
import { buildPackage } from "../support/build";

/**
 * A consumer's view: build the package (compiled JS + .d.ts, as `npm install` of this repository
 * does), type-check a program that imports "agent-platform" by name against those declarations, and
 * run it under mocks.
 */
describe("consumer program (examples/standalone-workload)", function () {
    this.timeout(180_000);
    const tsc = path.join(PROJECT_ROOT, "node_modules", "typescript", "bin", "tsc");

    before(buildPackage);

    it("type-checks against the published declarations (package.json exports → dist)", () => {
        try {
            execFileSync(process.execPath, [tsc, "-p", path.join("examples", "tsconfig.json")], { cwd: PROJECT_ROOT, encoding: "utf8" });
        } catch (error) {
            assert.fail(`tsc reported:\n${(error as { stdout?: string }).stdout}`);
        }
    });

    it("resolves `agent-platform` to the built package, not to the TypeScript source", () => {
        assert.equal(require.resolve("agent-platform"), path.join(PROJECT_ROOT, "dist", "components", "index.js"));
    });

    it("builds an AgentWorkload on its own from the imported package", async () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { deploySupportBot } = require("../../examples/standalone-workload") as typeof import("../../examples/standalone-workload");
        const result = await runProgram(deploySupportBot, {
            config: {
                "support-bot:kubeconfig": "{}",
                "support-bot:clusterName": "shared-prod",
                "support-bot:image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/bot@sha256:" + "b".repeat(64),
                "support-bot:queueUrl": "https://sqs.eu-west-1.amazonaws.com/123456789012/bot-jobs",
                "support-bot:queueArn": "arn:aws:sqs:eu-west-1:123456789012:bot-jobs",
            },
            secretKeys: ["support-bot:kubeconfig"],
        });
        const deployment = kubernetesObjects(result.resources, "Deployment")[0];
        assert.equal(deployment.inputs.metadata.namespace, "support");
        assert.equal(one(result.resources, "agent-platform:index:AgentWorkload").name, "support-bot");
        assert.equal(one(result.resources, "aws:eks/podIdentityAssociation:PodIdentityAssociation").inputs.clusterName, "shared-prod");
        assert.equal(result.outputs.serviceUrl, "http://support-bot.support.svc.cluster.local");
    });
});
