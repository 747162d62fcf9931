/**
 * Pure builders of an AgentWorkload's policies: its environment, autoscaling, disruption budget and
 * NetworkPolicy.
 */
import { AgentRole, STATIC_KEY_SECRET_KEYS } from "../shared/constants";
import { OBSERVABILITY_NAMESPACE } from "../shared/placement";
import { POD_IDENTITY_AGENT_CIDR, POD_IDENTITY_AGENT_PORT } from "../podIdentity/spec";
import { selectorLabels } from "./spec";

/** Settings an agent reads from its ConfigMap (nothing secret). */
export interface AgentSettings {
    role: string;
    port: number;
    environment: string;
    serviceName: string;
    namespace: string;
    redisUrl?: string;
    sessionTtlSeconds?: number;
    queueUrl?: string;
    region?: string;
    /** SQS endpoint of an SQS-compatible server (`AWS_ENDPOINT_URL_SQS`). */
    sqsEndpoint?: string;
    llmBaseUrl: string;
    llmModel: string;
    otlpEndpoint?: string;
    jobMaxDurationSeconds?: number;
    workerConcurrency?: number;
    drainSeconds: number;
    /** Longest HTTP call (api): the agent's own chat deadline stays a little under it. */
    maxRequestSeconds?: number;
    extra?: Record<string, string>;
}

/** The ConfigMap data of an agent: the environment variables of the reference agent (agent/README.md). */
export function agentConfigData(s: AgentSettings): Record<string, string> {
    const data: Record<string, string> = {
        PORT: String(s.port),
        LLM_BASE_URL: s.llmBaseUrl,
        LLM_MODEL: s.llmModel,
        SHUTDOWN_GRACE_SECONDS: String(s.drainSeconds),
        OTEL_SERVICE_NAME: s.serviceName,
        OTEL_RESOURCE_ATTRIBUTES: [
            `deployment.environment=${s.environment}`, `deployment.environment.name=${s.environment}`,
            `service.namespace=${s.namespace}`, `k8s.namespace.name=${s.namespace}`, `agent.role=${s.role}`,
        ].join(","),
    };
    if (s.otlpEndpoint) data.OTEL_EXPORTER_OTLP_ENDPOINT = s.otlpEndpoint;
    if (s.redisUrl) data.REDIS_URL = s.redisUrl;
    if (s.sessionTtlSeconds !== undefined) data.SESSION_TTL_SECONDS = String(s.sessionTtlSeconds);
    if (s.queueUrl) data.QUEUE_URL = s.queueUrl;
    if (s.region) data.AWS_REGION = s.region;
    if (s.sqsEndpoint) data.AWS_ENDPOINT_URL_SQS = s.sqsEndpoint;
    if (s.role === AgentRole.Worker && s.jobMaxDurationSeconds !== undefined) data.JOB_MAX_DURATION_SECONDS = String(s.jobMaxDurationSeconds);
    if (s.role === AgentRole.Worker && s.workerConcurrency !== undefined) data.WORKER_CONCURRENCY = String(s.workerConcurrency);
    if (s.role === AgentRole.Api && s.maxRequestSeconds !== undefined) data.CHAT_MAX_DURATION_SECONDS = String(Math.max(1, s.maxRequestSeconds - CHAT_DEADLINE_MARGIN_SECONDS));
    return { ...data, ...s.extra };
}

/** The AWS SDK's static key from a Secret (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`), for an SQS-compatible server. */
export function staticKeyEnv(secretName: string) {
    return [STATIC_KEY_SECRET_KEYS.accessKeyId, STATIC_KEY_SECRET_KEYS.secretAccessKey].map((key) => ({ name: key, valueFrom: { secretKeyRef: { name: secretName, key } } }));
}

/** Seconds between the agent's chat deadline and the longest call the grace period covers. */
export const CHAT_DEADLINE_MARGIN_SECONDS = 5;

/**
 * The port of an LLM endpoint that the HTTPS egress rule does not cover (e.g. Ollama's 11434, a
 * plain-http in-cluster server), or undefined for https on 443.
 */
export function nonHttpsPort(baseUrl: string | undefined): number | undefined {
    if (!baseUrl) return undefined;
    const url = new URL(baseUrl);
    const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
    return port === 443 ? undefined : port;
}

/** HPA (autoscaling/v2) on CPU and memory for an api; scales down slowly so bursts of chats are absorbed. */
export function hpaSpec(name: string, minReplicas: number, maxReplicas: number, targetCpu: number, targetMemory: number) {
    return {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name },
        minReplicas,
        maxReplicas,
        metrics: [
            { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: targetCpu } } },
            { type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: targetMemory } } },
        ],
        behavior: {
            scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: "Percent", value: 100, periodSeconds: 30 }], selectPolicy: "Max" },
            scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: "Pods", value: 1, periodSeconds: 60 }], selectPolicy: "Min" },
        },
    };
}

/** Disruption budget: voluntary evictions (node drains, consolidation) take at most one pod at a time. */
export function pdbSpec(name: string) {
    return { maxUnavailable: 1, selector: { matchLabels: selectorLabels(name) } };
}

/** Where an agent may send traffic besides DNS. */
export interface EgressTargets {
    /** Redis: CIDRs of the VPC (ElastiCache) or the in-cluster store's pod labels, and its port. */
    redis?: { port: number; cidrs?: string[]; podLabels?: Record<string, string> };
    /** The pods call AWS: allow the node-local Pod Identity agent that hands out their credentials. */
    awsCredentials?: boolean;
    /** The LLM endpoint's port when it is not 443: allowed to any address, in or out of the cluster. */
    llmPort?: number;
    /** Also allow the model server's pods on this port (same namespace). */
    modelServer?: { port: number; podLabels: Record<string, string> };
    /** The SQS-compatible server of the queue, in the same namespace. */
    queueServer?: { port: number; podLabels: Record<string, string> };
}

/**
 * Default deny for the workload's pods, with explicit egress to DNS, Redis, the OTel Collector,
 * HTTPS (LLM APIs, AWS endpoints) and, when the pods call AWS, the Pod Identity agent; and — for an api only — ingress on its port from its own namespace
 * and the namespaces configured.
 */
export function networkPolicySpec(name: string, role: string, port: number, ingressNamespaces: string[], egress: EgressTargets) {
    const ns = (n: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": n } } });
    const rules: object[] = [
        { to: [{ ...ns("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }], ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] },
        { to: [ns(OBSERVABILITY_NAMESPACE)], ports: [{ protocol: "TCP", port: 4317 }, { protocol: "TCP", port: 4318 }] },
        { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] },
    ];
    if (egress.redis) {
        const to = egress.redis.podLabels ? [{ podSelector: { matchLabels: egress.redis.podLabels } }] : (egress.redis.cidrs ?? []).map((cidr) => ({ ipBlock: { cidr } }));
        rules.push({ to, ports: [{ protocol: "TCP", port: egress.redis.port }] });
    }
    if (egress.awsCredentials) rules.push({ to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT_CIDR } }], ports: [{ protocol: "TCP", port: POD_IDENTITY_AGENT_PORT }] });
    if (egress.llmPort !== undefined) rules.push({ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }, { namespaceSelector: {} }], ports: [{ protocol: "TCP", port: egress.llmPort }] });
    for (const server of [egress.modelServer, egress.queueServer]) {
        if (server) rules.push({ to: [{ podSelector: { matchLabels: server.podLabels } }], ports: [{ protocol: "TCP", port: server.port }] });
    }
    const ingress = role === AgentRole.Api
        ? [{ from: [{ podSelector: {} }, ...ingressNamespaces.map(ns)], ports: [{ protocol: "TCP", port }] }]
        : [];
    return { podSelector: { matchLabels: selectorLabels(name) }, policyTypes: ["Ingress", "Egress"], ingress, egress: rules };
}
