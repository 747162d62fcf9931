import * as assert from "node:assert/strict";
import * as path from "node:path";
import { Extractor, ExtractorConfig } from "@microsoft/api-extractor";
import { PROJECT_ROOT } from "../../stacks/offline";
import { buildPackage } from "../support/build";

/**
 * The package's public surface is deliberate: api-extractor's reports of both entry points
 * (`agent-platform` and `agent-platform/testing`) are checked in under etc/api, and a change to the
 * surface must show up there as a reviewed diff (`npm run api:report` rewrites them).
 */
describe("public API (api-extractor reports in etc/api)", function () {
    this.timeout(180_000);
    before(buildPackage);

    for (const [entry, config] of [["agent-platform", "api-extractor.json"], ["agent-platform/testing", "api-extractor.testing.json"]]) {
        it(`${entry}: the built declarations match the checked-in report, with no unexported type in the surface`, () => {
            const extractorConfig = ExtractorConfig.loadFileAndPrepare(path.join(PROJECT_ROOT, config));
            const messages: string[] = [];
            const result = Extractor.invoke(extractorConfig, {
                localBuild: false,
                messageCallback: (m) => {
                    if (m.logLevel === "warning" || m.logLevel === "error") messages.push(m.text);
                    m.handled = true;
                },
            });
            assert.equal(result.apiReportChanged, false, `the public API of ${entry} changed: run \`npm run api:report\` and commit etc/api`);
            assert.deepEqual(messages, [], "api-extractor reports nothing (e.g. a type the surface uses but the entry point does not export)");
            assert.ok(result.succeeded);
        });
    }

    it("exports the components, their arguments and the presets, and keeps internals out", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const api = require(path.join(PROJECT_ROOT, "dist", "components", "index.js")) as Record<string, unknown>;
        for (const name of ["AgentPlatform", "AgentNetwork", "AgentCluster", "AgentSecrets", "ContextStore", "TaskQueue", "Keda", "Tracing", "AgentImage", "ModelServer", "AgentWorkload", "PodIdentityRole"]) {
            assert.equal(typeof api[name], "function", name);
        }
        for (const name of ["AgentRole", "ResourceProfile", "RESOURCE_PROFILES", "contextTag", "versions"]) assert.ok(api[name], name);
        for (const internal of ["parseArgs", "kedaValues", "tempoValues", "modelServerStatefulSet", "agentConfigData", "planSubnets"]) assert.equal(api[internal], undefined, internal);
    });

    it("resolves `agent-platform/testing` to the built harness", () => {
        assert.equal(require.resolve("agent-platform/testing"), path.join(PROJECT_ROOT, "dist", "testing", "index.js"));
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const testing = require("agent-platform/testing") as typeof import("../../testing");
        assert.equal(typeof testing.runProgram, "function");
    });
});
