/**
 * A small declarative schema for stack configuration. Each field knows its type, its default, its
 * documentation and how to validate a raw YAML value; the same declaration drives validation, the
 * TypeScript type of the validated config and the README's configuration reference.
 */

/** A duration in one unit, as Kubernetes controllers take it: `30s`, `5m`, `1h`. */
export const DURATION = /^\d+(s|m|h)$/;

/** One thing wrong with the stack configuration. */
export interface ConfigProblem {
    /** Full key, e.g. `agent-platform:network.azCount` or `agent-platform:agents[1].role`. */
    key: string;
    /** The value found (undefined when the key is missing). */
    value: unknown;
    /** What is allowed instead. */
    allowed: string;
}

/** Formats one problem as `key: got <value>; allowed: <allowed>`. */
export function describeProblem(problem: ConfigProblem): string {
    const got = problem.value === undefined ? "nothing" : JSON.stringify(problem.value);
    return `${problem.key}: got ${got}; allowed: ${problem.allowed}`;
}

/** Documentation row of one leaf field, for the configuration reference. */
export interface FieldDoc {
    path: string;
    type: string;
    default: string;
    description: string;
}

/** A field of a schema: validates a raw value and returns the typed value (or its default). */
export interface Field<T> {
    readonly type: string;
    readonly defaultText: string;
    readonly description: string;
    read(raw: unknown, key: string, problems: ConfigProblem[]): T;
    docs(path: string): FieldDoc[];
}

export type Schema = Record<string, Field<unknown>>;
export type Infer<S extends Schema> = { [K in keyof S]: S[K] extends Field<infer T> ? T : never };

interface Common<T> {
    /** What the key configures, for the reference. */
    doc: string;
    /** Value when the key is absent. Omit to make the key required (or optional with `optional`). */
    default?: T;
}

function leaf<T>(type: string, common: Common<T>, accept: (raw: unknown) => T | undefined, allowed: string): Field<T> {
    const hasDefault = "default" in common;
    return {
        type,
        description: common.doc,
        defaultText: hasDefault ? JSON.stringify(common.default) : "required",
        read(raw, key, problems) {
            if (raw === undefined || raw === null) {
                if (hasDefault) return common.default as T;
                problems.push({ key, value: raw ?? undefined, allowed });
                return undefined as T;
            }
            const value = accept(raw);
            if (value === undefined) problems.push({ key, value: raw, allowed });
            return value as T;
        },
        docs(path) {
            return [{ path, type, default: this.defaultText, description: common.doc }];
        },
    };
}

/** An integer within bounds. */
export function integer(opts: Common<number> & { min: number; max: number }): Field<number> {
    return leaf("integer", opts, (raw) => (Number.isInteger(raw) && (raw as number) >= opts.min && (raw as number) <= opts.max ? (raw as number) : undefined),
        `an integer from ${opts.min} to ${opts.max}`);
}

/** A boolean. */
export function boolean(opts: Common<boolean>): Field<boolean> {
    return leaf("boolean", opts, (raw) => (typeof raw === "boolean" ? raw : undefined), "true or false");
}

/** A string matching a pattern (or any non-empty string). */
export function string(opts: Common<string> & { pattern?: RegExp; allowed?: string; check?: (s: string) => boolean }): Field<string> {
    const allowed = opts.allowed ?? (opts.pattern ? `a string matching ${opts.pattern}` : "a non-empty string");
    return leaf("string", opts, (raw) => {
        if (typeof raw !== "string" || raw.length === 0) return undefined;
        if (opts.pattern && !opts.pattern.test(raw)) return undefined;
        if (opts.check && !opts.check(raw)) return undefined;
        return raw;
    }, allowed);
}

/** One of a fixed set of strings (an `as const` enum object's values). */
export function oneOf<V extends string>(values: readonly V[], opts: Common<V>): Field<V> {
    return leaf(values.map((v) => `"${v}"`).join(" \\| "), opts,
        (raw) => (values.includes(raw as V) ? (raw as V) : undefined), `one of ${values.map((v) => JSON.stringify(v)).join(", ")}`);
}

/** A list of strings, each checked like `string`. */
export function stringList(opts: Common<string[]> & { pattern?: RegExp; allowed?: string; minItems?: number; maxItems?: number; values?: readonly string[] }): Field<string[]> {
    const min = opts.minItems ?? 0;
    const max = opts.maxItems ?? 1000;
    const item = opts.values ? `one of ${opts.values.map((v) => JSON.stringify(v)).join(", ")}` : (opts.allowed ?? (opts.pattern ? `strings matching ${opts.pattern}` : "non-empty strings"));
    return leaf("string[]", opts, (raw) => {
        if (!Array.isArray(raw) || raw.length < min || raw.length > max) return undefined;
        const ok = raw.every((s) => typeof s === "string" && s.length > 0 && (!opts.pattern || opts.pattern.test(s)) && (!opts.values || opts.values.includes(s)));
        return ok ? (raw as string[]) : undefined;
    }, `a list of ${min} to ${max} items, each ${item}`);
}

/** Marks a field optional: absent → undefined, present → validated by `field`. */
export function optional<T>(field: Field<T>): Field<T | undefined> {
    return {
        type: field.type,
        description: field.description,
        defaultText: "unset",
        read(raw, key, problems) {
            return raw === undefined || raw === null ? undefined : field.read(raw, key, problems);
        },
        docs(path) {
            return field.docs(path).map((d) => (d.path === path ? { ...d, default: "unset" } : d));
        },
    };
}

function isPlainObject(raw: unknown): raw is Record<string, unknown> {
    return typeof raw === "object" && raw !== null && !Array.isArray(raw);
}

function readObject<S extends Schema>(schema: S, raw: Record<string, unknown>, key: string, problems: ConfigProblem[]): Infer<S> {
    const out: Record<string, unknown> = {};
    for (const [name, field] of Object.entries(schema)) out[name] = field.read(raw[name], `${key}.${name}`, problems);
    for (const name of Object.keys(raw)) {
        if (!(name in schema)) problems.push({ key: `${key}.${name}`, value: raw[name], allowed: `no such key; known keys: ${Object.keys(schema).join(", ")}` });
    }
    return out as Infer<S>;
}

/** A nested object; absent → every field's default. Unknown keys are problems (they are usually typos). */
export function object<S extends Schema>(schema: S, doc: string): Field<Infer<S>> {
    return {
        type: "object",
        description: doc,
        defaultText: "{}",
        read(raw, key, problems) {
            if (raw === undefined || raw === null) return readObject(schema, {}, key, problems);
            if (!isPlainObject(raw)) {
                problems.push({ key, value: raw, allowed: `an object with keys ${Object.keys(schema).join(", ")}` });
                return readObject(schema, {}, key, []);
            }
            return readObject(schema, raw, key, problems);
        },
        docs(path) {
            return Object.entries(schema).flatMap(([name, field]) => field.docs(`${path}.${name}`));
        },
    };
}

/** A list of objects; `uniqueBy` names a key whose values must differ between items. */
export function list<S extends Schema>(schema: S, opts: { doc: string; default?: Infer<S>[]; minItems?: number; maxItems?: number; uniqueBy?: keyof S & string }): Field<Infer<S>[]> {
    const min = opts.minItems ?? 0;
    const max = opts.maxItems ?? 100;
    return {
        type: "object[]",
        description: opts.doc,
        defaultText: opts.default ? JSON.stringify(opts.default) : "[]",
        read(raw, key, problems) {
            if (raw === undefined || raw === null) raw = opts.default ?? [];
            if (!Array.isArray(raw) || raw.length < min || raw.length > max) {
                problems.push({ key, value: raw, allowed: `a list of ${min} to ${max} objects` });
                return [];
            }
            const items = raw.map((item, i) => {
                if (isPlainObject(item)) return readObject(schema, item, `${key}[${i}]`, problems);
                problems.push({ key: `${key}[${i}]`, value: item, allowed: `an object with keys ${Object.keys(schema).join(", ")}` });
                return readObject(schema, {}, `${key}[${i}]`, []);
            });
            if (opts.uniqueBy) {
                const seen = new Set<unknown>();
                items.forEach((item, i) => {
                    const id = item[opts.uniqueBy as keyof typeof item];
                    if (seen.has(id)) problems.push({ key: `${key}[${i}].${opts.uniqueBy}`, value: id, allowed: `a ${opts.uniqueBy} not used by another item` });
                    seen.add(id);
                });
            }
            return items;
        },
        docs(path) {
            return [{ path, type: "object[]", default: this.defaultText, description: opts.doc },
                ...Object.entries(schema).flatMap(([name, field]) => field.docs(`${path}[].${name}`))];
        },
    };
}
