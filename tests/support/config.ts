import * as assert from "node:assert/strict";
import { besidesStack, RunResult } from "../../testing";
import { StackConfigError } from "../../stacks/config";

/**
 * Fails unless a run (with `captureError`) stopped at config validation: a StackConfigError whose
 * message matches every pattern, and nothing registered besides the stack. Returns the error.
 */
export function assertConfigRejected(result: RunResult, ...messages: RegExp[]): StackConfigError {
    assert.ok(result.error instanceof StackConfigError, `expected a StackConfigError, got ${result.error}`);
    for (const message of messages) assert.match(result.error.message, message);
    assert.deepEqual(besidesStack(result.resources), [], "nothing is registered");
    return result.error;
}
