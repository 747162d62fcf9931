import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { median, RENDER_NODE_FLAGS } from "../../bench/measure";
import { PROJECT_ROOT } from "../../stacks/offline";

describe("benchmark (bench/)", () => {
    it("runs the floor and the renders with the V8 flags of `npm run render`", () => {
        const scripts = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")).scripts as Record<string, string>;
        assert.equal(scripts.render, ["node", ...RENDER_NODE_FLAGS, "--import", "tsx", "scripts/render.ts"].join(" "));
    });

    it("takes the median of odd and even lists", () => {
        assert.equal(median([3, 1, 2]), 2);
        assert.equal(median([4, 1, 3, 2]), 2.5);
    });
});
