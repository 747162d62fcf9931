import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { contextTag } from "../components/image/context";
import { AgentPlatform } from "../components/platform";
import { ContactPoint, PlatformTarget } from "../components/shared/constants";
import { platformArgsFromConfig } from "./args";
import { loadPlatformConfig } from "./config";

/**
 * The Pulumi program: validate the stack configuration (before any resource exists), build the
 * platform, return the stack outputs an operator needs.
 */
export function definePlatform() {
    const config = loadPlatformConfig();
    // Image tags hash the build contexts, so an unchanged agent keeps its tag (and its digest).
    const root = path.join(__dirname, "..");
    const imageTags = Object.fromEntries(config.images.map((i) => [i.name, contextTag(path.join(root, i.context), {
        dockerfile: path.join(root, i.dockerfile), platform: i.platform,
    })]));
    const platform = new AgentPlatform("platform", platformArgsFromConfig(config, imageTags));
    // What only exists on AWS; on the kubernetes target `clusterName` is the kubeconfig context.
    const aws = config.target.type === PlatformTarget.Aws ? {
        vpcId: platform.vpcId,
        privateSubnetIds: platform.privateSubnetIds,
        publicSubnetIds: platform.publicSubnetIds,
        clusterEndpoint: platform.clusterEndpoint,
        clusterSecurityGroupId: platform.clusterSecurityGroupId,
        kubeconfig: pulumi.secret(platform.kubeconfig),
    } : {};
    return {
        environment: config.environment,
        target: config.target.type,
        clusterName: platform.clusterName,
        ...aws,
        otlpEndpoint: platform.otlpEndpoint,
        metricsQueryUrl: platform.metricsQueryUrl,
        ...(config.alerts.contactPoint === ContactPoint.Sns ? { alertTopicArn: platform.alertTopicArn } : {}),
        grafanaPortForwardCommand: platform.grafanaPortForwardCommand,
        contextStoreUrl: platform.contextStoreUrl,
        contextStoreTls: platform.contextStoreTls,
        queueUrls: platform.queueUrls,
        deadLetterQueueUrls: platform.deadLetterQueueUrls,
        secretNames: platform.secretNames,
        imageRefs: platform.imageRefs,
        apiServiceUrls: platform.apiServiceUrls,
        ...(config.modelServer.enabled ? { modelServerUrl: platform.modelServerUrl } : {}),
    };
}
