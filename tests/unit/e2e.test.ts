import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { forwardedPort, parseOptions, pulumiEnv } from "../../scripts/e2e/cli";
import { Clock, poll, Stop } from "../../scripts/e2e/poll";
import { closingReport, exitCodeOf, STEPS, StepFailure } from "../../scripts/e2e/steps";
import { ancestors, hexId, jobTraceQuery, searchPath, spansOf, TraceExpectations, traceIdsOf, traceProblems, traceTree } from "../../scripts/e2e/traces";
import { PROJECT_ROOT } from "../../stacks/offline";

const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "tests", "fixtures", "tempo", name), "utf8"));
const EXPECT: TraceExpectations = { apiService: "chat-api", workerService: "job-worker", model: "fake-model", tool: "calculator" };

/** A clock that moves only when slept on (and by `tick` per reading, to model slow checks). */
function fakeClock(tick = 0): Clock & { sleeps: number[] } {
    let t = 1_000_000;
    const sleeps: number[] = [];
    return { sleeps, now: () => (t += tick), sleep: async (ms) => { sleeps.push(ms); t += ms; } };
}

describe("scripts/e2e-local: command line", () => {
    it("parses the flags, with defaults, and refuses anything else with the usage", () => {
        assert.deepEqual(parseOptions([], "/repo"), { keep: false, checksOnly: false, stateDir: "/repo/.e2e/state", policy: true });
        assert.deepEqual(parseOptions(["--keep", "--context", "k3d-dev", "--state-dir", "st", "--no-policy", "--checks-only"], "/repo", "/work"),
            { keep: true, checksOnly: true, context: "k3d-dev", stateDir: "/work/st", policy: false });
        assert.throws(() => parseOptions(["--destroy"], "/repo"), /unknown argument "--destroy"[\s\S]*usage: scripts\/e2e-local/);
        assert.throws(() => parseOptions(["--context"], "/repo"), /--context needs a value/);
        assert.throws(() => parseOptions(["--context", "--keep"], "/repo"), /--context needs a value/);
        assert.throws(() => parseOptions(["--context", "two words"], "/repo"), /not a kubeconfig context name/);
        assert.throws(() => parseOptions(["--help"], "/repo"), /^Error: usage:/);
    });

    it("points pulumi at the local backend directory, keeping the caller's passphrase", () => {
        const env = pulumiEnv("/tmp/state", { PULUMI_CONFIG_PASSPHRASE: "p", PATH: "/bin" });
        assert.equal(env.PULUMI_BACKEND_URL, "file:///tmp/state");
        assert.equal(env.PULUMI_CONFIG_PASSPHRASE, "p");
        assert.equal(env.PATH, "/bin");
        assert.equal(env.PULUMI_SKIP_UPDATE_CHECK, "true");
    });

    it("reads the port kubectl port-forward chose, once it says it", () => {
        assert.equal(forwardedPort(""), undefined);
        assert.equal(forwardedPort("Forwarding from 127.0.0.1:43127 -> 8080\nForwarding from [::1]:43127 -> 8080\n"), 43127);
        assert.equal(forwardedPort("error: unable to forward port"), undefined);
    });
});

describe("scripts/e2e-local: steps and what a run says at the end", () => {
    it("gives each step its own exit code, apart from usage (2) and bugs (1)", () => {
        const codes = STEPS.map((s) => s.code);
        assert.equal(new Set(codes).size, codes.length);
        for (const c of codes) assert.ok(c >= 10 && c < 64, String(c));
        assert.deepEqual(STEPS.map((s) => s.step), ["prerequisites", "stack", "deploy", "ready", "job", "chat", "trace", "destroy"]);
        assert.equal(exitCodeOf("job"), 14);
    });

    it("names the failed step and says what is left deployed and how to remove it", () => {
        const base = { keep: false, context: "kind-agent-platform", stateDir: "/s" };
        const kept = closingReport({ ...base, keep: true, deployment: "deployed", failure: new StepFailure("trace", "no chat span") }).join("\n");
        assert.match(kept, /^FAILED at step "trace" \(exit 16\): no chat span/);
        assert.match(kept, /STILL DEPLOYED in context kind-agent-platform \(--keep\)/);
        assert.match(kept, /PULUMI_BACKEND_URL=file:\/\/\/s pulumi destroy -s local --yes/);
        const partial = closingReport({ ...base, deployment: "unknown", failure: new StepFailure("deploy", "x"), destroyError: "timeout" }).join("\n");
        assert.match(partial, /MAY BE PARTLY DEPLOYED/);
        assert.match(partial, /Destroying it failed: timeout/);
        assert.match(closingReport({ ...base, deployment: "destroyed" }).join("\n"), /^PASSED[\s\S]*Nothing is left deployed/);
        assert.match(closingReport({ ...base, deployment: "none", failure: new StepFailure("prerequisites", "no pulumi") }).join("\n"), /Nothing was deployed/);
    });
});

describe("scripts/e2e-local: bounded waiting", () => {
    it("returns the first value a check gives, sleeping between checks", async () => {
        const clock = fakeClock();
        let calls = 0;
        const v = await poll({ what: "x", timeoutMs: 10_000, intervalMs: 1_000, clock, check: async () => (++calls === 3 ? "done" : undefined) });
        assert.equal(v, "done");
        assert.deepEqual(clock.sleeps, [1_000, 1_000]);
    });

    it("gives up at the time budget with the last error, and never sleeps past it", async () => {
        const clock = fakeClock();
        await assert.rejects(poll({ what: "the job", timeoutMs: 5_000, intervalMs: 2_000, clock, check: async () => { throw new Error("HTTP 503"); } }),
            /timed out after 5 s waiting for the job \(last: HTTP 503\)/);
        assert.ok(clock.sleeps.reduce((a, b) => a + b, 0) <= 5_000);
    });

    it("is bounded in attempts even when the clock does not move", async () => {
        let calls = 0;
        const still: Clock = { now: () => 0, sleep: async () => undefined };
        await assert.rejects(poll({ what: "y", timeoutMs: 60_000, intervalMs: 1_000, maxAttempts: 7, clock: still, check: async () => { calls++; return undefined; } }), /timed out/);
        assert.equal(calls, 7);
    });

    it("stops at once on a state that will not change", async () => {
        let calls = 0;
        await assert.rejects(poll({ what: "job j", timeoutMs: 60_000, intervalMs: 1_000, clock: fakeClock(), check: async () => { calls++; throw new Stop("the job failed"); } }), /^Error: job j: the job failed$/);
        assert.equal(calls, 1);
    });
});

describe("scripts/e2e-local: reading Tempo", () => {
    it("searches by the job id the API's and the worker's spans carry (TraceQL), within a window", () => {
        assert.equal(jobTraceQuery('a"b'), '{ span.agent.job.id = "a\\"b" }');
        const query = new URLSearchParams(searchPath("j-1", 1_700_000_000, 3600).split("?")[1]);
        assert.equal(query.get("q"), '{ span.agent.job.id = "j-1" }');
        assert.equal(Number(query.get("start")), 1_700_000_000 - 3600);
        assert.ok(Number(query.get("end")) > 1_700_000_000);
        assert.deepEqual(traceIdsOf(fixture("search.json")), ["5b8efff798038103d269b633813fc60c"]);
        assert.deepEqual(traceIdsOf({ traces: [] }), []);
        assert.throws(() => traceIdsOf({ error: "x" }), /not a Tempo search response/);
    });

    it("reads span and trace ids in hex or base64 alike", () => {
        assert.equal(hexId("5B8EFFF798038103D269B633813FC60C"), "5b8efff798038103d269b633813fc60c");
        assert.equal(hexId(Buffer.from("eee19b7ec3c1b174", "hex").toString("base64")), "eee19b7ec3c1b174");
        assert.equal(hexId(undefined), "");
    });

    it("flattens a v2 trace (resourceSpans, hex ids, kind names) with services and attributes", () => {
        const spans = spansOf(fixture("trace-v2.json"));
        assert.equal(spans.length, 7);
        const process = spans.find((s) => s.name === "process jobs")!;
        assert.deepEqual([process.service, process.kind, process.attributes["agent.job.id"], process.attributes["agent.job.receive_count"]], ["job-worker", 5, "7f2c9a1e-job", 1]);
        assert.deepEqual(ancestors(spans.find((s) => s.name === "execute_tool calculator")!, spans).map((s) => s.name), ["invoke_agent", "process jobs", "send jobs", "POST /v1/jobs"]);
        assert.throws(() => spansOf({ data: [] }), /not a Tempo trace response/);
    });

    it("passes a trace that links the API request, the queue, the worker, the LLM and the tool", () => {
        const spans = spansOf(fixture("trace-v2.json"));
        assert.deepEqual(traceProblems(spans, EXPECT), []);
        assert.deepEqual(traceTree(spans).slice(0, 4), ["POST /v1/jobs [chat-api]", "  send jobs [chat-api]", "    process jobs [job-worker]", "      invoke_agent [job-worker]"]);
    });

    it("fails a trace whose context was lost over the queue (v1 batches, base64 ids), naming what is missing", () => {
        const spans = spansOf(fixture("trace-v1-broken.json"));
        assert.deepEqual(traceProblems(spans, EXPECT), ["the LLM call does not descend from the API request: the trace context was lost between chat-api and job-worker"]);
    });

    it("fails a trace without the worker's LLM call or tool, or split over traces", () => {
        const spans = spansOf(fixture("trace-v2.json"));
        const problems = traceProblems(spans.filter((s) => !s.name.startsWith("chat ") && !s.name.startsWith("execute_tool")), EXPECT);
        assert.deepEqual(problems, ['no "chat fake-model" span of job-worker (the LLM call)', 'no "execute_tool calculator" span of job-worker (the tool call)']);
        assert.match(traceProblems(spans.map((s, i) => (i === 0 ? { ...s, traceId: "f".repeat(32) } : s)), EXPECT).join(), /the spans belong to 2 traces/);
        assert.deepEqual(traceProblems([], EXPECT), ["the trace has no spans"]);
        assert.match(traceProblems(spans, { ...EXPECT, apiService: "other-api" }).join(), /no server span of other-api/);
    });
});
