/**
 * The shape of every rule in the pack, the exemption annotation, and the adapter that turns a rule
 * into a CrossGuard resource policy. Rules are plain data plus a pure check, so tests call them
 * directly on the inputs a program registers.
 */
import type { EnforcementLevel, ResourceValidationPolicy } from "@pulumi/policy";
import { at, list, plainProps, record } from "./values";

/** A resource as a rule sees it: its type token, its inputs and (optionally) its Pulumi name. */
export interface ResourceArgs {
    /** Type token, e.g. `aws:sqs/queue:Queue`. */
    type: string;
    /** Inputs as plain values; unknown values are `UNKNOWN` (see values.ts). */
    props: Record<string, unknown>;
    /** The resource's Pulumi name (used where the cloud name is autonamed). */
    name?: string;
}

/** A rule of the platform. */
export interface Rule {
    /** Policy name, unique in the pack; also the name an exemption lists. */
    name: string;
    /** What the rule enforces and why. */
    description: string;
    /** `mandatory` blocks the deployment; `advisory` only warns (give the reason in the description). */
    enforcementLevel: EnforcementLevel;
    /** Type tokens the rule applies to. */
    resourceTypes: readonly string[];
    /** The check: violation messages for one resource of one of `resourceTypes` (none when it complies). */
    check(args: ResourceArgs): string[];
}

/**
 * Annotation (on a Kubernetes object) or tag (on an AWS resource) that exempts that one resource
 * from the rules it lists, separated by commas or spaces, e.g.
 * `agent-platform.io/policy-exempt: "k8s-read-only-root-filesystem"`. Use it for third-party
 * software that cannot comply, with a comment next to it saying why.
 */
export const EXEMPT_KEY = "agent-platform.io/policy-exempt";

/** Names of the rules a resource is exempt from (its annotation or tag `EXEMPT_KEY`). */
export function exemptions(props: Record<string, unknown>): string[] {
    const sources = [at(props, "metadata", "annotations", EXEMPT_KEY), at(props, "tags", EXEMPT_KEY)];
    return sources.filter((v): v is string => typeof v === "string").flatMap((v) => v.split(/[\s,]+/)).filter((v) => v !== "");
}

/** Violations of `rule` by one resource: none for other types and for resources exempt from the rule. */
export function evaluate(rule: Rule, args: ResourceArgs): string[] {
    if (!rule.resourceTypes.includes(args.type)) return [];
    if (exemptions(args.props).includes(rule.name)) return [];
    return rule.check(args);
}

/** Violations of every rule by one resource, each prefixed with the rule's name. */
export function evaluateAll(rules: readonly Rule[], args: ResourceArgs): string[] {
    return rules.flatMap((rule) => evaluate(rule, args).map((message) => `${rule.name}: ${message}`));
}

/** The CrossGuard policy for a rule: runs the rule's check on each resource of its types. */
export function toPolicy(rule: Rule): ResourceValidationPolicy {
    return {
        name: rule.name,
        description: rule.description,
        enforcementLevel: rule.enforcementLevel,
        validateResource: (args, reportViolation) => {
            const props = record(plainProps(args.props)) ?? {};
            for (const message of evaluate(rule, { type: args.type, name: args.name, props })) reportViolation(message);
        },
    };
}

/** A readable identity for messages: `kind namespace/name`, or the cloud name, or the Pulumi name. */
export function describe(args: ResourceArgs): string {
    const meta = record(args.props.metadata);
    if (meta) {
        const kind = typeof args.props.kind === "string" ? args.props.kind : args.type.split(":").pop();
        const name = typeof meta.name === "string" ? meta.name : args.name ?? "(unnamed)";
        return `${kind} ${typeof meta.namespace === "string" ? `${meta.namespace}/` : ""}${name}`;
    }
    const cloudName = ["name", "bucket", "replicationGroupId", "role"].map((k) => args.props[k]).find((v) => typeof v === "string");
    return `${args.type.split(":").pop()} ${cloudName ?? args.name ?? "(unnamed)"}`;
}

/** The value as a list of strings (other elements dropped). */
export function strings(value: unknown): string[] {
    return list(value).filter((v): v is string => typeof v === "string");
}
