/**
 * Well-formed Kubernetes workloads for the policy pack tests, and helpers to break one field at a time:
 * the per-rule cases (tests/unit/policy.test.ts) and the analyzer protocol test (tests/stacks/policy.test.ts).
 */

/** The wire value of an unknown string (Pulumi's `UnknownStringValue`), as the engine sends it during preview. */
export const UNKNOWN_STRING_WIRE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export const clone = <T>(value: T): T => structuredClone(value);

const restrictedContext = {
    allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true, runAsNonRoot: true,
    seccompProfile: { type: "RuntimeDefault" },
};
const probe = { httpGet: { path: "/healthz", port: 8080 } };
export const agentDeployment = {
    apiVersion: "apps/v1", kind: "Deployment",
    metadata: { name: "chat-api", namespace: "agents", labels: { "app.kubernetes.io/name": "chat-api", "app.kubernetes.io/part-of": "agent-platform" } },
    spec: {
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } },
        template: {
            metadata: { labels: { "app.kubernetes.io/name": "chat-api", "app.kubernetes.io/part-of": "agent-platform", "agent-platform.io/role": "api" } },
            spec: {
                securityContext: { runAsNonRoot: true },
                containers: [{
                    name: "agent", image: "123456789012.dkr.ecr.us-west-2.amazonaws.com/agent@sha256:" + "a".repeat(64),
                    resources: { requests: { cpu: "500m", memory: "256Mi" }, limits: { cpu: "2", memory: "1Gi" } },
                    securityContext: restrictedContext, startupProbe: probe, readinessProbe: probe, livenessProbe: probe,
                }],
            },
        },
    },
};
/** A third-party StatefulSet: not an agent, so only the generic workload rules apply. */
export const statefulSet = {
    apiVersion: "apps/v1", kind: "StatefulSet",
    metadata: { name: "valkey", namespace: "agents" },
    spec: {
        template: {
            spec: {
                initContainers: [{
                    name: "init", image: "docker.io/library/busybox:1.37",
                    resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "32Mi" } }, securityContext: { ...restrictedContext, runAsNonRoot: undefined },
                }],
                securityContext: { runAsNonRoot: true, runAsUser: 999 },
                containers: [{
                    name: "valkey", image: "docker.io/valkey/valkey:8.1.4",
                    resources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { memory: "2Gi" } }, securityContext: { ...restrictedContext, runAsNonRoot: undefined },
                }],
            },
        },
    },
};

export const mutate = (base: object, change: (o: any) => void): Record<string, unknown> => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const copy = clone(base) as Record<string, unknown>;
    change(copy);
    return copy;
};
export const container = (o: any) => o.spec.template.spec.containers[0]; // eslint-disable-line @typescript-eslint/no-explicit-any
