/**
 * `agent-platform/testing`: run a Pulumi program (or a stack of a project) offline under mocks that
 * answer like AWS, Kubernetes and Docker, and query what it registered. No cloud account, no Pulumi
 * CLI, no engine. Use it in your own tests of programs built from the agent-platform components.
 *
 * ```ts
 * import { runProgram, one } from "agent-platform/testing";
 * const result = await runProgram(() => require(".").deploy());
 * const queue = one(result.resources, "aws:sqs/queue:Queue");
 * ```
 */
export { hexOf, MOCK_ACCOUNT, MOCK_PARTITION, mockCall, mockOutputs } from "./mocks";
export { besidesStack, childrenOf, countByType, json, kubernetesObjects, ofType, one } from "./query";
export { configEntries, readStackConfigFile, Registered, RunOptions, RunResult, runProgram, runStackFile } from "./run";
