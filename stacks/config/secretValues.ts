import * as pulumi from "@pulumi/pulumi";
import { quotedNames } from "../../components/shared/schema";
import { ConfigProblem } from "./problems";

/**
 * `agent-platform:secretValues`: the values of `secrets.entries` that are set through Pulumi config
 * rather than out of band. One secret config key holding `{ <entry>: { <KEY>: <value> } }`, set with
 *
 *     pulumi config set --secret --path 'secretValues.llm.OPENAI_API_KEY' <value>
 *
 * Only its structure (entry and key names) is read as plain data, to validate it before any resource
 * exists; the values are read with `config.getSecretObject` and stay secret outputs. Problems name
 * entries and keys, never values.
 */
export const SECRET_VALUES_KEY = "secretValues";

/** What the program knows about `secretValues` once validated. */
export interface SecretValuesConfig {
    /** Names of the entries that have a value in config (they get a SecretVersion). */
    entries: string[];
    /** The values, a secret output; undefined when the key is absent or config was read without Pulumi. */
    values?: pulumi.Output<Record<string, Record<string, unknown>>>;
}

/** Shown instead of a secret value in a problem. */
export const REDACTED = "[secret]";

/** A config leaf usable as a secret value: a non-empty string, or a number/boolean `config set --path` parsed. */
function isScalarValue(v: unknown): boolean {
    return (typeof v === "string" && v.length > 0) || (typeof v === "number" && Number.isFinite(v)) || typeof v === "boolean";
}

/** The values of one entry as strings (numbers and booleans from `config set --path` as their text). */
export function entryValues(all: Record<string, Record<string, unknown>>, entry: string): Record<string, string> {
    return Object.fromEntries(Object.entries(all[entry] ?? {}).map(([k, v]) => [k, String(v)]));
}

function isPlainObject(raw: unknown): raw is Record<string, unknown> {
    return typeof raw === "object" && raw !== null && !Array.isArray(raw);
}

/**
 * Checks the structure of `secretValues` (raw text of the config key) against the declared entries:
 * every entry named must exist, and its object must set every declared key, and no other, to a
 * non-empty string (a SecretVersion replaces the whole JSON, and each key is a `remoteRef.property`).
 */
export function checkSecretValues(text: string | undefined, declared: { name: string; keys: string[] }[], fullKey: string): { problems: ConfigProblem[]; entries: string[] } {
    const problems: ConfigProblem[] = [];
    if (text === undefined) return { problems, entries: [] };
    let raw: unknown;
    try {
        raw = JSON.parse(text);
    } catch {
        return { problems: [{ key: fullKey, value: REDACTED, allowed: "an object { <entry>: { <KEY>: <value> } } set with `pulumi config set --secret --path`" }], entries: [] };
    }
    if (!isPlainObject(raw)) {
        return { problems: [{ key: fullKey, value: REDACTED, allowed: "an object { <entry>: { <KEY>: <value> } } set with `pulumi config set --secret --path`" }], entries: [] };
    }
    const byName = new Map(declared.map((d) => [d.name, d.keys]));
    const names = quotedNames(declared.map((d) => d.name));
    const entries: string[] = [];
    for (const [entry, values] of Object.entries(raw)) {
        const at = `${fullKey}.${entry}`;
        const keys = byName.get(entry);
        if (keys === undefined) {
            problems.push({ key: at, value: REDACTED, allowed: `values for an entry of secrets.entries: ${names}` });
            continue;
        }
        if (!isPlainObject(values)) {
            problems.push({ key: at, value: REDACTED, allowed: `an object with the keys ${keys.join(", ")}` });
            continue;
        }
        let ok = true;
        for (const k of Object.keys(values)) {
            if (!keys.includes(k)) {
                problems.push({ key: `${at}.${k}`, value: REDACTED, allowed: `a key declared in secrets.entries (${entry}): ${keys.join(", ")}` });
                ok = false;
            } else if (!isScalarValue(values[k])) {
                problems.push({ key: `${at}.${k}`, value: REDACTED, allowed: "a non-empty string (`config set --path` stores digits-only values as numbers; they are accepted and used as text)" });
                ok = false;
            }
        }
        for (const k of keys.filter((k) => !(k in values))) {
            problems.push({ key: `${at}.${k}`, value: undefined, allowed: `a value: set every key of ${entry} in config (${keys.join(", ")}), or none and use put-secret-value` });
            ok = false;
        }
        if (ok) entries.push(entry);
    }
    return { problems, entries };
}
