import * as pulumi from "@pulumi/pulumi";

/** What the harness learns from one RegisterResource request. */
export interface Registration {
    /** The URN the mock monitor assigns (the parent's own type, not its chain, qualifies the type). */
    urn: string;
    /** URN of the parent ("" for the stack). */
    parent: string;
    /** URNs the resource depends on (explicit dependsOn and input dependencies). */
    dependencies: string[];
    /** Inputs exactly as sent: secrets marked where they are (the SDK's deserializer lifts them to their parents). */
    sentInputs: Record<string, unknown>;
    /** The resource as mocks see it (inputs deserialized). */
    args: pulumi.runtime.MockResourceArgs;
}

/** The parts of a RegisterResource request the mock monitor reads. */
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getProvider(): string;
    getImportid(): string;
    getDependenciesList(): string[];
    getTransformsList(): { getToken(): string }[];
    getObject(): { toJavaScript(): Record<string, unknown> };
}

/** The parts of Pulumi's MockMonitor used here. */
interface MockMonitor {
    resources: Map<string, { urn: string; id: string | null; state: unknown }>;
    transformCallbacks: Map<string, pulumi.ResourceTransform>;
    newUrn(parent: string, type: string, name: string): string;
    registerResource(req: RegisterRequest, callback: (error: unknown, response: unknown) => void): Promise<void>;
}

/**
 * Answers RegisterResource in place of Pulumi's MockMonitor (set up by `pulumi.runtime.setMocks`):
 * `register` gives each resource its id and state. Like the MockMonitor it keeps the state (for reads
 * and existence checks), but it answers with a plain object instead of a protobuf message. The SDK reads
 * only these six fields — its own engine-less test mode answers the same way — and building each
 * message, then printing it into a debug-log string as the SDK does with every response, cost more than
 * the rest of the mock put together.
 */
export function answerRegistrations(register: (registration: Registration) => Promise<{ id?: string; state: Record<string, unknown> }>): void {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const monitor = (require("@pulumi/pulumi/runtime/settings") as { getMonitor(): MockMonitor }).getMonitor();
    monitor.registerResource = async (req, callback) => {
        try {
            const sentInputs = req.getObject().toJavaScript();
            const type = req.getType();
            const name = req.getName();
            const parent = req.getParent();
            const urn = monitor.newUrn(parent, type, name);
            const transforms = req.getTransformsList().map((cb) => monitor.transformCallbacks.get(cb.getToken()))
                .filter((t): t is pulumi.ResourceTransform => t !== undefined);
            const result = await register({
                urn, parent, dependencies: req.getDependenciesList(), sentInputs,
                args: {
                    // The deserializer only calls toJavaScript() on the Struct it is given.
                    type, name, inputs: pulumi.runtime.deserializeProperties({ toJavaScript: () => sentInputs } as never),
                    provider: req.getProvider(), custom: req.getCustom(), id: req.getImportid(), transforms,
                } as pulumi.runtime.MockResourceArgs,
            });
            const state = await pulumi.runtime.serializeProperties("", result.state);
            monitor.resources.set(urn, { urn, id: result.id ?? null, state });
            callback(null, {
                getUrn: () => urn,
                getId: () => result.id || "",
                getObject: () => ({ toJavaScript: () => state }),
                getPropertydependenciesMap: () => undefined,
                getResult: () => 0,
                getUnknown: () => false,
            });
        } catch (error) {
            callback(error, undefined);
        }
    };
}
