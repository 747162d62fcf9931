import * as assert from "node:assert/strict";
import * as path from "node:path";
import { ComponentProvider, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import * as api from "../../components";
import { PROJECT_ROOT } from "../../stacks/offline";

/** Generates the package schema the way `pulumi package add` does, from TypeScript source. */
async function schemaOf(dir: string, name: string, moduleExports: Record<string, unknown>) {
    const provider = new ComponentProvider({ components: getPulumiComponents(moduleExports), name, dirname: dir });
    return JSON.parse(await provider.getSchema());
}

describe("component package schema", () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let schema: any;
    before(async function () {
        this.timeout(120_000);
        schema = await schemaOf(PROJECT_ROOT, "agent-platform", api);
    });

    it("lists every exported component under its agent-platform:index token", () => {
        const exported = getPulumiComponents(api).map((c) => `agent-platform:index:${c.name}`).sort();
        assert.ok(exported.includes("agent-platform:index:AgentNetwork"));
        assert.ok(exported.includes("agent-platform:index:AgentPlatform"));
        assert.deepEqual(Object.keys(schema.resources).sort(), exported);
        for (const token of exported) assert.equal(schema.resources[token].isComponent, true, token);
    });

    it("documents every input of every component, with its default", () => {
        for (const [token, resource] of Object.entries<{ inputProperties?: Record<string, { description?: string }> }>(schema.resources)) {
            for (const [input, spec] of Object.entries(resource.inputProperties ?? {})) {
                assert.ok(spec.description && spec.description.length > 10, `${token}.${input} has a description`);
                assert.match(spec.description!, /Default|Required/, `${token}.${input} states its default (or that it is required)`);
            }
        }
    });

    it("types AgentNetwork's arguments and outputs", () => {
        const network = schema.resources["agent-platform:index:AgentNetwork"];
        assert.deepEqual(network.requiredInputs, ["clusterName"]);
        assert.equal(network.inputProperties.availabilityZoneCount.type, "number");
        assert.equal(network.inputProperties.existingVpc.$ref, "#/types/agent-platform:index:ExistingVpcArgs");
        assert.deepEqual(network.properties.privateSubnetIds, { type: "array", items: { type: "string" }, description: network.properties.privateSubnetIds.description });
        assert.ok(schema.types["agent-platform:index:ExistingVpcArgs"].properties.privateSubnetIds);
    });

    it("fails at once when a component argument uses a type the analyzer rejects (a union literal)", async function () {
        this.timeout(120_000);
        const dir = path.join(PROJECT_ROOT, "tests", "fixtures", "unsupported-arg-type");
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const bad = require(path.join(dir, "index.ts"));
        await assert.rejects(schemaOf(dir, "unsupported-arg-type", bad), /Union types are not supported for component 'Bad' property 'BadArgs.mode'/);
    });
});
