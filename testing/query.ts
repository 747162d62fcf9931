import { Registered } from "./run";

/** Resources of a type token, e.g. `aws:ec2/subnet:Subnet`. */
export function ofType(resources: Registered[], type: string): Registered[] {
    return resources.filter((r) => r.type === type);
}

/** The one resource of a type (optionally whose name matches); throws when there are none or several. */
export function one(resources: Registered[], type: string, name?: string | RegExp): Registered {
    const found = ofType(resources, type).filter((r) => name === undefined || (typeof name === "string" ? r.name === name : name.test(r.name)));
    if (found.length !== 1) throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`);
    return found[0];
}

/** Kubernetes objects by kind (e.g. "Deployment"), from any API group/version. */
export function kubernetesObjects(resources: Registered[], kind?: string): Registered[] {
    return resources.filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm") && r.custom && (kind === undefined || r.type.endsWith(`:${kind}`)));
}

/** Registrations other than the stack's own root resource (`pulumi:pulumi:Stack`). */
export function besidesStack<T extends { type: string }>(resources: T[]): T[] {
    return resources.filter((r) => r.type !== "pulumi:pulumi:Stack");
}

/** Children of a resource (by URN). */
export function childrenOf(resources: Registered[], parent: Registered): Registered[] {
    return resources.filter((r) => r.parent === parent.urn);
}

/** Count of resources per type, sorted by type. */
export function countByType(resources: Registered[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of [...resources].sort((a, b) => a.type.localeCompare(b.type))) counts[r.type] = (counts[r.type] ?? 0) + 1;
    return counts;
}

/** Parses a JSON-string input such as an IAM policy document. */
export function json<T = any>(value: unknown): T { // eslint-disable-line @typescript-eslint/no-explicit-any
    return (typeof value === "string" ? JSON.parse(value) : value) as T;
}
