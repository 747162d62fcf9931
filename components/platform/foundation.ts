/**
 * What AgentPlatform's in-cluster components stand on, per target: on AWS the network, the EKS cluster
 * and a Kubernetes provider built from its kubeconfig; on an existing cluster, only a provider for the
 * kubeconfig context. Then the stand-ins each component takes on that target — arguments of the same
 * components, not a second code path: where secrets live, what serves the queues, how KEDA
 * authenticates, where images go and whether controllers are pinned to system nodes.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { AgentCluster } from "../cluster";
import { KEDA_STATIC_KEY_AUTHENTICATION, KEDA_TRIGGER_AUTHENTICATION, TriggerAuthenticationKind } from "../keda/args";
import { AgentNetwork } from "../network";
import { PlatformTarget, QueueBackend, SecretStoreKind, SqsAuthentication } from "../shared/constants";
import { ELASTICMQ_ACCOUNT } from "../taskQueue/elasticMq";
import { AwsFoundationArgs, ResolvedPlatformArgs } from "./args";

/** The base every in-cluster component of a platform is built on. */
export interface Foundation {
    /** The Kubernetes provider of every in-cluster component. */
    provider: k8s.Provider;
    /** Name of the cluster: the EKS cluster, or the kubeconfig context (`k8s.cluster.name` on spans). */
    clusterName: pulumi.Output<string>;
    /** What controllers' pods wait for: AgentCluster's system nodes (nothing on an existing cluster). */
    systemNodesReady: pulumi.Resource[];
    /** What workloads' pods wait for: Karpenter's capacity (nothing on an existing cluster). */
    workloadNodesReady: pulumi.Resource[];
    /** What volumes of the default StorageClass wait for: the EBS CSI driver and gp3 (nothing on an existing cluster). */
    storageReady: pulumi.Resource[];
    /** Region of the queues: the agents' `AWS_REGION` and KEDA's `awsRegion`. */
    region: pulumi.Output<string>;
    /** The VPC and the EKS cluster (target "aws" only). */
    aws?: { network: AgentNetwork; cluster: AgentCluster };
}

/**
 * The VPC, the EKS cluster and the provider built from its kubeconfig, which only changes when the
 * cluster does (exec auth, no token), so the provider is not replaced between runs. `args` are the
 * platform's network and cluster options with defaults applied (awsFoundationArgs); `tags` are the
 * platform's (the network's own included).
 */
export function awsFoundation(parent: pulumi.ComponentResource, name: string, args: AwsFoundationArgs, clusterName: string, tags: Record<string, string>): Foundation {
    const { network: networkArgs, cluster: clusterArgs } = args;
    const network = new AgentNetwork(`${name}-network`, { ...networkArgs, tags, clusterName }, { parent });
    const cluster = new AgentCluster(`${name}-cluster`, {
        ...clusterArgs,
        tags: { ...tags, ...clusterArgs.tags },
        clusterName,
        vpcId: network.vpcId,
        privateSubnetIds: network.privateSubnetIds,
    }, { parent });
    const provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: cluster.kubeconfig, enableServerSideApply: true }, { parent });
    return {
        provider,
        clusterName: cluster.clusterName,
        systemNodesReady: cluster.systemNodesReady,
        workloadNodesReady: cluster.workloadNodesReady,
        storageReady: cluster.storageReady,
        region: aws.getRegionOutput({}, { parent }).region,
        aws: { network, cluster },
    };
}

/** An existing cluster: a provider for the kubeconfig context, and nothing to wait for. */
export function kubernetesFoundation(parent: pulumi.ComponentResource, name: string, context: string): Foundation {
    const provider = new k8s.Provider(`${name}-k8s`, { context, enableServerSideApply: true }, { parent });
    return {
        provider, clusterName: pulumi.output(context), systemNodesReady: [], workloadNodesReady: [], storageReady: [],
        region: pulumi.output(ELASTICMQ_ACCOUNT.region),
    };
}

/** The arguments each component takes on a target: the managed services on AWS, in-cluster stand-ins elsewhere. */
export function standInsFor(target: ResolvedPlatformArgs["target"]) {
    const kubernetes = target.type === PlatformTarget.Kubernetes;
    return {
        /** Controllers on AgentCluster's system nodes, or wherever the scheduler puts them. */
        onSystemNodes: !kubernetes,
        secrets: { store: kubernetes ? SecretStoreKind.Kubernetes : SecretStoreKind.SecretsManager },
        queues: { backend: kubernetes ? QueueBackend.ElasticMq : QueueBackend.Sqs },
        keda: { authentication: kubernetes ? SqsAuthentication.StaticKey : SqsAuthentication.PodIdentity },
        /** What workers' ScaledObjects reference (what Keda creates for that authentication). */
        triggerAuthentication: kubernetes
            ? { name: KEDA_STATIC_KEY_AUTHENTICATION, kind: TriggerAuthenticationKind.Cluster }
            : { name: KEDA_TRIGGER_AUTHENTICATION, kind: TriggerAuthenticationKind.Namespaced },
        /** Where images are pushed: ECR (undefined) or the target's registry. */
        images: kubernetes ? { registry: target.registry, registryUsername: target.registryUsername, registryPassword: target.registryPassword } : undefined,
    };
}

/** The stand-ins of one target. */
export type StandIns = ReturnType<typeof standInsFor>;
