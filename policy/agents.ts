/** Agent Deployments: probes for slow-starting LLM clients and rollouts that never drop capacity. */
import { describe, ResourceArgs, Rule } from "./rule";
import { containersOf } from "./kubernetes";
import { at, isUnknown, record } from "./values";

/** Label that marks the platform's workloads. */
export const PART_OF_LABEL = { key: "app.kubernetes.io/part-of", value: "agent-platform" } as const;

/** Label that carries an agent's role (`api` or `worker`). */
export const AGENT_ROLE_LABEL = "agent-platform.io/role";

/** The probes every agent container needs. */
export const AGENT_PROBES = ["startupProbe", "readinessProbe", "livenessProbe"] as const;

/** True for an agent Deployment: part of agent-platform and carrying a role label (on the object or its pod template). */
export function isAgentDeployment(args: ResourceArgs): boolean {
    if (args.type !== "kubernetes:apps/v1:Deployment") return false;
    const labels = { ...record(at(args.props, "spec", "template", "metadata", "labels")), ...record(at(args.props, "metadata", "labels")) };
    return labels[PART_OF_LABEL.key] === PART_OF_LABEL.value && typeof labels[AGENT_ROLE_LABEL] === "string";
}

/** Checks that every container of an agent Deployment has startup, readiness and liveness probes. */
export function checkAgentProbes(args: ResourceArgs): string[] {
    if (!isAgentDeployment(args)) return [];
    return containersOf(args.props).filter((c) => c.main).flatMap((c) => {
        const missing = AGENT_PROBES.filter((probe) => c.spec[probe] === undefined || c.spec[probe] === null);
        return missing.length ? [`${describe(args)}: ${c.label} has no ${missing.join(", ")}`] : [];
    });
}

/** True for a maxUnavailable of zero (`0`, `"0"`, `"0%"`). */
function isZero(value: unknown): boolean {
    return value === 0 || value === "0" || value === "0%";
}

/** Checks that an agent Deployment rolls out with maxUnavailable 0 (the default is 25%). */
export function checkAgentRollout(args: ResourceArgs): string[] {
    if (!isAgentDeployment(args)) return [];
    const strategy = at(args.props, "spec", "strategy");
    if (isUnknown(strategy)) return [];
    const type = at(strategy, "type");
    if (type !== undefined && type !== "RollingUpdate") return [`${describe(args)}: strategy.type must be RollingUpdate (got ${JSON.stringify(type)})`];
    const maxUnavailable = at(strategy, "rollingUpdate", "maxUnavailable");
    if (isZero(maxUnavailable) || isUnknown(maxUnavailable)) return [];
    return [`${describe(args)}: strategy.rollingUpdate.maxUnavailable must be 0 (got ${JSON.stringify(maxUnavailable ?? "25% (default)")}); a rollout must not drop serving capacity`];
}

/** Rule: agent containers have all three probes. */
export const k8sAgentProbes: Rule = {
    name: "k8s-agent-probes",
    description: "Containers of agent Deployments (labelled app.kubernetes.io/part-of: agent-platform with an agent-platform.io/role) must have "
        + "startup, readiness and liveness probes: the startup probe budgets slow LLM client start-up, readiness keeps traffic off "
        + "a pod that cannot serve, liveness restarts a hung process.",
    enforcementLevel: "mandatory",
    resourceTypes: ["kubernetes:apps/v1:Deployment"],
    check: checkAgentProbes,
};

/** Rule: agent rollouts keep capacity. */
export const k8sAgentRollout: Rule = {
    name: "k8s-agent-rollout",
    description: "Agent Deployments must use a RollingUpdate with maxUnavailable 0: new pods become ready before old ones drain, so "
        + "a release never cuts capacity mid-conversation.",
    enforcementLevel: "mandatory",
    resourceTypes: ["kubernetes:apps/v1:Deployment"],
    check: checkAgentRollout,
};
