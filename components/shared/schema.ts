/**
 * Argument schemas (zod) and the one way every component and the stack configuration validates with
 * them. A component declares each argument's type, bounds, default and description once, in its
 * `args.ts`; its constructor parses with {@link parseArgs} (defaults applied, every problem reported
 * before anything is registered), and the stack configuration reuses the same field schemas, so a
 * bound or a default cannot differ between the two.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { parseCidrNotation } from "./cidr";
import { enumValues, LOG_RETENTION_DAYS } from "./constants";
import { ENVIRONMENT_NAME } from "./names";

export { z };

/** One argument (or config key) that fails its schema. */
export interface ArgProblem {
    /** Path of the argument, e.g. `nodePools.gpu.gpuLimit` or `queues[1].name`; empty for the root. */
    path: string;
    /** The value found (undefined when it is missing). */
    value: unknown;
    /** What is allowed instead, in words. */
    allowed: string;
}

/** Text shown for a value in a problem: `nothing` for a missing value. */
export function describeValue(value: unknown): string {
    return value === undefined ? "nothing" : JSON.stringify(value);
}

/** Names as a message lists them: `"a", "b"` (each name once), or `none are configured`. Pure. */
export function quotedNames(names: Iterable<string>): string {
    const unique = [...new Set(names)];
    return unique.length > 0 ? unique.map((n) => JSON.stringify(n)).join(", ") : "none are configured";
}

/** Formats a path the way users write it: `a.b[0].c`. */
export function formatPath(path: readonly PropertyKey[]): string {
    return path.reduce<string>((out, part) => (typeof part === "number" ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part)), "");
}

/** The value at a path such as `["contextStore", "mode"]` or `["agents", 1, "gpu"]`; undefined where the path leaves the value. */
export function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
    return path.reduce<unknown>((node, part) => (node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[part] : undefined), value);
}

/** Any zod schema. */
export type AnySchema = z.core.$ZodType;

/**
 * How this package parses: without zod's JIT. On an object schema's first synchronous parse zod
 * compiles a parser specialised to its shape (`new Function`), which pays off over many parses of one
 * schema; a program parses each of its schemas a handful of times, so there it only costs time and
 * garbage. Results and problems are the same either way.
 */
const PARSE_CONTEXT = { jitless: true } as const;

/** `z.safeParse` as this package parses (see PARSE_CONTEXT). */
export function safeParse<S extends AnySchema>(schema: S, value: unknown): z.ZodSafeParseResult<z.output<S>> {
    return z.safeParse(schema, value, PARSE_CONTEXT);
}

/** `z.parse` as this package parses (see PARSE_CONTEXT): the value, or a thrown ZodError. */
export function parse<S extends AnySchema>(schema: S, value: unknown): z.output<S> {
    return z.parse(schema, value, PARSE_CONTEXT);
}

/** The definition of a schema (its `type` and, per type, inner schemas). */
export const defOf = (schema: AnySchema) => schema._zod.def as unknown as Record<string, unknown> & { type: string };

/** The schema with optional/default/nullable/pipe wrappers removed. */
export function unwrap(schema: AnySchema): AnySchema {
    const def = defOf(schema);
    switch (def.type) {
        case "optional": case "nullable": case "default": case "prefault": case "readonly": case "nonoptional": case "catch":
            return unwrap(def.innerType as AnySchema);
        case "pipe":
            return unwrap(def.in as AnySchema);
        default:
            return schema;
    }
}

/** The schema of the value at `path` inside `schema` (undefined past a leaf). */
export function schemaAt(schema: AnySchema, path: readonly PropertyKey[]): AnySchema | undefined {
    let node: AnySchema | undefined = schema;
    for (const part of path) {
        if (!node) return undefined;
        const def = defOf(unwrap(node));
        if (def.type === "object") node = (def.shape as Record<string, AnySchema>)[String(part)];
        else if (def.type === "array") node = def.element as AnySchema;
        else if (def.type === "record") node = def.valueType as AnySchema;
        else return undefined;
    }
    return node;
}

/** Metadata of our own that a schema may carry (`.meta({ ... })`). */
interface ArgMeta {
    /** What is allowed, in words, when the JSON Schema does not say it well. */
    allowed?: string;
    /** The value is a secret: problems show its length, never the value. */
    secret?: boolean;
    /** The default in words, when it depends on other arguments. */
    defaultText?: string;
    /** What the argument is for (set with `.describe()`). */
    description?: string;
}

/** Our metadata of a schema or of the schema it wraps. */
export function argMeta(schema: AnySchema): ArgMeta {
    const meta = (z.globalRegistry.get(schema) ?? {}) as ArgMeta;
    const def = defOf(schema);
    const inner = def.innerType ?? (def.type === "pipe" ? def.in : undefined);
    return inner ? { ...argMeta(inner as AnySchema), ...meta } : meta;
}

function allowedMeta(schema: AnySchema): string | undefined {
    return argMeta(schema).allowed;
}

/** The value as a problem may show it: a secret only by its length. */
function shown(schema: AnySchema | undefined, value: unknown): unknown {
    if (!schema || !argMeta(schema).secret || value === undefined) return value;
    return typeof value === "string" ? `[${value.length} characters]` : "[secret]";
}

/** Keys of an object schema, for messages. */
export function keysOf(schema: AnySchema): string[] {
    const def = defOf(unwrap(schema));
    return def.type === "object" ? Object.keys(def.shape as object) : [];
}

/** The JSON Schema of a zod schema (values a program produces, such as Outputs, show as `{}`). */
export function jsonSchemaOf(schema: AnySchema): JsonSchema {
    return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
}

/** The subset of JSON Schema that {@link describeJsonSchema} reads. */
export interface JsonSchema {
    type?: string;
    enum?: unknown[];
    const?: unknown;
    minimum?: number;
    maximum?: number;
    minLength?: number;
    pattern?: string;
    minItems?: number;
    maxItems?: number;
    items?: JsonSchema;
    properties?: Record<string, JsonSchema>;
    additionalProperties?: JsonSchema | boolean;
    anyOf?: JsonSchema[];
    default?: unknown;
    description?: string;
}

/** A JSON Schema in words: "an integer from 1 to 20", `one of "a", "b"`, "a list of 1 to 3 items, each ...". */
export function describeJsonSchema(s: JsonSchema): string {
    if (s.enum) return `one of ${s.enum.map((v) => JSON.stringify(v)).join(", ")}`;
    if (s.const !== undefined) return JSON.stringify(s.const);
    if (s.anyOf) return s.anyOf.map(describeJsonSchema).join(", or ");
    switch (s.type) {
        case "boolean": return "true or false";
        case "integer": case "number": {
            const kind = s.type === "integer" ? "an integer" : "a number";
            if (s.minimum !== undefined && s.maximum !== undefined) return `${kind} from ${s.minimum} to ${s.maximum}`;
            return s.minimum !== undefined ? `${kind} of at least ${s.minimum}` : kind;
        }
        case "string":
            if (s.pattern) return `a string matching /${s.pattern}/`;
            return s.minLength ? "a non-empty string" : "a string";
        case "array": {
            const range = s.maxItems !== undefined ? `${s.minItems ?? 0} to ${s.maxItems}` : `at least ${s.minItems ?? 0}`;
            return s.items?.type === "object" ? `a list of ${range} objects` : `a list of ${range} items, each ${s.items ? describeJsonSchema(s.items) : "a value"}`;
        }
        case "object":
            return s.properties ? `an object with keys ${Object.keys(s.properties).join(", ")}` : "an object";
        default: return "a valid value";
    }
}

/** What a value of `schema` must be, in words: its `allowed` metadata, or a description of its JSON Schema. */
export function allowedText(schema: AnySchema): string {
    return allowedMeta(schema) ?? describeJsonSchema(jsonSchemaOf(unwrap(schema)));
}

/**
 * Every problem of `value` against `schema`: path, value found and what is allowed (from the schema at
 * that path, or the message of a custom check). Unknown keys are problems of their own.
 */
export function problemsOf(schema: AnySchema, value: unknown): ArgProblem[] {
    const result = safeParse(schema, value);
    if (result.success) return [];
    return result.error.issues.flatMap((issue): ArgProblem[] => {
        if (issue.code === "unrecognized_keys") {
            const known = keysOf(schemaAt(schema, issue.path) ?? schema).join(", ");
            return issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), value: valueAt(value, [...issue.path, key]), allowed: `no such key; known keys: ${known}` }));
        }
        const at = schemaAt(schema, issue.path);
        // A check with a message of its own says what is allowed; a bare `.refine` leaves zod's "Invalid input".
        const ownMessage = issue.code === "custom" && issue.message !== "Invalid input";
        const allowed = ownMessage || !at ? issue.message : allowedText(at);
        return [{ path: formatPath(issue.path), value: shown(at, valueAt(value, issue.path)), allowed }];
    });
}

/** One problem per path (the first), in the order found. */
function firstPerPath(problems: ArgProblem[]): ArgProblem[] {
    const seen = new Set<string>();
    return problems.filter((p) => (seen.has(p.path) ? false : (seen.add(p.path), true)));
}

/**
 * Validates a component's arguments and applies their defaults. Throws one `InputPropertiesError`
 * naming every bad argument, its value and what is allowed; call it before `super(...)`, so invalid
 * arguments register nothing.
 */
export function parseArgs<S extends AnySchema>(component: string, schema: S, args: unknown): z.output<S> {
    const result = safeParse(schema, args);
    if (result.success) return result.data;
    const problems = firstPerPath(problemsOf(schema, args));
    const errors = problems.map((p) => ({ propertyPath: p.path, reason: `got ${describeValue(p.value)}; allowed: ${p.allowed}` }));
    throw new pulumi.InputPropertiesError({ message: `invalid ${component} arguments: ${errors.map((e) => `${e.propertyPath}: ${e.reason}`).join("; ")}`, errors });
}

/** A value produced elsewhere in the program (a `pulumi.Input`): present, not checked further. */
export function input<T>() {
    return z.custom<pulumi.Input<T>>((v) => v !== undefined && v !== null).meta({ allowed: "a value or an Output" });
}

/**
 * Options of a check that runs even when other fields already failed (zod skips an object's checks
 * then), so one run reports every problem. The check must then read its value defensively.
 */
export const ALWAYS = { when: () => true } as const;

/** A value that `schema` accepts, or an Output (checked by `schema` only when it is a plain value). */
export function orOutput<T extends AnySchema>(schema: T) {
    return z.custom<pulumi.Input<z.output<T>>>((v) => pulumi.Output.isInstance(v) || safeParse(schema, v).success)
        .meta({ allowed: `${allowedText(schema)} (or an Output)` });
}

/** An integer from `min` to `max`. */
export function int(min: number, max: number) {
    return z.int().min(min).max(max);
}

/** A string matching `pattern`, described by `allowed` in messages when given. */
export function matching(pattern: RegExp, allowed?: string) {
    const schema = z.string().regex(pattern);
    return allowed ? schema.meta({ allowed }) : schema;
}

/** An IPv4 CIDR block (`a.b.c.d/n`, as parseCidrNotation reads it), described by `allowed` in messages. */
export function ipv4Cidr(allowed: string) {
    return z.string().refine((c) => parseCidrNotation(c) !== undefined).meta({ allowed });
}

/** One of the values of an `as const` enum object. */
export function oneOf<E extends Record<string, string>>(values: E) {
    return z.enum(enumValues(values) as [E[keyof E], ...E[keyof E][]]);
}

/** An environment name. */
export const environmentName = matching(ENVIRONMENT_NAME, "a lower-case name of 1–21 characters");

/** A duration as Kubernetes controllers and Go take it: one or more number-and-unit pairs (`30s`, `5m`, `1h30m`). */
export const DURATION = /^(\d+(ms|s|m|h))+$/;

/** A duration such as "30s", "5m" or "1h30m". */
export const duration = matching(DURATION, 'a duration such as "30s", "5m" or "1h30m"');

/** Seconds of a duration such as "1h30m" (DURATION; milliseconds count as fractions). */
export function durationSeconds(text: string): number {
    if (!DURATION.test(text)) throw new Error(`not a duration: ${JSON.stringify(text)}`);
    const unit = { ms: 0.001, s: 1, m: 60, h: 3600 } as const;
    return [...text.matchAll(/(\d+)(ms|s|m|h)/g)].reduce((sum, m) => sum + Number(m[1]) * unit[m[2] as keyof typeof unit], 0);
}

/** Resource tags. */
export const tags = z.record(z.string(), z.string());

/** A CloudWatch Logs retention period, days. */
export const logRetentionDays = z.int().refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d))
    .meta({ allowed: `a CloudWatch Logs retention period: ${LOG_RETENTION_DAYS.join(", ")}` });
