import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { runProgram } from "../../testing";
import { bookkeepingAwareFormatter } from "../../testing/stackTraces";

/** A call site as V8 hands it to Error.prepareStackTrace. */
const frame = (functionName: string, fileName: string) => ({ getFunctionName: () => functionName, getFileName: () => fileName, toString: () => `${functionName} (${fileName}:1:1)` }) as unknown as NodeJS.CallSite;

describe("bookkeeping stack traces under the mocks (testing/stackTraces.ts)", () => {
    it("formats the SDK's source-position traces without frames and hands every other trace to the previous formatter", () => {
        const seen: string[] = [];
        const format = bookkeepingAwareFormatter((error) => { seen.push(error.message); return "original"; });
        const sdk = "/app/node_modules/@pulumi/pulumi/resource.js";
        assert.equal(format(new Error("pos"), [frame("callsites", sdk), frame("Resource", sdk)]), "Error: pos");
        assert.equal(format(new Error("user"), [frame("callsites", "/app/components/mine.ts")]), "original", "a user function of the same name");
        assert.equal(format(new Error("other"), [frame("registerResource", sdk)]), "original");
        assert.equal(format(new Error("empty"), []), "original");
        assert.deepEqual(seen, ["user", "other", "empty"]);
    });

    it("keeps normal, source-mapped stack traces for errors a program creates, and restores everything after the run", async () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: unknown };
        const [formatter, debuggablePromise, limit] = [Error.prepareStackTrace, debuggable.debuggablePromise, Error.stackTraceLimit];
        const reference = new Error("outside").stack!;
        let inside = "";
        await runProgram(() => {
            new pulumi.ComponentResource("test:index:Thing", "thing");
            inside = new Error("inside").stack!;
        });
        const lineOf = (stack: string) => Number(/stackTraces\.test\.ts:(\d+):\d+/.exec(stack)?.[1]);
        assert.ok(lineOf(reference) > 0 && lineOf(inside) > 0, inside);
        assert.equal(lineOf(inside) - lineOf(reference), 4, "the same source-mapped positions as outside a run");
        assert.equal(Error.prepareStackTrace, formatter);
        assert.equal(debuggable.debuggablePromise, debuggablePromise);
        assert.equal(Error.stackTraceLimit, limit);
    });
});
