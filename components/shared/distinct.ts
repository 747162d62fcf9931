/**
 * The one check that the items of a list (or of several lists) have distinct names, shared by the
 * component argument schemas and the stack configuration; each caller keeps its own path and message.
 */
import { z } from "./schema";

/**
 * Adds an issue at `[...at, i, "name"]` with `message` for every item of `items` whose name (by
 * `nameOf`) an earlier item already has. Names seen are kept in `seen`, so passing one set to several
 * calls checks the lists together.
 */
export function checkDistinctNames<T>(
    items: readonly T[],
    nameOf: (item: T) => unknown,
    ctx: z.RefinementCtx,
    at: readonly (string | number)[],
    message: string,
    seen: Set<unknown> = new Set(),
): void {
    items.forEach((item, i) => {
        const name = nameOf(item);
        if (seen.has(name)) ctx.addIssue({ code: "custom", path: [...at, i, "name"], message });
        seen.add(name);
    });
}
