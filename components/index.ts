/**
 * The agent-platform component package: `import { AgentPlatform, AgentNetwork, ... } from "agent-platform"`.
 * Components, their argument types, and the pure functions that derive their settings.
 */
export * from "./cidr";
export * from "./cluster";
export * from "./clusterIam";
export * from "./clusterSpec";
export * from "./constants";
export * from "./contextStore";
export * from "./dashboards";
export * from "./image";
export * from "./imageContext";
export * from "./inClusterValkey";
export * from "./karpenterSpec";
export * from "./keda";
export * from "./modelServer";
export * from "./modelServerSpec";
export * from "./network";
export * from "./networkPolicies";
export * from "./placement";
export * from "./platform";
export * from "./platformAgents";
export * from "./podIdentity";
export * from "./profiles";
export * from "./secrets";
export * from "./secretsPolicies";
export * from "./taskQueue";
export * from "./tracing";
export * from "./tracingValues";
export * from "./validation";
export * as versions from "./versions";
export * from "./workload";
export * from "./workloadPolicies";
export * from "./workloadSpec";
