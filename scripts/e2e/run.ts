/**
 * One run of `scripts/e2e-local`: prerequisites → stack → deploy → ready → job → chat → trace → destroy.
 * Each step fails with its own exit code; whatever fails, the run ends by saying what is left deployed,
 * and destroys it unless `--keep`. The machine (commands, port-forwards, HTTP, clock) comes in as deps.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { FAKE_LLM_NAME } from "../../components/platform/fakeLlm";
import { AgentRole } from "../../components/shared/constants";
import { parseRegistry, RegistryKind } from "../../components/shared/registry";
import { platformConfigFrom } from "../../stacks/offline";
import { readStackConfigFile } from "../../testing";
import { checkChat, CheckDeps, checkJob, checkTrace, request, waitUntilReady } from "./checks";
import { Options, pulumiEnv } from "./cli";
import { closingReport, Deployment, exitCodeOf, StepFailure, StepName } from "./steps";
import { Forward, System } from "./system";
import { traceTree } from "./traces";

export interface E2eDeps extends CheckDeps {
    system: System;
    projectRoot: string;
    env: NodeJS.ProcessEnv;
}

/** The stack the script deploys. */
const STACK = "local";
/** The config secret the run sets: the key the fake LLM requires and the agents send (a throwaway). */
export const LLM_KEY_PATH = "agent-platform:secretValues.llm.OPENAI_API_KEY";

/** Runs the whole check; returns the exit code. */
export async function runE2e(o: Options, deps: E2eDeps): Promise<number> {
    const { system, log } = deps;
    const stackFile = path.join(deps.projectRoot, `Pulumi.${STACK}.yaml`);
    const originalStackFile = fs.readFileSync(stackFile, "utf8");
    const config = platformConfigFrom(readStackConfigFile(stackFile), STACK);
    const context = o.context ?? config.target.context!;
    const api = config.agents.find((a) => a.role === AgentRole.Api)!;
    const worker = config.agents.find((a) => a.role === AgentRole.Worker && a.queue === api.queue)!;
    const forwards: Forward[] = [];
    const runId = randomBytes(6).toString("hex");
    let deployment: Deployment = "none";
    let failure: StepFailure | undefined;
    let destroyError: string | undefined;

    const step = async <T>(name: StepName, what: string, body: () => Promise<T>): Promise<T> => {
        log(`\n=== ${name}: ${what}`);
        try {
            return await body();
        } catch (error) {
            throw error instanceof StepFailure ? error : new StepFailure(name, (error as Error).message);
        }
    };
    const must = async (step: StepName, command: string, args: string[], options: Parameters<System["run"]>[2] = {}) => {
        const r = await system.run(command, args, options);
        if (r.code !== 0) throw new StepFailure(step, `\`${command} ${args.filter((a) => !a.startsWith("--cwd")).join(" ")}\` exited ${r.code}: ${(r.stderr.trim() || r.stdout.trim()).split("\n").slice(-8).join("\n")}`);
        return r;
    };
    const env = pulumiEnv(o.stateDir, deps.env);
    const pulumi = (step: StepName, args: string[], options: Parameters<System["run"]>[2] = {}) =>
        must(step, "pulumi", [...args, "--stack", STACK, "--non-interactive", "--cwd", deps.projectRoot], { env, ...options });
    const kubectl = (step: StepName, args: string[], options: Parameters<System["run"]>[2] = {}) => must(step, "kubectl", ["--context", context, ...args], options);

    try {
        await step("prerequisites", "commands, passphrase, context, registry, policy pack", async () => {
            const commands = o.checksOnly ? ["kubectl"] : ["pulumi", "kubectl", "docker"];
            for (const c of commands) await must("prerequisites", c, c === "kubectl" ? ["version", "--client"] : c === "docker" ? ["info", "--format", "{{.ServerVersion}}"] : ["version"], { quiet: true });
            if (!o.checksOnly && !deps.env.PULUMI_CONFIG_PASSPHRASE) throw new Error("PULUMI_CONFIG_PASSPHRASE is not set: the local stack's secrets provider is a passphrase (any value; keep it to destroy a kept stack later)");
            await kubectl("prerequisites", ["get", "namespace", "kube-system", "-o", "name"], { quiet: true, timeoutMs: 30_000 });
            const registry = parseRegistry(config.target.registry);
            if (!o.checksOnly && registry?.kind === RegistryKind.Local) {
                const answer = await request(deps, `http://${registry.server}/v2/`, { timeoutMs: 5_000 }).catch((e: Error) => ({ status: 0, body: e.message }));
                if (answer.status !== 200) throw new Error(`the registry ${registry.server} does not answer /v2/ (${answer.status || answer.body}): start kind's local registry (docs/local.md)`);
            }
            if (!o.checksOnly && o.policy && !fs.existsSync(path.join(deps.projectRoot, "policy", "node_modules", "@pulumi", "policy"))) {
                throw new Error("the policy pack's packages are missing: run `npm install --prefix policy` (or pass --no-policy)");
            }
            fs.mkdirSync(o.stateDir, { recursive: true });
        });

        if (!o.checksOnly) {
            await step("stack", `local backend ${o.stateDir}, stack ${STACK}`, async () => {
                await pulumi("stack", ["stack", "select", "--create", "--secrets-provider", "passphrase"]);
                if (o.context) await pulumi("stack", ["config", "set", "--path", "agent-platform:target.context", o.context]);
                // A fresh throwaway key, through stdin (never on a command line): the fake LLM answers only it.
                await pulumi("stack", ["config", "set", "--secret", "--path", LLM_KEY_PATH], { input: randomBytes(24).toString("hex"), quiet: true });
            });
            deployment = "unknown";
            await step("deploy", `pulumi up -s ${STACK}${o.policy ? " --policy-pack policy" : ""}`, async () => {
                await pulumi("deploy", ["up", "--yes", "--skip-preview", ...(o.policy ? ["--policy-pack", path.join(deps.projectRoot, "policy")] : [])]);
            });
            deployment = "deployed";
        }

        const [apiUrl, tempoUrl] = await step("ready", "ExternalSecrets synced, rollouts done, the API and Tempo answering", async () => {
            for (const namespace of ["agents", "observability"]) {
                await kubectl("ready", ["-n", namespace, "wait", "externalsecret", "--all", "--for=condition=Ready", "--timeout=180s"], { timeoutMs: 200_000 });
            }
            // A Secret that arrived after its pods started makes Reloader roll them: wait until that is over.
            for (const deployment of [api.name, worker.name, ...(config.fakeLlm.enabled ? [FAKE_LLM_NAME] : [])]) {
                await kubectl("ready", ["-n", "agents", "rollout", "status", `deployment/${deployment}`, "--timeout=300s"], { timeoutMs: 320_000 });
            }
            const apiForward = await system.portForward(context, "agents", `svc/${api.name}`, 80);
            forwards.push(apiForward);
            const tempoForward = await system.portForward(context, "observability", "svc/tempo", 3200);
            forwards.push(tempoForward);
            await waitUntilReady(deps, `${api.name} /readyz`, `${apiForward.url}/readyz`);
            await waitUntilReady(deps, "Tempo /ready", `${tempoForward.url}/ready`);
            return [apiForward.url, tempoForward.url];
        });

        const job = await step("job", `POST /v1/jobs to ${api.name}, wait for succeeded`, () => checkJob(deps, apiUrl, runId));
        log(`job ${job.jobId} succeeded: ${job.output}`);
        const replies = await step("chat", "two messages in one session", () => checkChat(deps, apiUrl, runId));
        log(`replies: ${replies.map((r) => JSON.stringify(r)).join(" then ")}`);
        const spans = await step("trace", `the trace of job ${job.jobId} in Tempo`, () =>
            checkTrace(deps, tempoUrl, job.jobId, { apiService: api.name, workerService: worker.name, model: worker.llmModel, tool: "calculator" }));
        log(`trace of job ${job.jobId} (${spans.length} spans):\n${traceTree(spans).map((l) => `  ${l}`).join("\n")}`);
    } catch (error) {
        failure = error instanceof StepFailure ? error : new StepFailure("prerequisites", `unexpected: ${(error as Error).stack ?? error}`);
    } finally {
        for (const f of forwards) f.stop();
    }

    if (failure && deployment !== "none") await diagnostics(system, context, [api.name, worker.name], log);
    if (!o.checksOnly && deployment !== "none" && !o.keep) {
        try {
            await step("destroy", `pulumi destroy -s ${STACK}`, async () => {
                await pulumi("destroy", ["destroy", "--yes", "--skip-preview"]);
                await pulumi("destroy", ["stack", "rm", "--yes", "--preserve-config"]);
            });
            deployment = "destroyed";
        } catch (error) {
            destroyError = (error as Error).message;
            failure ??= error as StepFailure;
        }
    }
    // The stack's salt and config secret were written into Pulumi.local.yaml: once nothing needs them, undo it.
    if (deployment === "none" || deployment === "destroyed") fs.writeFileSync(stackFile, originalStackFile);
    else log(`\nPulumi.${STACK}.yaml now holds the stack's encryption salt and config secret: keep it until you destroy the stack.`);

    log("");
    for (const line of closingReport({ failure, deployment, keep: o.keep, context, stateDir: o.stateDir, destroyError })) log(line);
    return failure ? exitCodeOf(failure.step) : 0;
}

/** What the cluster looked like when a step failed (bounded; its own failures are ignored). */
async function diagnostics(system: System, context: string, agents: string[], log: (line: string) => void): Promise<void> {
    log("\n=== diagnostics");
    const show = async (args: string[]) => {
        const r = await system.run("kubectl", ["--context", context, ...args], { quiet: true, timeoutMs: 30_000 });
        log(`$ kubectl ${args.join(" ")}\n${(r.stdout || r.stderr).split("\n").slice(-60).join("\n")}`);
    };
    await show(["get", "pods", "-A", "-o", "wide"]);
    await show(["get", "externalsecrets", "-A"]);
    await show(["get", "events", "-A", "--sort-by=.lastTimestamp"]);
    for (const agent of agents) await show(["-n", "agents", "logs", `deploy/${agent}`, "--tail=40", "--all-containers"]);
}
