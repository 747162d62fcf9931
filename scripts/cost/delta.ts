/** The difference between two estimates (base → head), per group and in total. Pure. */
import { GROUPS, type Estimate, type Group, type NotPriced } from "./estimate";

export interface GroupDelta {
    group: Group;
    baseUsd: number;
    headUsd: number;
    /** head − base: positive when the change costs more. */
    deltaUsd: number;
}

export interface CostDelta {
    groups: GroupDelta[];
    baseTotalUsd: number;
    headTotalUsd: number;
    deltaUsd: number;
    /** Not-priced entries the head has and the base does not. */
    newlyNotPriced: NotPriced[];
}

/** Per-group and total difference; groups present on either side, in GROUPS order. */
export function costDelta(base: Estimate, head: Estimate): CostDelta {
    const of = (e: Estimate, g: Group) => e.groups.find((x) => x.group === g)?.monthlyUsd ?? 0;
    const groups = GROUPS.filter((g) => base.groups.some((x) => x.group === g) || head.groups.some((x) => x.group === g))
        .map((group) => ({ group, baseUsd: of(base, group), headUsd: of(head, group), deltaUsd: of(head, group) - of(base, group) }));
    const key = (n: NotPriced) => `${n.what}\u0000${n.why}`;
    const before = new Set(base.notPriced.map(key));
    return {
        groups,
        baseTotalUsd: base.totalUsd,
        headTotalUsd: head.totalUsd,
        deltaUsd: head.totalUsd - base.totalUsd,
        newlyNotPriced: head.notPriced.filter((n) => !before.has(key(n))),
    };
}
