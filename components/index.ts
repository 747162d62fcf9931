/**
 * The agent-platform component package: `import { AgentPlatform, AgentNetwork, ... } from "agent-platform"`.
 */
export * from "./constants";
export * from "./contextStore";
export * from "./inClusterValkey";
export * from "./image";
export * from "./imageContext";
export * from "./modelServer";
export * from "./modelServerSpec";
export * from "./keda";
export * from "./taskQueue";
export * from "./cidr";
export * from "./cluster";
export * from "./clusterIam";
export * from "./karpenterSpec";
export * from "./network";
export * from "./networkPolicies";
export * from "./placement";
export * from "./platform";
export * from "./podIdentity";
export * from "./profiles";
export * from "./secrets";
export * from "./secretsPolicies";
export * from "./dashboards";
export * from "./tracing";
export * from "./tracingValues";
export * from "./validation";
export * as versions from "./versions";
export * from "./workload";
export * from "./workloadPolicies";
export * from "./workloadSpec";
