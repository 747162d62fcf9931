/**
 * This repository's stacks rendered offline, under the `agent-platform/testing` mocks: what the tests,
 * `npm run render`, the configuration reference and the benchmark share. Not loaded by `pulumi up`.
 */
import * as path from "node:path";
import { configEntries, readStackConfigFile, RunOptions, RunResult, runStackFile } from "../testing";
import { PlatformConfig, readPlatformConfig } from "./config";

/** The repository root (where `Pulumi.yaml` and the `Pulumi.<stack>.yaml` files are). */
export const PROJECT_ROOT = path.resolve(__dirname, "..");

/** The stacks this repository ships a `Pulumi.<stack>.yaml` for. */
export const STACKS = ["dev", "staging", "prod", "local"] as const;

/** The stacks that deploy to AWS (previewed and deployed by the workflows); `local` runs on any Kubernetes cluster. */
export const AWS_STACKS = ["dev", "staging", "prod"] as const;

/** The `config:` map of `Pulumi.<stack>.yaml`. */
export function stackConfig(stack: string): Record<string, unknown> {
    return readStackConfigFile(path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`));
}

/**
 * The validated platform configuration of a config map (`namespace:key` → value), read the way the
 * program reads Pulumi config; throws StackConfigError like the program would.
 */
export function platformConfigFrom(config: Record<string, unknown>, environment: string): PlatformConfig {
    const entries = configEntries(config);
    return readPlatformConfig((key) => entries[key], environment);
}

/** The validated platform configuration of `Pulumi.<stack>.yaml`. */
export function stackPlatformConfig(stack: string): PlatformConfig {
    return platformConfigFrom(stackConfig(stack), stack);
}

/**
 * Runs the real program (`stacks/program.ts`) for a stack from its `Pulumi.<stack>.yaml`, with
 * `overrides` merged over the file's config (a value of `undefined` removes the key). Every call is a
 * fresh run; tests that only read a stack as its file configures it share `sharedRender` instead.
 */
export function runStack(stack: string, overrides: Record<string, unknown> = {}, opts: Omit<RunOptions, "config" | "stack"> = {}): Promise<RunResult> {
    // Loaded after the mocks are set, as Pulumi requires.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const program = () => (require("./program") as typeof import("./program")).definePlatform();
    return runStackFile(PROJECT_ROOT, stack, program, overrides, opts);
}

const sharedRenders = new Map<string, Promise<RunResult>>();

/** Freezes a value and everything reachable from it (Sets: the Set object only). */
function deepFreeze<T>(value: T): T {
    if (value && typeof value === "object" && !Object.isFrozen(value)) {
        Object.freeze(value);
        for (const v of Object.values(value)) deepFreeze(v);
    }
    return value;
}

/**
 * The render of a stack exactly as `Pulumi.<stack>.yaml` configures it, run once per process and shared
 * by every caller (the tests of one process render each stack once). It is deeply frozen: a caller that
 * changed it would change it for all the others.
 */
export function sharedRender(stack: string): Promise<RunResult> {
    let render = sharedRenders.get(stack);
    if (!render) {
        render = runStack(stack).then(deepFreeze);
        sharedRenders.set(stack, render);
    }
    return render;
}
