/**
 * Kubernetes workloads (apps/v1 Deployments, StatefulSets, DaemonSets, ReplicaSets): every container
 * is bounded in resources, runs under the restricted Pod Security profile, and runs a pinned image.
 */
import { describe, ResourceArgs, Rule, strings } from "./rule";
import { at, isUnknown, list, record } from "./values";

/** Type tokens of the pod controllers the workload rules check. */
export const WORKLOAD_TYPES = [
    "kubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:apps/v1:DaemonSet",
    "kubernetes:apps/v1:ReplicaSet",
] as const;

/** One container of a pod template, with where it came from (for messages). */
export interface ContainerRef {
    /** `container "agent"` or `init container "download-weights"`. */
    label: string;
    /** The container spec. */
    spec: Record<string, unknown>;
    /** True for regular containers, false for init containers. */
    main: boolean;
}

/** The pod spec of a workload's template (undefined when absent or unknown). */
export function podSpecOf(props: Record<string, unknown>): Record<string, unknown> | undefined {
    return record(at(props, "spec", "template", "spec"));
}

/** Containers and init containers of a workload's pod template (unknown entries are skipped). */
export function containersOf(props: Record<string, unknown>): ContainerRef[] {
    const pod = podSpecOf(props);
    const refs = (field: string, main: boolean, word: string): ContainerRef[] => list(pod?.[field])
        .map((c) => record(c))
        .filter((c): c is Record<string, unknown> => c !== undefined)
        .map((spec, i) => ({ spec, main, label: `${word} "${typeof spec.name === "string" ? spec.name : i}"` }));
    return [...refs("initContainers", false, "init container"), ...refs("containers", true, "container")];
}

/** Messages for each container a predicate rejects (`problem` returns undefined when the container complies). */
function perContainer(args: ResourceArgs, problem: (c: ContainerRef, pod: Record<string, unknown>) => string | undefined): string[] {
    const pod = podSpecOf(args.props) ?? {};
    return containersOf(args.props).flatMap((c) => {
        const message = problem(c, pod);
        return message === undefined ? [] : [`${describe(args)}: ${c.label} ${message}`];
    });
}

/** Checks that every container requests CPU and memory and has a memory limit. */
export function checkResources(args: ResourceArgs): string[] {
    return perContainer(args, ({ spec }) => {
        const resources = spec.resources;
        if (isUnknown(resources)) return undefined;
        const missing = [["requests", "cpu"], ["requests", "memory"], ["limits", "memory"]]
            .filter(([group, name]) => { const v = at(resources, group, name); return v === undefined || v === null || v === ""; })
            .map(([group, name]) => `${group}.${name}`);
        return missing.length ? `has no resources.${missing.join(", resources.")}` : undefined;
    });
}

/** Checks that every container runs as non-root (its own securityContext, or the pod's) and not as UID 0. */
export function checkRunAsNonRoot(args: ResourceArgs): string[] {
    return perContainer(args, ({ spec }, pod) => {
        const pick = (field: string) => { const own = at(spec, "securityContext", field); return own !== undefined ? own : at(pod, "securityContext", field); };
        const nonRoot = pick("runAsNonRoot");
        if (pick("runAsUser") === 0) return "runs as UID 0";
        return nonRoot === true || isUnknown(nonRoot) ? undefined : "must set securityContext.runAsNonRoot: true (on the container or the pod)";
    });
}

/** Checks that every container sets allowPrivilegeEscalation: false. */
export function checkNoPrivilegeEscalation(args: ResourceArgs): string[] {
    return perContainer(args, ({ spec }) => {
        const value = at(spec, "securityContext", "allowPrivilegeEscalation");
        if (at(spec, "securityContext", "privileged") === true) return "is privileged";
        return value === false || isUnknown(value) ? undefined : "must set securityContext.allowPrivilegeEscalation: false";
    });
}

/** Checks that every container drops ALL capabilities. */
export function checkDropAllCapabilities(args: ResourceArgs): string[] {
    return perContainer(args, ({ spec }) => {
        const drop = at(spec, "securityContext", "capabilities", "drop");
        return isUnknown(drop) || strings(drop).includes("ALL") ? undefined : "must set securityContext.capabilities.drop: [\"ALL\"]";
    });
}

/** Checks that every container has a read-only root filesystem. */
export function checkReadOnlyRootFilesystem(args: ResourceArgs): string[] {
    return perContainer(args, ({ spec }) => {
        const value = at(spec, "securityContext", "readOnlyRootFilesystem");
        return value === true || isUnknown(value) ? undefined : "must set securityContext.readOnlyRootFilesystem: true (mount an emptyDir where it writes)";
    });
}

/** Why an image reference is not pinned (`:latest`, or no tag or digest), or undefined when it is. */
export function imageProblem(image: unknown): string | undefined {
    if (isUnknown(image)) return undefined;
    if (typeof image !== "string" || image.trim() === "") return "has no image";
    if (/@sha256:[0-9a-f]{64}$/.test(image)) return undefined;
    if (image.includes("@")) return `image "${image}" has a malformed digest`;
    const lastSegment = image.slice(image.lastIndexOf("/") + 1);
    const colon = lastSegment.lastIndexOf(":");
    if (colon < 0) return `image "${image}" has no tag (means :latest); pin a version tag or a digest`;
    if (lastSegment.slice(colon + 1) === "latest") return `image "${image}" uses :latest; pin a version tag or a digest`;
    return undefined;
}

/** Checks that every container's image is pinned: a version tag or a digest, never `:latest` or untagged. */
export function checkPinnedImages(args: ResourceArgs): string[] {
    return perContainer(args, ({ spec }) => imageProblem(spec.image));
}

const workloadRule = (name: string, description: string, check: (args: ResourceArgs) => string[]): Rule =>
    ({ name, description, enforcementLevel: "mandatory", resourceTypes: WORKLOAD_TYPES, check });

/** Rule: containers have requests and a memory limit. */
export const k8sResources = workloadRule("k8s-resources",
    "Every container must request CPU and memory and set a memory limit: the scheduler and Karpenter size nodes from requests, "
    + "and an agent that leaks memory (long contexts) is OOM-killed alone instead of taking the node down.",
    checkResources);

/** Rule: containers run as non-root. */
export const k8sRunAsNonRoot = workloadRule("k8s-run-as-non-root",
    "Every container must run with runAsNonRoot: true (container or pod securityContext) and not as UID 0: restricted Pod Security.",
    checkRunAsNonRoot);

/** Rule: no privilege escalation. */
export const k8sNoPrivilegeEscalation = workloadRule("k8s-no-privilege-escalation",
    "Every container must set allowPrivilegeEscalation: false and not be privileged: setuid binaries must not regain root.",
    checkNoPrivilegeEscalation);

/** Rule: capabilities dropped. */
export const k8sDropAllCapabilities = workloadRule("k8s-drop-all-capabilities",
    "Every container must drop ALL Linux capabilities: agents execute model-chosen tools and need none.",
    checkDropAllCapabilities);

/** Rule: read-only root filesystem. */
export const k8sReadOnlyRootFilesystem = workloadRule("k8s-read-only-root-filesystem",
    "Every container must set readOnlyRootFilesystem: true, writing only to mounted volumes: a compromised tool call cannot "
    + "modify the image's code. A chart that cannot comply is exempted by name with the agent-platform.io/policy-exempt annotation.",
    checkReadOnlyRootFilesystem);

/** Rule: pinned images. */
export const k8sPinnedImages = workloadRule("k8s-pinned-images",
    "Every container image must be pinned by a version tag or a digest, never :latest or untagged: a restart must not run "
    + "different code than what was deployed.",
    checkPinnedImages);
