import * as assert from "node:assert/strict";
import { maskSecrets } from "../../scripts/render";
import { Registered } from "../../testing";

/**
 * Fails unless no input of any resource holds a value (or any of several) outside what Pulumi holds as a
 * secret: each resource's inputs with its secret paths masked (as `npm run render` writes them) must not
 * contain it. Returns the resources whose unmasked inputs do hold one, for the caller to check where it went.
 */
export function assertNowherePlain(resources: readonly Registered[], values: string | readonly string[]): Registered[] {
    const all = typeof values === "string" ? [values] : values;
    assert.ok(all.length > 0 && all.every((v) => v.length > 0), "values to look for");
    for (const res of resources) {
        const plain = JSON.stringify(maskSecrets(res.inputs, res.secretPaths));
        for (const v of all) assert.ok(!plain.includes(v), `${res.type} ${res.name} holds a secret value in a plain input`);
    }
    return resources.filter((res) => {
        const text = JSON.stringify(res.inputs);
        return all.some((v) => text.includes(v));
    });
}
