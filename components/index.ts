/**
 * The agent-platform component package: `import { AgentPlatform, AgentNetwork, ... } from "agent-platform"`.
 * Components, their argument types, and the pure functions that derive their settings.
 */
export * from "./shared/cidr";
export * from "./cluster";
export * from "./cluster/iam";
export * from "./cluster/spec";
export * from "./shared/constants";
export * from "./contextStore";
export * from "./tracing/dashboards";
export * from "./image";
export * from "./image/context";
export * from "./contextStore/inClusterValkey";
export * from "./cluster/karpenterSpec";
export * from "./keda";
export * from "./modelServer";
export * from "./modelServer/spec";
export * from "./network";
export * from "./network/spec";
export * from "./shared/inCluster";
export * from "./shared/placement";
export * from "./platform";
export * from "./platform/agents";
export * from "./podIdentity";
export * from "./shared/profiles";
export * from "./secrets";
export * from "./secrets/spec";
export * from "./taskQueue";
export * from "./tracing";
export * from "./tracing/values";
export * from "./shared/validation";
export * as versions from "./shared/versions";
export * from "./workload";
export * from "./workload/policies";
export * from "./workload/spec";
