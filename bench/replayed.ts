/** What the benchmark keeps of a render for `resourcesOnly.ts` to register again (no runtime imports: a render loads it). */
import type { Registered } from "../testing";

/** What the benchmark keeps of each registered resource. */
export type ReplayedResource = Pick<Registered, "type" | "name" | "urn" | "parent" | "custom" | "provider" | "inputs">;

/** What `resourcesOnly.ts` registers again of a render's resources. */
export function replayedOf(resources: readonly Registered[]): ReplayedResource[] {
    return resources.map(({ type, name, urn, parent, custom, provider, inputs }) => ({ type, name, urn, parent, custom, provider, inputs }));
}
