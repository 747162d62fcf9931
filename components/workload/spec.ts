/**
 * Pure builders of an AgentWorkload's Kubernetes objects: the pod template (probes, resources,
 * security, placement, shutdown) and the Deployment around it. The component only wires them.
 */
import type * as pulumi from "@pulumi/pulumi";
import { AgentRole, ResourceProfile } from "../shared/constants";
import { gpuPodPlacement } from "../shared/placement";
import { ResourceRequirements, resourcesFor } from "../shared/profiles";

/** Karpenter's well-known label of a node's purchase option ("spot" or "on-demand"). */
export const CAPACITY_TYPE_LABEL = "karpenter.sh/capacity-type";
/** Port the agent listens on (its `PORT`). */
export const AGENT_PORT = 8080;
/** Seconds the pod keeps serving after it is removed from endpoints, before SIGTERM (endpoint propagation). */
export const PRE_STOP_SECONDS = 5;
/** Extra seconds of grace for telemetry flush and process exit after the longest call or job. */
export const SHUTDOWN_MARGIN_SECONDS = 10;
/** SQS long-poll wait: a worker's receive call in flight at SIGTERM returns within it. */
export const SQS_LONG_POLL_SECONDS = 20;
/** Start-up budget: failureThreshold × period. LLM clients, OTel and Redis connections can be slow to start. */
export const STARTUP_PROBE = { periodSeconds: 5, failureThreshold: 36 } as const;

/** The default resource profile of a role (docs/architecture.md §10). */
export function defaultProfile(role: string): ResourceProfile {
    return role === AgentRole.Worker ? ResourceProfile.ToolWorker : ResourceProfile.ApiAgent;
}

/** Default replica bounds of a role: an api keeps 2 for zero-downtime, a worker scales to zero. */
export function defaultMinReplicas(role: string): number {
    return role === AgentRole.Worker ? 0 : 2;
}

/**
 * How long the agent may take to drain after SIGTERM: the longest in-flight HTTP call (api) or job
 * (worker). Kubernetes' grace period must cover preStop + drain + margin, or in-flight work is killed.
 */
export function drainSeconds(role: string, maxRequestSeconds: number, maxJobDurationSeconds: number | undefined): number {
    return role === AgentRole.Worker ? (maxJobDurationSeconds ?? maxRequestSeconds) : maxRequestSeconds;
}

/** `terminationGracePeriodSeconds` for a drain time (a worker also waits out its last long poll). */
export function gracePeriodSeconds(drain: number, role: string = AgentRole.Api): number {
    return PRE_STOP_SECONDS + drain + SHUTDOWN_MARGIN_SECONDS + (role === AgentRole.Worker ? SQS_LONG_POLL_SECONDS : 0);
}

/** Container resources: the profile's (or explicit ones), with one GPU added when asked. */
export function containerResources(profile: ResourceProfile, gpu: boolean, explicit?: ResourceRequirements): ResourceRequirements {
    const r = explicit ? structuredClone(explicit) : resourcesFor(profile);
    if (gpu) {
        r.requests["nvidia.com/gpu"] = r.requests["nvidia.com/gpu"] ?? "1";
        r.limits["nvidia.com/gpu"] = r.limits["nvidia.com/gpu"] ?? r.requests["nvidia.com/gpu"];
    }
    return r;
}

/**
 * Probes of the agent: startup and liveness ask only "is the process alive" (`/healthz`) — never
 * Redis, SQS or the LLM, or an outage of any of them would restart every pod; readiness (`/readyz`)
 * is "can serve": Redis reachable and not draining.
 */
export function agentProbes(port: number) {
    const get = (path: string) => ({ httpGet: { path, port, scheme: "HTTP" } });
    return {
        startupProbe: { ...get("/healthz"), periodSeconds: STARTUP_PROBE.periodSeconds, failureThreshold: STARTUP_PROBE.failureThreshold, timeoutSeconds: 2 },
        livenessProbe: { ...get("/healthz"), periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 2 },
        readinessProbe: { ...get("/readyz"), periodSeconds: 5, failureThreshold: 2, successThreshold: 1, timeoutSeconds: 2 },
    };
}

/** Restricted Pod Security: non-root, no privilege escalation, no capabilities, read-only root, default seccomp. */
export function restrictedSecurityContexts() {
    return {
        pod: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
        container: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        },
    };
}

/** Labels that select one workload's pods. */
export function selectorLabels(name: string): Record<string, string> {
    return { "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "agent-platform" };
}

/** Spread replicas over zones (and nodes), preferring balance without blocking scale-up. */
export function topologySpread(labels: Record<string, string>) {
    return [
        { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: labels } },
        { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: labels } },
    ];
}

/** One environment variable: a value, or a key of a Secret. */
export interface EnvVar {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef: { name: string; key: string; optional?: boolean } };
}

export interface PodTemplateInput {
    name: string;
    role: string;
    image: pulumi.Input<string>;
    port: number;
    resources: ResourceRequirements;
    gpu: boolean;
    serviceAccountName: string;
    configMapName: string;
    /** Secrets exposed whole as environment variables (ESO-managed). */
    envFromSecrets: string[];
    /** Single secret keys, e.g. REDIS_PASSWORD and LLM_API_KEY. */
    secretEnv: EnvVar[];
    drainSeconds: number;
    annotations: Record<string, string>;
    /** Keep off spot capacity. */
    onDemand: boolean;
}

/** The pod template of an agent Deployment. */
export function podTemplate(p: PodTemplateInput) {
    const labels = selectorLabels(p.name);
    const security = restrictedSecurityContexts();
    const placement = p.gpu ? gpuPodPlacement() : undefined;
    const nodeSelector = { ...placement?.nodeSelector, ...(p.onDemand ? { [CAPACITY_TYPE_LABEL]: "on-demand" } : {}) };
    return {
        metadata: { labels: { ...labels, "agent-platform.io/role": p.role }, annotations: p.annotations },
        spec: {
            serviceAccountName: p.serviceAccountName,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            terminationGracePeriodSeconds: gracePeriodSeconds(p.drainSeconds, p.role),
            securityContext: security.pod,
            topologySpreadConstraints: topologySpread(labels),
            ...(Object.keys(nodeSelector).length ? { nodeSelector } : {}),
            ...(placement ? { tolerations: placement.tolerations } : {}),
            containers: [{
                name: "agent",
                image: p.image,
                args: [p.role],
                ports: [{ name: "http", containerPort: p.port, protocol: "TCP" }],
                envFrom: [{ configMapRef: { name: p.configMapName } }, ...p.envFromSecrets.map((name) => ({ secretRef: { name, optional: true } }))],
                env: p.secretEnv,
                resources: p.resources,
                securityContext: security.container,
                ...agentProbes(p.port),
                lifecycle: { preStop: { sleep: { seconds: PRE_STOP_SECONDS } } },
                volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
            }],
            volumes: [{ name: "tmp", emptyDir: { sizeLimit: "256Mi" } }],
        },
    };
}

/**
 * The Deployment: rolling updates that never drop below the desired count (`maxUnavailable: 0`).
 * `replicas` is left unset: the autoscaler (HPA for an api, KEDA for a worker) owns it, and a value
 * here would reset the live count on every `pulumi up`.
 */
export function deploymentSpec(name: string, template: ReturnType<typeof podTemplate>) {
    return {
        revisionHistoryLimit: 5,
        selector: { matchLabels: selectorLabels(name) },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } },
        template,
    };
}
