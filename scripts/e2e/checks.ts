/**
 * The end-to-end checks, over HTTP, against the agents' API and Tempo (reached through port-forwards on
 * loopback): a job, a chat session, the job's trace. Every request has a timeout and every wait a bound.
 * What the answers say comes from the fake LLM (e2e/fake-llm): `calc: <expr>` makes the model call the
 * calculator tool, anything else is echoed with the number of earlier turns and the first one.
 */
import { Clock, poll, realClock, Stop } from "./poll";
import { searchPath, Span, spansOf, TraceExpectations, traceIdsOf, traceProblems } from "./traces";

/** What the checks need: `fetch` and a clock (both replaceable in tests). */
export interface CheckDeps {
    fetch: typeof fetch;
    clock?: Clock;
    log: (line: string) => void;
}

/** Bounds of the waits, ms. */
export const WAITS = {
    /** A job: the worker may have to be scaled from zero by KEDA (polling 5 s) and start. */
    jobMs: 300_000,
    /** The job's trace: span batches (5 s in the agents, 5 s in the collector) reach Tempo. */
    traceMs: 180_000,
    /** The API or Tempo answering once their port-forward is up. */
    readyMs: 120_000,
    /** One HTTP request. */
    requestMs: 15_000,
    /** One chat request (an LLM round trip). */
    chatMs: 70_000,
} as const;

/** The job the check posts: the fake answers it through the calculator tool. */
export const JOB_INPUT = "calc: 6 * 7";

/** A JSON request with a timeout; the status and the parsed body (or the text when it is not JSON). */
export async function request(deps: CheckDeps, url: string, init: RequestInit & { timeoutMs?: number } = {}): Promise<{ status: number; body: unknown }> {
    const res = await deps.fetch(url, {
        ...init,
        headers: { "content-type": "application/json", ...init.headers },
        signal: AbortSignal.timeout(init.timeoutMs ?? WAITS.requestMs),
    });
    const text = await res.text();
    let body: unknown = text;
    try { body = JSON.parse(text); } catch { /* not JSON: keep the text */ }
    return { status: res.status, body };
}

/** Waits until `url` answers 200 (a readiness endpoint). */
export async function waitUntilReady(deps: CheckDeps, what: string, url: string): Promise<void> {
    await poll({
        what, timeoutMs: WAITS.readyMs, intervalMs: 2_000, clock: deps.clock,
        check: async () => {
            const r = await request(deps, url, { timeoutMs: 5_000 });
            if (r.status !== 200) throw new Error(`HTTP ${r.status}`);
            return true;
        },
    });
}

/** Posts a job and waits for `succeeded`; returns its id and output. */
export async function checkJob(deps: CheckDeps, api: string, runId: string): Promise<{ jobId: string; output: string }> {
    const created = await request(deps, `${api}/v1/jobs`, { method: "POST", headers: { "Idempotency-Key": `e2e-${runId}` }, body: JSON.stringify({ input: JOB_INPUT }) });
    const jobId = (created.body as { jobId?: unknown })?.jobId;
    if (created.status !== 202 || typeof jobId !== "string") throw new Error(`POST /v1/jobs answered ${created.status} ${JSON.stringify(created.body)}; expected 202 with a jobId`);
    deps.log(`job ${jobId} accepted`);
    const done = await poll({
        what: `job ${jobId} to succeed`, timeoutMs: WAITS.jobMs, intervalMs: 2_000, clock: deps.clock,
        check: async () => {
            const r = await request(deps, `${api}/v1/jobs/${encodeURIComponent(jobId)}`);
            const job = r.body as { status?: string; result?: { output?: unknown }; error?: unknown };
            if (r.status !== 200) throw new Error(`GET /v1/jobs/${jobId} answered ${r.status}`);
            if (job.status === "failed") throw new Stop(`the job failed: ${JSON.stringify(job.error ?? null)}`);
            return job.status === "succeeded" ? job : undefined;
        },
    });
    const output = String(done.result?.output ?? "");
    if (!/\b42\b/.test(output)) throw new Error(`job ${jobId} succeeded with ${JSON.stringify(output)}; expected the calculator's 42 (6 * 7)`);
    return { jobId, output };
}

/** Two messages in one session: the second reply must show the first turn, read back from the context store. */
export async function checkChat(deps: CheckDeps, api: string, runId: string): Promise<string[]> {
    const session = `e2e-${runId}`;
    const first = `hello from ${session}`;
    const say = async (message: string) => {
        const r = await request(deps, `${api}/v1/sessions/${session}/messages`, { method: "POST", body: JSON.stringify({ message }), timeoutMs: WAITS.chatMs });
        const reply = (r.body as { reply?: unknown })?.reply;
        if (r.status !== 200 || typeof reply !== "string") throw new Error(`POST /v1/sessions/${session}/messages answered ${r.status} ${JSON.stringify(r.body)}; expected 200 with a reply`);
        return reply;
    };
    const one = await say(first);
    if (!one.includes("history=0")) throw new Error(`the first reply should see no earlier turn: ${JSON.stringify(one)}`);
    const two = await say("and again");
    if (!two.includes("history=1") || !two.includes(first)) {
        throw new Error(`the second reply should see the first turn (context from the store): ${JSON.stringify(two)}`);
    }
    return [one, two];
}

/**
 * Finds the job's trace in Tempo by the job id (TraceQL on `agent.job.id`) and waits until it holds the
 * whole path; returns its spans. Spans arrive in batches, so an incomplete trace is looked up again.
 */
export async function checkTrace(deps: CheckDeps, tempo: string, jobId: string, expect: TraceExpectations): Promise<Span[]> {
    const clock = deps.clock ?? realClock;
    return poll({
        what: `the trace of job ${jobId} in Tempo`, timeoutMs: WAITS.traceMs, intervalMs: 5_000, clock,
        check: async () => {
            const search = await request(deps, `${tempo}${searchPath(jobId, Math.floor(clock.now() / 1000), 3600)}`);
            if (search.status !== 200) throw new Error(`search answered ${search.status}`);
            const [traceId] = traceIdsOf(search.body);
            if (!traceId) throw new Error("no trace with the job's id yet");
            const trace = await request(deps, `${tempo}/api/v2/traces/${traceId}`);
            if (trace.status !== 200) throw new Error(`trace ${traceId} answered ${trace.status}`);
            const spans = spansOf(trace.body);
            const problems = traceProblems(spans, expect);
            if (problems.length > 0) throw new Error(`trace ${traceId}: ${problems.join("; ")}`);
            return spans;
        },
    });
}
