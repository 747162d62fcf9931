/** The command line of `scripts/e2e-local`, parsed (pure). */
import * as path from "node:path";
import { KUBE_CONTEXT } from "../../components/platform/args";

export const USAGE = `usage: scripts/e2e-local [--keep] [--checks-only] [--context <kubeconfig context>] [--state-dir <dir>] [--no-policy]

Deploys the \`local\` stack (Pulumi.local.yaml) into the cluster of a kubeconfig context, checks it end to
end (readiness, a job, a chat session, the job's trace in Tempo) and destroys it. Needs pulumi, kubectl
and docker on the PATH, PULUMI_CONFIG_PASSPHRASE in the environment, and a registry the cluster pulls
from (kind's local registry by default). State goes to a local backend directory, never to a cloud.

  --keep            leave the stack deployed at the end (passed or failed), and say how to remove it
  --checks-only     run the checks against a stack deployed before (with --keep); deploy and destroy nothing
  --context <name>  kubeconfig context (default: agent-platform:target.context of Pulumi.local.yaml)
  --state-dir <dir> local state backend directory (default: .e2e/state in the repository)
  --no-policy       deploy without the policy pack (default: \`pulumi up --policy-pack policy\`)

Exit codes: 0 passed; 2 usage; 10–17 the step that failed (docs/local.md#exit-codes); 1 a bug in the script.`;

export interface Options {
    keep: boolean;
    checksOnly: boolean;
    context?: string;
    stateDir: string;
    policy: boolean;
}

/** Parses the arguments; throws with the usage on anything else. */
export function parseOptions(argv: string[], projectRoot: string, cwd = process.cwd()): Options {
    const options: Options = { keep: false, checksOnly: false, stateDir: path.join(projectRoot, ".e2e", "state"), policy: true };
    const rest = [...argv];
    const value = (flag: string) => {
        const v = rest.shift();
        if (v === undefined || v.startsWith("--")) throw new Error(`${flag} needs a value\n\n${USAGE}`);
        return v;
    };
    while (rest.length > 0) {
        const arg = rest.shift() as string;
        if (arg === "--keep") options.keep = true;
        else if (arg === "--checks-only") options.checksOnly = true;
        else if (arg === "--no-policy") options.policy = false;
        else if (arg === "--context") options.context = value(arg);
        else if (arg === "--state-dir") options.stateDir = path.resolve(cwd, value(arg));
        else if (arg === "--help" || arg === "-h") throw new Error(USAGE);
        else throw new Error(`unknown argument ${JSON.stringify(arg)}\n\n${USAGE}`);
    }
    if (options.context !== undefined && !KUBE_CONTEXT.test(options.context)) throw new Error(`--context: not a kubeconfig context name: ${JSON.stringify(options.context)}`);
    return options;
}

/** The environment of every `pulumi` command: the local backend, no update check, the caller's passphrase. */
export function pulumiEnv(stateDir: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    return { ...env, PULUMI_BACKEND_URL: `file://${stateDir}`, PULUMI_SKIP_UPDATE_CHECK: "true", PULUMI_SKIP_CONFIRMATIONS: "true" };
}

/** The local port kubectl chose, from its `Forwarding from 127.0.0.1:<port> -> <port>` line; undefined until it says. */
export function forwardedPort(output: string): number | undefined {
    const m = /Forwarding from 127\.0\.0\.1:(\d+) ->/.exec(output);
    return m ? Number(m[1]) : undefined;
}
