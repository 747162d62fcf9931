/**
 * Reading resource inputs the way the policy engine hands them over: plain JSON where values that
 * are not known yet (during `pulumi preview`, an input computed from another resource's output) are
 * the `UNKNOWN` marker. A check never reports a violation on an unknown value: the engine runs the
 * pack again during `pulumi up`, when every input is known.
 */
import { UnknownValueError } from "@pulumi/policy";

/** Marks an input whose value is only known after deployment. */
export const UNKNOWN: unique symbol = Symbol("unknown during preview");

/** A value that may be `UNKNOWN`. */
export type Maybe<T> = T | typeof UNKNOWN;

/** True for the `UNKNOWN` marker. */
export function isUnknown(value: unknown): value is typeof UNKNOWN {
    return value === UNKNOWN;
}

/** The value as an object with string keys, or undefined when it is not one (or unknown). */
export function record(value: unknown): Record<string, unknown> | undefined {
    return value !== null && typeof value === "object" && !Array.isArray(value) ? value as Record<string, unknown> : undefined;
}

/** The value as a list: an array as is, a single value as a one-element list, nothing as `[]`. */
export function list(value: unknown): unknown[] {
    if (value === undefined || value === null) return [];
    return Array.isArray(value) ? value : [value];
}

/** Reads a nested input (`at(props, "spec", "template")`); stops at the first missing or unknown step. */
export function at(value: unknown, ...path: (string | number)[]): unknown {
    let current = value;
    for (const key of path) {
        if (isUnknown(current)) return UNKNOWN;
        if (current === null || typeof current !== "object") return undefined;
        current = (current as Record<string | number, unknown>)[key];
    }
    return current;
}

/** True when a string input is set to something other than the empty string (unknown counts as set). */
export function isSet(value: unknown): boolean {
    return isUnknown(value) || (typeof value === "string" && value.trim() !== "") || (typeof value !== "string" && value !== undefined && value !== null);
}

/** Result of parsing a JSON-string input: the value, `UNKNOWN`, or an error message. */
export type Parsed = { ok: true; value: unknown } | { ok: false; unknown: true } | { ok: false; unknown: false; error: string };

/** Parses a JSON-string input (an IAM document, a redrive policy); objects pass through unchanged. */
export function parseJson(value: unknown): Parsed {
    if (isUnknown(value)) return { ok: false, unknown: true };
    if (typeof value !== "string") return { ok: true, value };
    try {
        return { ok: true, value: JSON.parse(value) };
    } catch (error) {
        return { ok: false, unknown: false, error: (error as Error).message };
    }
}

/**
 * Copies the engine's resource properties into plain values. The engine wraps them in a proxy that
 * throws `UnknownValueError` on any unknown field, which would skip a whole policy for one computed
 * field (an image digest, a role ARN); here each unknown field becomes `UNKNOWN` and the rest is checked.
 */
export function plainProps(props: unknown): unknown {
    if (props === null || typeof props !== "object") return props;
    if (Array.isArray(props)) return Array.from({ length: props.length }, (_, i) => readField(props as unknown as Record<number, unknown>, i));
    return Object.fromEntries(Object.keys(props).map((key) => [key, readField(props as Record<string, unknown>, key)]));
}

function readField(container: Record<string | number, unknown>, key: string | number): unknown {
    try {
        return plainProps(container[key]);
    } catch (error) {
        if (error instanceof UnknownValueError) return UNKNOWN;
        throw error;
    }
}
