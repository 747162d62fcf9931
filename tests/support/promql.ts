/**
 * What a PromQL expression refers to, read from its text independently of the code that built it:
 * the metric selectors (name and label matchers), the labels it groups or matches on, and the labels
 * `label_replace` writes and reads. Enough PromQL for the platform's alert rules; anything it cannot
 * place (an identifier that is neither a function, a keyword nor a selector) is reported as a metric.
 */

export interface Matcher {
    label: string;
    op: "=" | "!=" | "=~" | "!~";
    value: string;
}

export interface Selector {
    metric: string;
    matchers: Matcher[];
}

export interface PromqlRefs {
    selectors: Selector[];
    /** Labels named in by/without/on/ignoring/group_left/group_right clauses. */
    groupingLabels: string[];
    /** label_replace(v, dst, replacement, src, regex): the labels written and read. */
    replaced: { dst: string; src: string }[];
}

const FUNCTIONS = new Set([
    "sum", "max", "min", "avg", "count", "topk", "bottomk", "rate", "increase", "irate", "histogram_quantile", "label_replace",
    "vector", "absent", "clamp_min", "clamp_max", "scalar", "time",
]);
const KEYWORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset"]);

/** Parses the references of `expr`; throws on unbalanced parentheses, braces or quotes. */
export function promqlRefs(expr: string): PromqlRefs {
    const strings: string[] = [];
    const quoteCount = (expr.match(/"/g) ?? []).length;
    if (quoteCount % 2 !== 0) throw new Error(`unbalanced quotes in ${expr}`);
    // Strings become placeholders, so nothing inside them looks like syntax.
    let text = expr.replace(/"((?:[^"\\]|\\.)*)"/g, (_, s: string) => `§${strings.push(s) - 1}§`);
    const value = (placeholder: string) => strings[Number(/^§(\d+)§$/.exec(placeholder.trim())?.[1] ?? NaN)];
    for (const [open, close] of [["(", ")"], ["{", "}"], ["[", "]"]]) {
        if (text.split(open).length !== text.split(close).length) throw new Error(`unbalanced ${open}${close} in ${expr}`);
    }

    const replaced: PromqlRefs["replaced"] = [];
    for (const m of text.matchAll(/label_replace\s*\(/g)) {
        // The last four top-level arguments of the call are strings: dst, replacement, src, regex.
        let depth = 0;
        let end = m.index! + m[0].length;
        for (; end < text.length; end++) {
            if (text[end] === "(") depth++;
            else if (text[end] === ")") { if (depth === 0) break; depth--; }
        }
        const args = text.slice(m.index! + m[0].length, end).split(",").slice(-4).map((a) => value(a));
        if (args.some((a) => a === undefined)) throw new Error(`label_replace with non-string arguments in ${expr}`);
        replaced.push({ dst: args[0], src: args[2] });
    }

    const groupingLabels: string[] = [];
    text = text.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_, __, labels: string) => {
        groupingLabels.push(...labels.split(",").map((l) => l.trim()).filter(Boolean));
        return " ";
    });

    const selectors: Selector[] = [];
    text = text.replace(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}/g, (_, metric: string, body: string) => {
        const matchers = body.split(",").map((m) => m.trim()).filter(Boolean).map((m): Matcher => {
            const parsed = /^([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(§\d+§)$/.exec(m);
            if (!parsed) throw new Error(`matcher ${m} of ${metric} in ${expr}`);
            return { label: parsed[1], op: parsed[2] as Matcher["op"], value: value(parsed[3]) };
        });
        selectors.push({ metric, matchers });
        return " ";
    });
    // What is left: functions, keywords, durations, numbers, operators, placeholders; any other name is a bare metric.
    text = text.replace(/§\d+§/g, " ").replace(/\[[^\]]*\]/g, " ");
    for (const m of text.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
        const word = m[0];
        const isCall = /^\s*\(/.test(text.slice(m.index! + word.length));
        if ((isCall && FUNCTIONS.has(word)) || KEYWORDS.has(word)) continue;
        if (isCall) throw new Error(`unknown function ${word} in ${expr}`);
        selectors.push({ metric: word, matchers: [] });
    }
    return { selectors, groupingLabels, replaced };
}
