// One in-process render of a stack (the real program under the test mocks), then reports its cost.
// Given a file too, it then writes there what `resourcesOnly.ts` registers again (after the report,
// so the measurement leaves it out).
import * as fs from "node:fs";
import { runStack } from "../stacks/offline";
import { report } from "./measure";
import { replayedOf } from "./replayed";

const [stack, replayFile] = process.argv.slice(2);
runStack(stack).then((result) => {
    report(stack, result.resources.length);
    if (replayFile !== undefined) fs.writeFileSync(replayFile, JSON.stringify(replayedOf(result.resources)));
}, (error: Error) => {
    console.error(error.message);
    process.exit(1);
});
