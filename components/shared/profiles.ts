import { ResourceProfile } from "./constants";

/** Container resources in Kubernetes quantity strings. */
export interface ResourceRequirements {
    requests: Record<string, string>;
    limits: Record<string, string>;
}

/**
 * The resource profiles of docs/architecture.md §10 (requests → limits). `api-agent` waits on remote LLM calls
 * (little CPU, bursts when parsing); `tool-worker` runs small tools; `local-model-7b` holds a 7B model
 * on one GPU; `context-cache` is an in-cluster Redis.
 */
export const RESOURCE_PROFILES: Record<ResourceProfile, ResourceRequirements> = {
    "api-agent": { requests: { memory: "256Mi", cpu: "500m" }, limits: { memory: "1Gi", cpu: "2" } },
    "local-model-7b": { requests: { memory: "8Gi", cpu: "2", "nvidia.com/gpu": "1" }, limits: { memory: "16Gi", cpu: "4", "nvidia.com/gpu": "1" } },
    "tool-worker": { requests: { memory: "128Mi", cpu: "250m" }, limits: { memory: "512Mi", cpu: "1" } },
    "context-cache": { requests: { memory: "512Mi", cpu: "500m" }, limits: { memory: "2Gi", cpu: "1" } },
};

/** The resources of a profile, as a fresh copy (callers may add to it). */
export function resourcesFor(profile: ResourceProfile): ResourceRequirements {
    return structuredClone(RESOURCE_PROFILES[profile]);
}
