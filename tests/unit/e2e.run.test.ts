/**
 * scripts/e2e-local's whole run without a cluster: real HTTP on loopback against a fake agent API, a fake
 * Tempo and a fake registry, with the commands (pulumi, kubectl, docker) and port-forwards faked. What
 * runs for real only in CI (.github/workflows/e2e.yml): the commands themselves on a kind cluster.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { parseOptions } from "../../scripts/e2e/cli";
import { Clock } from "../../scripts/e2e/poll";
import { LLM_KEY_PATH, runE2e } from "../../scripts/e2e/run";
import { CommandResult, Forward, RunOptions, System } from "../../scripts/e2e/system";
import { PROJECT_ROOT } from "../../stacks/offline";

const TRACE = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "tests", "fixtures", "tempo", "trace-v2.json"), "utf8"));
const BROKEN = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "tests", "fixtures", "tempo", "trace-v1-broken.json"), "utf8"));

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;
async function serve(handler: Handler): Promise<{ url: string; server: Server }> {
    const server = createServer((req, res) => {
        let body = "";
        req.on("data", (d) => { body += d; });
        req.on("end", () => handler(req, body, res));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));

/** The agent API as the fake LLM makes it answer: jobs succeed after one poll, chats echo the history. */
function agentApi(jobOutcome: () => "succeeded" | "failed") {
    const polls = new Map<string, number>();
    const sessions = new Map<string, string[]>();
    return serve((req, body, res) => {
        if (req.url === "/readyz") return json(res, 200, { status: "ready" });
        if (req.method === "POST" && req.url === "/v1/jobs") {
            assert.match(String(req.headers["idempotency-key"]), /^e2e-[0-9a-f]{12}$/);
            assert.deepEqual(JSON.parse(body), { input: "calc: 6 * 7" });
            polls.set("7f2c9a1e-job", 0);
            return json(res, 202, { jobId: "7f2c9a1e-job", status: "queued" });
        }
        const job = /^\/v1\/jobs\/(.+)$/.exec(req.url ?? "");
        if (job) {
            const n = (polls.get(job[1]) ?? 0) + 1;
            polls.set(job[1], n);
            if (n < 2) return json(res, 200, { jobId: job[1], status: "running" });
            return jobOutcome() === "failed"
                ? json(res, 200, { jobId: job[1], status: "failed", error: "model refused" })
                : json(res, 200, { jobId: job[1], status: "succeeded", result: { output: 'result: {"result":42}' } });
        }
        const chat = /^\/v1\/sessions\/(.+)\/messages$/.exec(req.url ?? "");
        if (chat) {
            const history = sessions.get(chat[1]) ?? [];
            const message = JSON.parse(body).message as string;
            sessions.set(chat[1], [...history, message]);
            return json(res, 200, { reply: `echo: ${message} (history=${history.length}${history.length ? `, first=${JSON.stringify(history[0])}` : ""})` });
        }
        return json(res, 404, {});
    });
}

/** Tempo: the job's trace appears at the second search, then `trace` is served. */
function tempo(trace: unknown) {
    let searches = 0;
    return serve((req, _body, res) => {
        const url = new URL(req.url ?? "/", "http://x");
        if (url.pathname === "/ready") return json(res, 200, "ready");
        if (url.pathname === "/api/search") {
            assert.equal(url.searchParams.get("q"), '{ span.agent.job.id = "7f2c9a1e-job" }');
            searches++;
            return json(res, 200, { traces: searches < 2 ? [] : [{ traceID: "5b8efff798038103d269b633813fc60c" }] });
        }
        if (url.pathname === "/api/v2/traces/5b8efff798038103d269b633813fc60c") return json(res, 200, trace);
        return json(res, 404, {});
    });
}

interface Call { command: string; args: string[]; options: RunOptions }

/** The machine's commands, faked: recorded, successful unless `fail` matches; `pulumi stack select` writes a salt like Pulumi does. */
function fakeSystem(root: string, urls: { api: string; tempo: string }, fail: (c: Call) => boolean = () => false): System & { calls: Call[]; forwards: string[] } {
    const calls: Call[] = [];
    const forwards: string[] = [];
    return {
        calls, forwards,
        async run(command, args, options = {}): Promise<CommandResult> {
            const call = { command, args, options };
            calls.push(call);
            if (command === "pulumi" && args[0] === "stack" && args[1] === "select") fs.appendFileSync(path.join(root, "Pulumi.local.yaml"), "encryptionsalt: v1:fake\n");
            return fail(call) ? { code: 1, stdout: "", stderr: `error: ${command} ${args[0]} failed` } : { code: 0, stdout: "", stderr: "" };
        },
        async portForward(_context, namespace, target): Promise<Forward> {
            forwards.push(`${namespace}/${target}`);
            return { url: target === "svc/tempo" ? urls.tempo : urls.api, stop: () => forwards.push(`stopped ${target}`) };
        },
    };
}

/** A clock that moves when slept on, so waits of minutes take milliseconds. */
function fastClock(): Clock {
    let t = 1_700_000_000_000;
    return { now: () => t, sleep: async (ms) => { t += ms; } };
}

describe("scripts/e2e-local: a whole run against fakes on loopback", function () {
    this.timeout(60_000);
    let root: string;
    let original: string;
    const servers: Server[] = [];
    let registry: string;

    before(async () => {
        const reg = await serve((req, _b, res) => json(res, req.url === "/v2/" ? 200 : 404, {}));
        servers.push(reg.server);
        registry = reg.url.replace("http://", "").replace("127.0.0.1", "localhost");
    });
    beforeEach(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-run-"));
        original = fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.local.yaml"), "utf8").replace("registry: localhost:5001", `registry: ${registry}`);
        fs.writeFileSync(path.join(root, "Pulumi.local.yaml"), original);
        fs.mkdirSync(path.join(root, "policy", "node_modules", "@pulumi", "policy"), { recursive: true });
    });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));
    after(() => servers.forEach((s) => s.close()));

    async function run(argv: string[], o: { outcome?: "succeeded" | "failed"; trace?: unknown; fail?: (c: Call) => boolean; env?: NodeJS.ProcessEnv } = {}) {
        const api = await agentApi(() => o.outcome ?? "succeeded");
        const t = await tempo(o.trace ?? TRACE);
        servers.push(api.server, t.server);
        const system = fakeSystem(root, { api: api.url, tempo: t.url }, o.fail);
        const lines: string[] = [];
        const code = await runE2e(parseOptions(argv, root), { system, projectRoot: root, env: o.env ?? { PULUMI_CONFIG_PASSPHRASE: "test-passphrase" }, fetch, clock: fastClock(), log: (l) => lines.push(l) });
        const commands = system.calls.map((c) => `${c.command} ${c.args.filter((a, i, all) => a !== "--cwd" && all[i - 1] !== "--cwd").join(" ")}`);
        return { code, out: lines.join("\n"), commands, system };
    }

    it("passes: stack on a local backend, config secret through stdin, up with the policy pack, the checks, destroy; the stack file restored", async () => {
        const r = await run([]);
        assert.equal(r.code, 0, r.out);
        assert.match(r.out, /PASSED: deploy, readiness, job, chat, trace, destroy/);
        assert.match(r.out, /Nothing is left deployed/);
        assert.match(r.out, /job 7f2c9a1e-job succeeded: result: \{"result":42\}/);
        assert.match(r.out, /trace of job 7f2c9a1e-job \(7 spans\)/);
        const pulumi = r.system.calls.filter((c) => c.command === "pulumi" && c.args[0] !== "version");
        for (const c of pulumi) assert.equal(c.options.env?.PULUMI_BACKEND_URL, `file://${path.join(root, ".e2e", "state")}`);
        assert.ok(r.commands.includes("pulumi stack select --create --secrets-provider passphrase --stack local --non-interactive"), r.commands.join("\n"));
        const secret = pulumi.find((c) => c.args.includes(LLM_KEY_PATH))!;
        assert.ok(secret.args.includes("--secret") && secret.options.input!.length >= 32, "the key comes through stdin");
        assert.ok(!secret.args.some((a) => a === secret.options.input), "never on the command line");
        assert.ok(r.commands.includes(`pulumi up --yes --skip-preview --policy-pack ${path.join(root, "policy")} --stack local --non-interactive`));
        assert.ok(r.commands.some((c) => /^kubectl --context kind-agent-platform -n agents wait externalsecret --all --for=condition=Ready/.test(c)));
        for (const d of ["chat-api", "job-worker", "fake-llm"]) assert.ok(r.commands.includes(`kubectl --context kind-agent-platform -n agents rollout status deployment/${d} --timeout=300s`), d);
        assert.deepEqual(r.commands.slice(-2), ["pulumi destroy --yes --skip-preview --stack local --non-interactive", "pulumi stack rm --yes --preserve-config --stack local --non-interactive"]);
        assert.deepEqual(r.system.forwards, ["agents/svc/chat-api", "observability/svc/tempo", "stopped svc/chat-api", "stopped svc/tempo"]);
        assert.equal(fs.readFileSync(path.join(root, "Pulumi.local.yaml"), "utf8"), original, "the salt Pulumi wrote is gone again");
    });

    it("a failed deploy: exit 12, says what may be left, destroys it", async () => {
        const r = await run([], { fail: (c) => c.command === "pulumi" && c.args[0] === "up" });
        assert.equal(r.code, 12, r.out);
        assert.match(r.out, /FAILED at step "deploy" \(exit 12\): `pulumi up [^`]*` exited 1: error: pulumi up failed/);
        assert.ok(r.commands.some((c) => c.startsWith("pulumi destroy")), "destroys what the up created");
        assert.ok(r.commands.some((c) => c.startsWith("kubectl --context kind-agent-platform get pods -A")), "shows the cluster's state");
        assert.match(r.out, /Nothing is left deployed: the stack was destroyed/);
    });

    it("a failed job: exit 14 with the job's error, the stack destroyed", async () => {
        const r = await run([], { outcome: "failed" });
        assert.equal(r.code, 14, r.out);
        assert.match(r.out, /FAILED at step "job" \(exit 14\): job 7f2c9a1e-job to succeed: the job failed: "model refused"/);
        assert.ok(r.commands.some((c) => c.startsWith("pulumi destroy")));
    });

    it("a trace whose context was lost over the queue: exit 16; with --keep nothing is destroyed and the run says how to", async () => {
        const r = await run(["--keep"], { trace: BROKEN });
        assert.equal(r.code, 16, r.out);
        assert.match(r.out, /FAILED at step "trace" \(exit 16\): timed out .* the trace context was lost between chat-api and job-worker/);
        assert.ok(!r.commands.some((c) => c.startsWith("pulumi destroy")));
        assert.match(r.out, /STILL DEPLOYED in context kind-agent-platform \(--keep\)[\s\S]*pulumi destroy -s local --yes/);
        assert.match(fs.readFileSync(path.join(root, "Pulumi.local.yaml"), "utf8"), /encryptionsalt/, "kept with the stack, and the run says so");
        assert.match(r.out, /now holds the stack's encryption salt/);
    });

    it("a destroy that fails after passing checks: exit 17, the stack reported as still deployed", async () => {
        const r = await run([], { fail: (c) => c.command === "pulumi" && c.args[0] === "destroy" });
        assert.equal(r.code, 17, r.out);
        assert.match(r.out, /FAILED at step "destroy" \(exit 17\)[\s\S]*STILL DEPLOYED[\s\S]*Destroying it failed/);
    });

    it("without the passphrase: exit 10 before anything is created", async () => {
        const r = await run([], { env: {} });
        assert.equal(r.code, 10, r.out);
        assert.match(r.out, /PULUMI_CONFIG_PASSPHRASE is not set/);
        assert.ok(!r.commands.some((c) => c.startsWith("pulumi stack") || c.startsWith("pulumi up")));
        assert.match(r.out, /Nothing was deployed/);
    });

    it("--checks-only against a kept stack: no pulumi at all, only the checks", async () => {
        const r = await run(["--checks-only", "--context", "k3d-agents"], { env: {} });
        assert.equal(r.code, 0, r.out);
        assert.ok(!r.commands.some((c) => c.startsWith("pulumi")), r.commands.join("\n"));
        assert.ok(r.commands.some((c) => c.startsWith("kubectl --context k3d-agents -n agents wait externalsecret")));
    });
});
