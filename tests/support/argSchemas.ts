import { alertRulesSchema, alertsArgsSchema, alertsOptionsSchema, alertThresholdSchema, slackChannelSchema } from "../../components/alerts/args";
import { clusterArgsSchema, clusterOptionsSchema, cpuNodePoolSchema, gpuNodePoolSchema, nodePoolsSchema, systemNodesSchema } from "../../components/cluster/args";
import { contextStoreArgsSchema, contextStoreOptionsSchema } from "../../components/contextStore/args";
import { imageArgsSchema } from "../../components/image/args";
import { kedaArgsSchema, queueScalingSchema } from "../../components/keda/args";
import { modelServerArgsSchema } from "../../components/modelServer/args";
import { existingVpcSchema, networkArgsSchema, networkOptionsSchema } from "../../components/network/args";
import { agentOptionsSchema, fakeLlmOptionsSchema, imageOptionsSchema, platformArgsSchema, targetOptionsSchema } from "../../components/platform/args";
import { podIdentityRoleArgsSchema } from "../../components/podIdentity/args";
import { generatedSecretSchema, secretEntrySchema, secretsArgsSchema, secretsOptionsSchema } from "../../components/secrets/args";
import { inClusterDependenciesSchema } from "../../components/shared/inCluster";
import { AnySchema } from "../../components/shared/schema";
import { taskQueueArgsSchema, taskQueueOptionsSchema } from "../../components/taskQueue/args";
import { secretKeyRefSchema, tracingAlertingSchema, tracingArgsSchema, tracingOptionsSchema, watchedQueueSchema } from "../../components/tracing/args";
import { workloadArgsSchema, workloadLlmSchema, workloadQueueSchema, workloadQueueServerSchema, workloadRedisSchema } from "../../components/workload/args";

/** The zod schema behind each component and argument type of the package schema, by type name. */
export const ARG_SCHEMAS: Record<string, AnySchema> = {
    AgentNetwork: networkArgsSchema, NetworkOptions: networkOptionsSchema, ExistingVpcArgs: existingVpcSchema,
    AgentCluster: clusterArgsSchema, ClusterOptions: clusterOptionsSchema, SystemNodeGroupOptions: systemNodesSchema,
    NodePoolsOptions: nodePoolsSchema, CpuNodePoolOptions: cpuNodePoolSchema, GpuNodePoolOptions: gpuNodePoolSchema,
    AgentSecrets: secretsArgsSchema, SecretsOptions: secretsOptionsSchema, SecretEntryArgs: secretEntrySchema, GeneratedSecretArgs: generatedSecretSchema,
    ContextStore: contextStoreArgsSchema, ContextStoreOptions: contextStoreOptionsSchema,
    TaskQueue: taskQueueArgsSchema, TaskQueueOptions: taskQueueOptionsSchema, QueueScalingOptions: queueScalingSchema,
    Keda: kedaArgsSchema, Tracing: tracingArgsSchema, TracingOptions: tracingOptionsSchema,
    AgentImage: imageArgsSchema, ImageOptions: imageOptionsSchema, ModelServer: modelServerArgsSchema, ModelServerArgs: modelServerArgsSchema,
    AgentWorkload: workloadArgsSchema, WorkloadQueueArgs: workloadQueueSchema, WorkloadRedisArgs: workloadRedisSchema, WorkloadLlmArgs: workloadLlmSchema,
    InClusterDependencies: inClusterDependenciesSchema,
    WorkloadQueueServerArgs: workloadQueueServerSchema,
    AgentPlatform: platformArgsSchema, AgentOptions: agentOptionsSchema, PodIdentityRole: podIdentityRoleArgsSchema,
    TargetOptions: targetOptionsSchema, FakeLlmOptions: fakeLlmOptionsSchema,
    Alerts: alertsArgsSchema, AlertsOptions: alertsOptionsSchema, AlertRulesOptions: alertRulesSchema, AlertThreshold: alertThresholdSchema, SlackChannelArgs: slackChannelSchema,
    TracingAlertingArgs: tracingAlertingSchema, WatchedQueueArgs: watchedQueueSchema, SecretKeyRefArgs: secretKeyRefSchema,
};
