import type { PathProblem } from "../../components/platform/relations";
import { ArgProblem, describeValue, formatPath, valueAt } from "../../components/shared/schema";

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
    return `${problem.key}: got ${describeValue(problem.value)}; allowed: ${problem.allowed}`;
}

/** A schema problem at `path` under the config key `fullKey`. */
export function configProblem(fullKey: string, problem: ArgProblem): ConfigProblem {
    const key = problem.path === "" ? fullKey : problem.path.startsWith("[") ? `${fullKey}${problem.path}` : `${fullKey}.${problem.path}`;
    return { key, value: problem.value, allowed: problem.allowed };
}

/**
 * Problems found at the platform arguments' paths, as problems of the configuration `c`: the key from
 * `key`, the value configured there. `renamed` gives the key and value of a path the configuration
 * holds elsewhere (the platform's `modelServer` is `modelServer.enabled` there).
 */
export function configProblemsAt(c: object, found: PathProblem[], key: (path: string) => string, renamed: Record<string, [string, unknown]> = {}): ConfigProblem[] {
    return found.map((p) => {
        const path = formatPath(p.path);
        const [configPath, value] = renamed[path] ?? [path, valueAt(c, p.path)];
        return { key: key(configPath), value, allowed: p.message };
    });
}
