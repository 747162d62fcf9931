import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
// js-yaml, not yaml: @pulumi/pulumi loads it anyway, so reading a stack file adds no modules to a render.
import { load as parseYaml } from "js-yaml";
import { mockCall, mockOutputs } from "./mocks";
import { answerRegistrations, Registration } from "./monitor";
import { withCheapBookkeepingTraces } from "./stackTraces";

/**
 * Runs Pulumi programs under mocks and records every registration: type, name, inputs (plain), which
 * input paths Pulumi holds as secrets, parent, dependencies, and the outputs the mocks computed.
 */

export interface Registered {
    type: string;
    name: string;
    urn: string;
    parent: string;
    custom: boolean;
    provider: string;
    /** Inputs as plain values (secrets unwrapped). */
    inputs: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    /** Inputs plus the outputs the mocks computed (what the engine would hold as state). */
    state: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    /** Dotted paths of inputs that Pulumi sent as secrets. */
    secretPaths: string[];
    /** URNs this resource depends on (explicit dependsOn and input dependencies). */
    dependencies: string[];
}

export interface RunResult {
    resources: Registered[];
    outputs: Record<string, unknown>;
    /** Every string the mocks invented (ids, ARNs, endpoints, digests): computed placeholders. */
    computed: Set<string>;
    /** The program's error (only with `captureError`). */
    error?: Error;
    /** Provider functions the program called, with their arguments. */
    invokes: { token: string; inputs: Record<string, unknown> }[];
}

export interface RunOptions {
    /** Preview mode (unknown outputs stay unknown). Default: false. */
    preview?: boolean;
    /** Project name (URNs, `pulumi.getProject()`). Default: "agent-platform". */
    project?: string;
    /** Stack name. Default: "test". */
    stack?: string;
    /** Config as `namespace:key` → value (objects are serialized as structured config). */
    config?: Record<string, unknown>;
    /** Config keys whose values are secrets. */
    secretKeys?: string[];
    /** Return the program's error in `error` instead of throwing it. Default: false. */
    captureError?: boolean;
}

const SECRET_SIG = pulumi.runtime.specialSigKey;

function secretPathsOf(raw: unknown, at: string, out: string[]): string[] {
    if (raw && typeof raw === "object") {
        const obj = raw as Record<string, unknown>;
        if (obj[SECRET_SIG] === pulumi.runtime.specialSecretSig) {
            out.push(at);
            return out;
        }
        for (const [k, v] of Object.entries(obj)) secretPathsOf(v, at ? `${at}.${k}` : k, out);
    }
    return out;
}

/**
 * Replaces Pulumi's secret wrappers with the values they wrap (which paths were secret is kept
 * separately). Parts without a secret are returned as they are, not copied.
 */
function unwrapSecrets(value: unknown): unknown {
    if (Array.isArray(value)) {
        const items = value.map(unwrapSecrets);
        return items.every((v, i) => v === value[i]) ? value : items;
    }
    if (value && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (obj[SECRET_SIG] === pulumi.runtime.specialSecretSig) return unwrapSecrets(obj.value);
        let copy: Record<string, unknown> | undefined;
        for (const [k, v] of Object.entries(obj)) {
            const unwrapped = unwrapSecrets(v);
            if (unwrapped !== v) (copy ??= { ...obj })[k] = unwrapped;
        }
        return copy ?? obj;
    }
    return value;
}

/** Config values as Pulumi holds them: strings, with objects and lists as structured (JSON) config. */
export function configEntries(config: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

/** Waits until no RPC to the (mock) engine is outstanding. */
async function settle(): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const state = require("@pulumi/pulumi/runtime/state") as { getStore(): { settings: { rpcDone: Promise<unknown> } } };
    for (let i = 0; i < 1000; i++) {
        const pending = state.getStore().settings.rpcDone;
        await pending;
        await new Promise((resolve) => setImmediate(resolve));
        if (state.getStore().settings.rpcDone === pending) return;
    }
}

/** Runs `program` (which must create its resources synchronously or return a promise) under recording mocks. */
export async function runProgram(program: () => unknown, opts: RunOptions = {}): Promise<RunResult> {
    const config = opts.config ?? {};
    const project = opts.project ?? "agent-platform";
    const region = String(config["aws:region"] ?? "us-west-2");
    const resources: Registered[] = [];
    const computed = new Set<string>();
    const invokes: RunResult["invokes"] = [];
    const remember = (v: unknown) => {
        if (typeof v === "string" && v.length > 3) computed.add(v);
        else if (v && typeof v === "object") Object.values(v).forEach(remember);
    };
    /** The mocks' answer for a resource, recorded with what the request showed (parent, dependencies, secrets). */
    const answer = (rawArgs: pulumi.runtime.MockResourceArgs, request?: Omit<Registration, "args">) => {
        const args = { ...rawArgs, inputs: unwrapSecrets(rawArgs.inputs) as Record<string, unknown> };
        const out = mockOutputs(args, region);
        remember(out.id);
        remember(out.state);
        resources.push({
            type: args.type, name: args.name, custom: args.custom ?? false, provider: args.provider ?? "",
            urn: request?.urn ?? "", parent: request?.parent ?? "", dependencies: request?.dependencies ?? [],
            secretPaths: request ? secretPathsOf(request.sentInputs, "", []) : [],
            inputs: args.inputs, state: { ...args.inputs, ...out.state, id: out.id },
        });
        return { id: out.id, state: { ...args.inputs, ...out.state } };
    };

    await pulumi.runtime.setMocks({
        newResource: (args) => answer(args),
        call: (args) => {
            invokes.push({ token: args.token, inputs: args.inputs });
            return mockCall(args, region);
        },
    }, project, opts.stack ?? "test", opts.preview ?? false);
    answerRegistrations(async ({ args, ...request }) => answer(args, request));

    pulumi.runtime.setAllConfig(configEntries(config), opts.secretKeys ?? []);
    return withCheapBookkeepingTraces(async () => {
        try {
            const outputs = await pulumi.runtime.runInPulumiStack(async () => program());
            await settle();
            return { resources, outputs: (outputs ?? {}) as Record<string, unknown>, computed, invokes };
        } catch (error) {
            if (!opts.captureError) throw error;
            await settle();
            return { resources, outputs: {}, computed, invokes, error: error as Error };
        }
    });
}

/** The `config:` map of a stack file such as `Pulumi.dev.yaml`. */
export function readStackConfigFile(file: string): Record<string, unknown> {
    const doc = parseYaml(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
    return doc?.config ?? {};
}

/**
 * Runs `program` for stack `stack` of the Pulumi project in `projectDir`, with the config of its
 * `Pulumi.<stack>.yaml` and `overrides` merged over it (a value of `undefined` removes the key).
 * `program` is called after the mocks are set: load the program's modules inside it (`require`), as
 * Pulumi requires.
 */
export async function runStackFile(projectDir: string, stack: string, program: () => unknown, overrides: Record<string, unknown> = {}, opts: Omit<RunOptions, "config" | "stack"> = {}): Promise<RunResult> {
    const fileConfig = readStackConfigFile(path.join(projectDir, `Pulumi.${stack}.yaml`));
    const config = Object.fromEntries(Object.entries({ ...fileConfig, ...overrides }).filter(([, v]) => v !== undefined));
    return runProgram(program, { ...opts, stack, config });
}
