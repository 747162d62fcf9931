import * as assert from "node:assert/strict";
import * as path from "node:path";
import { ComponentProvider, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import * as api from "../../components";
import { argMeta, jsonSchemaOf, schemaAt, unwrap, z } from "../../components/shared/schema";
import { PROJECT_ROOT } from "../../stacks/offline";
import { ARG_SCHEMAS } from "../support/argSchemas";

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

    it("states in every argument's JSDoc the default and the integer bounds its zod schema has (one source, documented faithfully)", () => {
         
        const described: [string, Record<string, { description?: string }>][] = [
            ...Object.entries<{ inputProperties?: Record<string, { description?: string }> }>(schema.resources).map(([t, r]) => [t, r.inputProperties ?? {}] as [string, Record<string, { description?: string }>]),
            ...Object.entries<{ properties?: Record<string, { description?: string }> }>(schema.types).map(([t, r]) => [t, r.properties ?? {}] as [string, Record<string, { description?: string }>]),
        ];
        const checked: string[] = [];
        const problems: string[] = [];
        for (const [token, properties] of described) {
            const typeName = token.split(":").pop() as string;
            // Pulumi's own Resource, as the analyzer renders a `pulumi.Resource[]` argument (inClusterDependsOn).
            if (typeName === "Resource") continue;
            const argSchema = ARG_SCHEMAS[typeName];
            assert.ok(argSchema, `${typeName} has a zod schema in tests/support/argSchemas.ts`);
            for (const [property, spec] of Object.entries(properties)) {
                const at = `${typeName}.${property}`;
                const field = schemaAt(argSchema, [property]);
                if (!field) {
                    problems.push(`${at} is not declared in the schema`);
                    continue;
                }
                const doc = spec.description ?? "";
                const parsed = z.safeParse(field, undefined);
                const literal = /Default: (-?\d+(?:\.\d+)?|true|false|"[^"]*"|\[[^\]]*\]|\{[^}]*\})[.,;) ]/.exec(doc + " ");
                const value = literal ? (() => { try { return { v: JSON.parse(literal[1]) }; } catch { return undefined; } })() : undefined;
                if (/Required\./.test(doc) && parsed.success) problems.push(`${at}: documented as required, but the schema has a default`);
                const dependent = argMeta(field).defaultText;
                if (dependent !== undefined) {
                    // A default that depends on other arguments: the JSDoc states it in the schema's words.
                    if (!doc.includes(`Default: ${dependent}`)) problems.push(`${at}: JSDoc does not say "Default: ${dependent}"`);
                } else if (value) {
                    checked.push(at);
                    if (!parsed.success) problems.push(`${at}: JSDoc says Default: ${literal![1]}, but the schema requires a value`);
                    else if (JSON.stringify(parsed.data) !== JSON.stringify(value.v)) problems.push(`${at}: JSDoc says Default: ${literal![1]}, the schema ${JSON.stringify(parsed.data)}`);
                }
                const range = /\((\d[\d ]*)–(\d[\d ]*)[;),]/.exec(doc);
                const json = jsonSchemaOf(unwrap(field));
                if (range && json.type === "integer") {
                    const [min, max] = [range[1], range[2]].map((n) => Number(n.replace(/ /g, "")));
                    if (json.minimum !== min || json.maximum !== max) problems.push(`${at}: JSDoc says (${range[1]}–${range[2]}), the schema ${json.minimum}–${json.maximum}`);
                }
            }
        }
        assert.deepEqual(problems, []);
        assert.ok(checked.length > 60, `literal defaults checked: ${checked.length}`);
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
