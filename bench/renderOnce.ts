// One in-process render of a stack (the real program under the test mocks), then reports its cost.
import { runStack } from "../stacks/offline";
import { report } from "./measure";

const stack = process.argv[2];
runStack(stack).then((result) => report(stack, result.resources.length), (error: Error) => {
    console.error(error.message);
    process.exit(1);
});
