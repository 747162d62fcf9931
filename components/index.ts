/**
 * The agent-platform component package: `import { AgentPlatform, AgentNetwork, ... } from "agent-platform"`.
 */
export * from "./constants";
export * from "./cidr";
export * from "./network";
export * from "./networkPolicies";
export * from "./placement";
export * from "./platform";
export * from "./podIdentity";
export * from "./validation";
export * as versions from "./versions";
