/**
 * The Pulumi SDK records stack traces for its own bookkeeping: one for every output property of every
 * resource (`debuggablePromise`, read only when PULUMI_DEBUG_PROMISE_LEAKS is set) and a full-depth one
 * for every resource (`Resource.callsites`, parsed into a source position that the mock engine ignores).
 * Under a loader with source maps (tsx, ts-node) Node formats every frame of them through a source-map
 * lookup: they were most of a render's time and memory. While a program runs under the mocks, the leak
 * traces are captured without frames (unless PULUMI_DEBUG_PROMISE_LEAKS is set) and the source-position
 * traces come back without frames (so no position is sent); every other error keeps the stack trace it
 * would have had.
 */

type PrepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) => unknown;
type Debuggable = { debuggablePromise: (...args: unknown[]) => unknown; debugPromiseLeaks: boolean };

const PULUMI_SDK_FILE = /[\\/]@pulumi[\\/]pulumi[\\/]/;

/** The formatter used during a run: no frames for the SDK's source-position traces, `original` for all others. */
export function bookkeepingAwareFormatter(original: PrepareStackTrace): PrepareStackTrace {
    return (error, frames) => {
        const top = frames[0];
        if (top?.getFunctionName() === "callsites" && PULUMI_SDK_FILE.test(top.getFileName() ?? "")) return String(error);
        return original(error, frames);
    };
}

/** Makes `debuggablePromise` capture its (unread) trace without frames; returns what undoes it. */
function withoutLeakTraces(debuggable: Debuggable): () => void {
    if (debuggable.debugPromiseLeaks) return () => undefined;
    const original = debuggable.debuggablePromise;
    debuggable.debuggablePromise = function (this: unknown, ...args: unknown[]) {
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 0;
        try {
            return original.apply(this, args);
        } finally {
            Error.stackTraceLimit = limit;
        }
    };
    return () => { debuggable.debuggablePromise = original; };
}

/** Runs `run` with cheap bookkeeping traces, and puts everything back afterwards. */
export async function withCheapBookkeepingTraces<T>(run: () => Promise<T>): Promise<T> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const restoreLeakTraces = withoutLeakTraces(require("@pulumi/pulumi/runtime/debuggable") as Debuggable);
    const original = Error.prepareStackTrace;
    const formatter = typeof original === "function" ? bookkeepingAwareFormatter(original) : undefined;
    if (formatter) Error.prepareStackTrace = formatter;
    try {
        return await run();
    } finally {
        if (formatter && Error.prepareStackTrace === formatter) Error.prepareStackTrace = original;
        restoreLeakTraces();
    }
}
