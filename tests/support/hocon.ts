/**
 * HOCON (Typesafe Config, what ElasticMQ reads) parsed by @pushcorn/hocon-parser in strict mode, for
 * tests of generated configuration files. `include classpath(...)` lines are dropped first: they name
 * resources inside the server's own binary, which a parser outside it cannot open.
 */
// The package ships no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const parse = require("@pushcorn/hocon-parser") as (options: { text: string; strict: boolean }) => Promise<Record<string, unknown>>;

/** The object a HOCON text describes; rejects on a syntax error. */
export function parseHocon(text: string): Promise<Record<string, unknown>> {
    return parse({ text: text.split("\n").filter((line) => !/^include classpath\(/.test(line)).join("\n"), strict: true });
}
