/**
 * The agent-platform component package: `import { AgentPlatform, AgentWorkload, ... } from "agent-platform"`.
 *
 * The public surface is deliberate and tracked (api-extractor's report in `etc/`): the components, the
 * types of their arguments, the presets (enumerations and resource profiles) and a few helpers a
 * program needs beside them. Everything else under `components/` is internal and may change.
 */

// The components and their arguments.
export { AlertNotificationArgs, AlertRulesOptions, Alerts, AlertsArgs, AlertsOptions, AlertThreshold, SlackChannelArgs } from "./alerts";
export { AgentCluster, AgentClusterArgs, ClusterOptions, CpuNodePoolOptions, GpuNodePoolOptions, NodePoolsOptions, SystemNodeGroupOptions } from "./cluster";
export { ContextStore, ContextStoreArgs, ContextStoreOptions } from "./contextStore";
export { AgentImage, AgentImageArgs } from "./image";
export { Keda, KedaArgs } from "./keda";
export { ModelServer, ModelServerArgs } from "./modelServer";
export { AgentNetwork, AgentNetworkArgs, ExistingVpcArgs, NetworkOptions } from "./network";
export { AgentPlatform, AgentPlatformArgs, FakeLlmOptions, TargetOptions } from "./platform";
export { AgentOptions, ImageOptions } from "./platform/agents";
export { PodIdentityRole, PodIdentityRoleArgs } from "./podIdentity";
export { AgentSecrets, AgentSecretsArgs, GeneratedSecretArgs, SecretEntryArgs, SecretsOptions } from "./secrets";
export { QueueScalingOptions, TaskQueue, TaskQueueArgs, TaskQueueOptions } from "./taskQueue";
export { SecretKeyRefArgs, Tracing, TracingAlertingArgs, TracingArgs, TracingOptions, WatchedQueueArgs } from "./tracing";
export { AgentWorkload, AgentWorkloadArgs, WorkloadLlmArgs, WorkloadQueueArgs, WorkloadQueueServerArgs, WorkloadRedisArgs } from "./workload";

// Presets: the values enumerated arguments take, and the workload resource profiles.
export {
    AgentRole, CapacityType, ContactPoint, ContextStoreMode, EvictionPolicy, ImagePlatform, MetricsStorage, ModelSource, NatGatewayStrategy, PlatformTarget,
    QueueBackend, ResourceProfile, SecretStoreKind, SqsAuthentication, TraceStorage,
} from "./shared/constants";
export { RESOURCE_PROFILES, ResourceRequirements } from "./shared/profiles";

// Helpers a program uses beside the components.
export { contextTag, ContextTagOptions } from "./image/context";
export { ScaledObjectArgs, scaledObjectFor } from "./keda/spec";
export { policyDocument, PolicyStatement } from "./podIdentity/spec";
export { dependsOnFor, InClusterDependencies } from "./shared/inCluster";
export { AGENT_NAMESPACE, OBSERVABILITY_NAMESPACE } from "./shared/placement";
export * as versions from "./shared/versions";
export { consumerStatements, producerStatements } from "./taskQueue/spec";
