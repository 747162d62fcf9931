/**
 * The configuration reference (docs/configuration.md), derived from the same zod schemas that validate
 * the stack configuration: every key with its type, default and description.
 */
import { AnySchema, argMeta, defOf, jsonSchemaOf, safeParse, unwrap } from "../../components/shared/schema";

/** Documentation row of one configuration key. */
export interface FieldDoc {
    path: string;
    type: string;
    default: string;
    description: string;
}

/** Type of a leaf as the reference shows it: `integer`, `boolean`, `string`, `"a" \| "b"`, `string[]`. */
function typeText(schema: AnySchema): string {
    const json = jsonSchemaOf(unwrap(schema));
    if (json.enum) return json.enum.map((v) => JSON.stringify(v)).join(" \\| ");
    if (json.type === "array") return `${json.items?.type ?? "value"}[]`;
    return json.type ?? "value";
}

/** The default of a key in words: its value when absent, `unset` when it stays absent, `required` when it must be given. */
function defaultText(schema: AnySchema): string {
    const meta = argMeta(schema);
    if (meta.defaultText) return meta.defaultText;
    const parsed = safeParse(schema, undefined);
    if (!parsed.success) return "required";
    return parsed.data === undefined ? "unset" : JSON.stringify(parsed.data);
}

/** One row per leaf under `path` (objects are flattened to their fields, lists of objects to `path[].field`). */
export function configReferenceOf(schema: AnySchema, path: string): FieldDoc[] {
    const inner = unwrap(schema);
    const def = defOf(inner);
    if (def.type === "object") {
        return Object.entries(def.shape as Record<string, AnySchema>).flatMap(([key, field]) => configReferenceOf(field, `${path}.${key}`));
    }
    const element = def.type === "array" ? unwrap(def.element as AnySchema) : undefined;
    if (element && defOf(element).type === "object") {
        return [
            { path, type: "object[]", default: defaultText(schema), description: argMeta(schema).description ?? "" },
            ...Object.entries(defOf(element).shape as Record<string, AnySchema>).flatMap(([key, field]) => configReferenceOf(field, `${path}[].${key}`)),
        ];
    }
    return [{ path, type: typeText(schema), default: defaultText(schema), description: argMeta(schema).description ?? "" }];
}
