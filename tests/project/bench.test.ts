import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { median, RENDER_NODE_FLAGS } from "../../bench/measure";
import { replayedOf } from "../../bench/replayed";
import { replay } from "../../bench/resourcesOnly";
import { PROJECT_ROOT, sharedRender, STACKS } from "../../stacks/offline";
import { Registered } from "../../testing";

describe("benchmark (bench/)", () => {
    it("runs the floor and the renders with the V8 flags of `npm run render`", () => {
        const scripts = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")).scripts as Record<string, string>;
        assert.equal(scripts.render, ["node", ...RENDER_NODE_FLAGS, "--import", "tsx", "scripts/render.ts"].join(" "));
    });

    for (const stack of STACKS) {
        it(`registers the resources of the ${stack} render again, with the same parents, providers and inputs, straight through the SDK`, async () => {
            const render = await sharedRender(stack);
            const replayed = await replay(replayedOf(render.resources), stack);
            const shape = (r: Registered) => ({ urn: r.urn, parent: r.parent, provider: r.provider, custom: r.custom, inputs: r.inputs });
            const byUrn = (a: { urn: string }, b: { urn: string }) => a.urn.localeCompare(b.urn);
            assert.deepEqual(replayed.resources.map(shape).sort(byUrn), render.resources.map(shape).sort(byUrn));
        });
    }

    it("takes the median of odd and even lists", () => {
        assert.equal(median([3, 1, 2]), 2);
        assert.equal(median([4, 1, 3, 2]), 2.5);
    });
});
