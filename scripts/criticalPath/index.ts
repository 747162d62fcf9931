/**
 * Estimated deploy critical path of a render: when each resource of a first `pulumi up` could start and
 * finish if every resource took its typical create time (createTimes.ts), and the chain of resources
 * that decides when the last one finishes. A pure function over what the mocks recorded.
 *
 * What a resource waits for, as the Pulumi SDK sends registrations to the engine:
 * - every URN in its `dependencies` (explicit `dependsOn`, expanded from components to their custom
 *   children, and the resources its inputs come from): they must be created;
 * - its parent's registration, which itself waits for the parent's dependencies (so a child inherits
 *   the `dependsOn` of its parent component, transitively);
 * - its provider (a Kubernetes provider waits for the kubeconfig, i.e. the cluster).
 * Component resources take no time of their own; they are ready once what they wait for is.
 */
import { CREATE_TIMES, CreateTime, UNLISTED_CREATE_TIME } from "./createTimes";

/** What the estimate reads of a registration (a subset of the mock harness's `Registered`). */
export interface GraphResource {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    /** URN of the parent ("" for the stack). */
    parent: string;
    /** Provider reference `<urn>::<id>` ("" for the default provider). */
    provider: string;
    dependencies: string[];
}

/** Why a resource started when it did. */
export type WaitReason = "dependency" | "parent" | "provider";

/** One resource of the chain, with its estimated start and finish (minutes after `pulumi up` began). */
export interface PathStep {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    start: number;
    finish: number;
    /** How this step waits for the previous one (undefined for the first). */
    reason?: WaitReason;
}

export interface CriticalPath {
    /** Estimated minutes until the last resource is created. */
    minutes: number;
    /** The chain that takes that long, first resource first. */
    steps: PathStep[];
    /** Types that had no create time in the table (counted with the fallback). */
    unlistedTypes: string[];
}

interface Timing {
    start: number;
    finish: number;
    from?: string;
    reason?: WaitReason;
}

/** The URN of a provider reference `<urn>::<id>`. */
export function providerUrn(reference: string): string {
    const cut = reference.lastIndexOf("::");
    return cut > 0 ? reference.slice(0, cut) : reference;
}

/** What a resource waits for directly, and why: its dependencies, its parent's registration, its provider. */
function directWaits(r: GraphResource, byUrn: Map<string, GraphResource>): [string, WaitReason][] {
    const waits: [string, WaitReason][] = r.dependencies.map((d) => [d, "dependency"]);
    if (r.parent && byUrn.has(r.parent)) waits.push([r.parent, "parent"]);
    if (r.provider) waits.push([providerUrn(r.provider), "provider"]);
    return waits;
}

/**
 * Whether resource `urn` waits, directly or through others, for resource `on` during a deployment — the
 * ordering the engine enforces. `waitsFor(resources)` indexes the render once; ask it many questions.
 */
export function waitsFor(resources: GraphResource[]): (urn: string, on: string) => boolean {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const closures = new Map<string, Set<string>>();
    const closure = (urn: string): Set<string> => {
        let known = closures.get(urn);
        if (known) return known;
        known = new Set();
        closures.set(urn, known); // a cycle ends here instead of looping (criticalPath reports cycles)
        const r = byUrn.get(urn);
        for (const [w] of r ? directWaits(r, byUrn) : []) {
            known.add(w);
            for (const x of closure(w)) known.add(x);
        }
        return known;
    };
    return (urn, on) => closure(urn).has(on);
}

/**
 * The estimated critical path of a render's resources, with create times from `table` (types missing
 * from it count as UNLISTED_CREATE_TIME and are listed in `unlistedTypes`).
 */
export function criticalPath(resources: GraphResource[], table: Readonly<Record<string, CreateTime>> = CREATE_TIMES): CriticalPath {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const timings = new Map<string, Timing>();
    const visiting = new Set<string>();
    const unlisted = new Set<string>();

    const timing = (urn: string): Timing => {
        const known = timings.get(urn);
        if (known) return known;
        const r = byUrn.get(urn);
        if (!r) throw new Error(`criticalPath: ${urn} is referenced but was not registered`);
        if (visiting.has(urn)) throw new Error(`criticalPath: dependency cycle through ${urn}`);
        visiting.add(urn);
        // Starts when the last of its waits is over; the chain follows the first wait that ends last.
        let start = 0;
        let from: string | undefined;
        let reason: WaitReason | undefined;
        for (const [w, why] of directWaits(r, byUrn)) {
            const t = timing(w);
            if (t.finish > start) [start, from, reason] = [t.finish, w, why];
        }
        let minutes = 0;
        if (r.custom) {
            if (!(r.type in table)) unlisted.add(r.type);
            minutes = (table[r.type] ?? UNLISTED_CREATE_TIME).minutes;
        }
        const result: Timing = { start, finish: start + minutes, from, reason };
        visiting.delete(urn);
        timings.set(urn, result);
        return result;
    };

    let last: GraphResource | undefined;
    for (const r of resources) {
        const t = timing(r.urn);
        if (!last || t.finish > timing(last.urn).finish) last = r;
    }
    const steps: PathStep[] = [];
    for (let urn: string | undefined = last?.urn; urn !== undefined;) {
        const r = byUrn.get(urn) as GraphResource;
        const t = timing(urn);
        steps.unshift({ urn, type: r.type, name: r.name, custom: r.custom, start: t.start, finish: t.finish, reason: t.reason });
        urn = t.from;
    }
    return { minutes: last ? timing(last.urn).finish : 0, steps, unlistedTypes: [...unlisted].sort() };
}

const minutes = (m: number) => m.toFixed(2).padStart(6);

const HEADLINE = "estimated deploy critical path:";

/** The critical path as text: a headline, then the chain, one resource per line. */
export function formatCriticalPath(path: CriticalPath): string[] {
    return [
        `${HEADLINE} ${path.minutes.toFixed(2)} min (first \`pulumi up\`, typical create times of scripts/criticalPath/createTimes.ts)`,
        "   start  finish  resource (how it waits for the line above)",
        ...path.steps.map((s) => `  ${minutes(s.start)}  ${minutes(s.finish)}  ${s.type}  ${s.name}${s.reason ? `  (${s.reason})` : ""}`),
        ...(path.unlistedTypes.length ? [`  types without a create time, counted as ${UNLISTED_CREATE_TIME.minutes} min: ${path.unlistedTypes.join(", ")}`] : []),
    ];
}

/** The minutes in the headline of `formatCriticalPath` found in `text` (what `npm run render` printed); undefined when it has none. */
export function criticalPathMinutesIn(text: string): number | undefined {
    const line = text.split("\n").find((l) => l.startsWith(HEADLINE));
    const minutes = line === undefined ? NaN : Number.parseFloat(line.slice(HEADLINE.length));
    return Number.isFinite(minutes) ? minutes : undefined;
}
