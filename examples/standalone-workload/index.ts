/**
 * Using one component on its own, the way a user's Pulumi program would: an agent API in an existing
 * cluster, its image and queue created elsewhere. `pulumi up` runs `deploySupportBot()` from a
 * program's entry point; tests/project/consumer.test.ts runs it under mocks against the built package.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AgentRole, AgentWorkload } from "agent-platform";

export function deploySupportBot() {
    const config = new pulumi.Config("support-bot");
    const provider = new k8s.Provider("existing-cluster", { kubeconfig: config.requireSecret("kubeconfig") });
    const bot = new AgentWorkload("support-bot", {
        workloadName: "support-bot",
        role: AgentRole.Api,
        environment: "prod",
        clusterName: config.require("clusterName"),
        image: config.require("image"),
        namespace: "support",
        minReplicas: 2,
        maxReplicas: 8,
        queue: { url: config.require("queueUrl"), arn: config.require("queueArn"), maxJobDurationSeconds: 300 },
        region: "eu-west-1",
        llm: { baseUrl: "https://api.openai.com/v1", model: "gpt-4o-mini", apiKeySecretName: "llm", apiKeySecretKey: "OPENAI_API_KEY" },
        secretNames: ["llm"],
    }, { providers: { kubernetes: provider } });
    return { serviceUrl: bot.serviceUrl, roleArn: bot.roleArn };
}
