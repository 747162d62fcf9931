/** The policy pack's rules over a set of resources, as `pulumi preview --policy-pack policy` would apply them, offline. */
import { RULES } from "../../policy/policies";
import { evaluate, type Rule } from "../../policy/rule";

/** One violation of one rule by one resource. */
export interface Violation {
    rule: string;
    type: string;
    name: string;
    message: string;
}

/** Every violation of `rules` (default: the whole pack) by `resources` (type, name and inputs). */
export function policyViolations(resources: { type: string; name: string; inputs: Record<string, unknown> }[], rules: readonly Rule[] = RULES): Violation[] {
    return resources.flatMap((r) => rules.flatMap((rule) => evaluate(rule, { type: r.type, name: r.name, props: r.inputs })
        .map((message) => ({ rule: rule.name, type: r.type, name: r.name, message }))));
}
