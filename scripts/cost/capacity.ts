/**
 * Karpenter capacity at idle: Karpenter NodePools have no minimum size, so what a pool runs when nothing
 * else happens is what its always-on pods (Deployments and StatefulSets at their minimum replicas) need.
 * Pure functions over the rendered Kubernetes objects: the pods, the pools, and the cheapest priced
 * instance type that holds them.
 */
import { parseCpu, parseGiB, type CostResource } from "./resources";
import type { InstanceSpec } from "./prices";

/** Requests of one pod. */
export interface PodSize {
    cpu: number;
    memoryGiB: number;
    gpus: number;
}

/** The pods of one workload that always run. */
export interface AlwaysOnPods extends PodSize {
    /** `Kind namespace/name` of the workload. */
    owner: string;
    replicas: number;
    nodeSelector: Record<string, string>;
    tolerations: { key?: string; operator?: string; value?: string; effect?: string }[];
}

/** A Karpenter NodePool with what its EC2NodeClass gives each node. */
export interface KarpenterPool {
    name: string;
    labels: Record<string, string>;
    taints: { key: string; value?: string; effect: string }[];
    /** `karpenter.sh/capacity-type` values (spot, on-demand). */
    capacityTypes: string[];
    /** `karpenter.k8s.aws/instance-category` values, when the pool restricts them. */
    categories?: string[];
    /** `karpenter.k8s.aws/instance-family` values, when the pool restricts them. */
    families?: string[];
    /** Instance generations must be greater than this (`instance-generation Gt`). */
    generationAbove?: number;
    /** Root volume of each node, GiB (the EC2NodeClass block device). */
    rootVolumeGiB: number;
}

type Container = { resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> } };

function containerSize(c: Container): PodSize {
    // Kubernetes defaults a missing request to the limit.
    const pick = (key: string) => c.resources?.requests?.[key] ?? c.resources?.limits?.[key];
    return { cpu: parseCpu(pick("cpu")) ?? 0, memoryGiB: parseGiB(pick("memory")) ?? 0, gpus: Number(pick("nvidia.com/gpu") ?? 0) };
}

/** Requests of a pod spec: its containers summed, or its largest init container when that is larger. */
export function podSize(spec: { containers?: Container[]; initContainers?: Container[] }): PodSize {
    const sum = (spec.containers ?? []).map(containerSize).reduce((a, b) => ({ cpu: a.cpu + b.cpu, memoryGiB: a.memoryGiB + b.memoryGiB, gpus: a.gpus + b.gpus }), { cpu: 0, memoryGiB: 0, gpus: 0 });
    return (spec.initContainers ?? []).map(containerSize).reduce((a, b) => ({
        cpu: Math.max(a.cpu, b.cpu), memoryGiB: Math.max(a.memoryGiB, b.memoryGiB), gpus: Math.max(a.gpus, b.gpus),
    }), sum);
}

const key = (kind: string, namespace: unknown, name: unknown) => `${kind} ${namespace ?? "default"}/${name}`;

/**
 * Pods of Deployments and StatefulSets at their floor: `spec.replicas`, else the minimum of the
 * HorizontalPodAutoscaler or KEDA ScaledObject that scales them, else 1.
 */
export function alwaysOnPods(resources: CostResource[]): AlwaysOnPods[] {
    const minimums = new Map<string, number>();
    for (const r of resources) {
        const ref = r.inputs.spec?.scaleTargetRef;
        const ns = r.inputs.metadata?.namespace;
        if (r.type === "kubernetes:autoscaling/v2:HorizontalPodAutoscaler") minimums.set(key(ref?.kind ?? "Deployment", ns, ref?.name), Number(r.inputs.spec?.minReplicas ?? 1));
        if (r.type === "kubernetes:keda.sh/v1alpha1:ScaledObject") minimums.set(key(ref?.kind ?? "Deployment", ns, ref?.name), Number(r.inputs.spec?.minReplicaCount ?? 0));
    }
    return resources.filter((r) => r.type === "kubernetes:apps/v1:Deployment" || r.type === "kubernetes:apps/v1:StatefulSet").map((r) => {
        const kind = r.type.split(":").pop() as string;
        const owner = key(kind, r.inputs.metadata?.namespace, r.inputs.metadata?.name ?? r.name);
        const pod = r.inputs.spec?.template?.spec ?? {};
        return {
            owner,
            replicas: r.inputs.spec?.replicas !== undefined ? Number(r.inputs.spec.replicas) : minimums.get(owner) ?? 1,
            ...podSize(pod),
            nodeSelector: pod.nodeSelector ?? {},
            tolerations: pod.tolerations ?? [],
        };
    });
}

/** The Karpenter NodePools of a render, each with its EC2NodeClass's root volume. */
export function karpenterPools(resources: CostResource[]): KarpenterPool[] {
    const classes = new Map(resources.filter((r) => r.type === "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass")
        .map((r) => [r.inputs.metadata?.name, parseGiB(r.inputs.spec?.blockDeviceMappings?.[0]?.ebs?.volumeSize) ?? 0]));
    return resources.filter((r) => r.type === "kubernetes:karpenter.sh/v1:NodePool").map((r) => {
        const template = r.inputs.spec?.template ?? {};
        const requirements: { key: string; operator: string; values: string[] }[] = template.spec?.requirements ?? [];
        const valuesOf = (k: string) => requirements.find((q) => q.key === k && q.operator === "In")?.values;
        const above = requirements.find((q) => q.key === "karpenter.k8s.aws/instance-generation" && q.operator === "Gt")?.values?.[0];
        return {
            name: String(r.inputs.metadata?.name ?? r.name),
            labels: template.metadata?.labels ?? {},
            taints: template.spec?.taints ?? [],
            capacityTypes: valuesOf("karpenter.sh/capacity-type") ?? ["on-demand"],
            categories: valuesOf("karpenter.k8s.aws/instance-category"),
            families: valuesOf("karpenter.k8s.aws/instance-family"),
            generationAbove: above !== undefined ? Number(above) : undefined,
            rootVolumeGiB: classes.get(template.spec?.nodeClassRef?.name) ?? 0,
        };
    });
}

/** The pool a pod lands on: every node selector satisfied by the pool's labels, every pool taint tolerated. */
export function poolFor(pods: AlwaysOnPods, pools: KarpenterPool[]): KarpenterPool | undefined {
    return pools.find((pool) => Object.entries(pods.nodeSelector).every(([k, v]) => pool.labels[k] === v || (k === "karpenter.sh/capacity-type" && pool.capacityTypes.includes(v)))
        && pool.taints.every((t) => pods.tolerations.some((tol) => tol.key === t.key && (tol.operator === "Exists" || tol.value === t.value) && (!tol.effect || tol.effect === t.effect))));
}

/** Family, category letter, generation and processor of an instance type name (`c6a.large` → c6a, c, 6, x86). */
export function instanceTraits(type: string): { family: string; category: string; generation: number; arm: boolean } {
    const family = type.split(".")[0];
    const match = /^([a-z]+)(\d+)([a-z-]*)$/.exec(family);
    return { family, category: match?.[1] ?? family, generation: Number(match?.[2] ?? 0), arm: /g/.test(match?.[3] ?? "") };
}

/** Whether a pool may launch an instance type (amd64 pools: no Graviton). */
export function poolAllows(pool: KarpenterPool, type: string): boolean {
    const t = instanceTraits(type);
    return !t.arm
        && (!pool.categories || pool.categories.includes(t.category))
        && (!pool.families || pool.families.includes(t.family))
        && (pool.generationAbove === undefined || t.generation > pool.generationAbove);
}

/** A priced instance type a pool may launch. */
export interface Candidate {
    type: string;
    spec: InstanceSpec;
    hourlyUsd: number;
}

/** How many nodes of which type hold a set of pods, at the lowest hourly price. */
export interface Fit {
    type: string;
    nodes: number;
    hourlyUsd: number;
}

/**
 * The cheapest candidate that holds the pods: every pod fits one node's allocatable share, and the
 * node count is the largest of the per-resource counts (a lower bound of a real bin packing).
 */
export function cheapestFit(pods: AlwaysOnPods[], candidates: Candidate[], allocatable: { cpu: number; memory: number }): Fit | undefined {
    const running = pods.filter((p) => p.replicas > 0);
    if (running.length === 0) return undefined;
    const total = (f: (p: PodSize) => number) => running.reduce((n, p) => n + f(p) * p.replicas, 0);
    const fits = candidates.flatMap((c): Fit[] => {
        const cpu = c.spec.vcpu * allocatable.cpu;
        const memory = c.spec.memoryGiB * allocatable.memory;
        const gpus = c.spec.gpus ?? 0;
        if (!running.every((p) => p.cpu <= cpu && p.memoryGiB <= memory && p.gpus <= gpus)) return [];
        const nodes = Math.max(1, Math.ceil(total((p) => p.cpu) / cpu), Math.ceil(total((p) => p.memoryGiB) / memory), gpus > 0 ? Math.ceil(total((p) => p.gpus) / gpus) : 0);
        return [{ type: c.type, nodes, hourlyUsd: c.hourlyUsd }];
    });
    return fits.sort((a, b) => a.nodes * a.hourlyUsd - b.nodes * b.hourlyUsd || a.nodes - b.nodes || a.type.localeCompare(b.type))[0];
}
