/**
 * Dockerfile rules for the agent image, checked on the parsed Dockerfile (dockerfile-ast) plus the
 * syntax/semantic diagnostics of dockerfile-utils (the engine of the VS Code Docker language server).
 * Pure: content in, problems out, so tests can also prove each rule fires on a bad Dockerfile.
 */
import { DockerfileParser, type From, type Instruction, JSONInstruction, ModifiableInstruction } from "dockerfile-ast";
import { validate, ValidationSeverity } from "dockerfile-utils";

const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;
const SECRET_VALUE = /(sk-[A-Za-z0-9]{8,}|AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----)/;
const REQUIRED_IGNORES = ["node_modules", ".git", ".env", "dist"];

/** Returns one message per rule violation; empty when the Dockerfile passes. */
export function lintDockerfile(content: string, dockerignore: string | undefined): string[] {
  const problems: string[] = [];
  const severe = validate(content, { instructionWorkdirRelative: ValidationSeverity.ERROR })
    .filter((d) => d.severity === 1 || d.severity === 2);
  for (const d of severe) problems.push(`line ${d.range.start.line + 1}: ${d.message}`);

  const df = DockerfileParser.parse(content);
  const froms = df.getFROMs();
  if (froms.length < 2) problems.push("must be multi-stage (a build stage and a runtime stage)");
  for (const f of froms) checkBaseImage(f, froms, problems);

  const instructions = df.getInstructions();
  const lastFrom = froms[froms.length - 1];
  const finalStart = lastFrom?.getRange().start.line ?? 0;
  const finalStage = instructions.filter((i) => i.getRange().start.line >= finalStart);
  const kw = (i: Instruction): string => i.getKeyword().toUpperCase();

  const users = finalStage.filter((i) => kw(i) === "USER");
  const user = users[users.length - 1]?.getArgumentsContent()?.trim();
  if (user === undefined) problems.push("the runtime stage must set USER");
  else if (!/^\d+(:\d+)?$/.test(user)) problems.push(`USER must be numeric uid[:gid], got "${user}"`);
  else if (/^0(:|$)/.test(user)) problems.push("USER must not be root (0)");

  const cmds = finalStage.filter((i) => kw(i) === "CMD");
  if (cmds.length !== 1) problems.push(`the runtime stage must have exactly one CMD, has ${cmds.length}`);
  for (const i of finalStage.filter((x) => kw(x) === "CMD" || kw(x) === "ENTRYPOINT")) {
    if (!(i instanceof JSONInstruction) || i.getJSONStrings().length === 0) problems.push(`${kw(i)} must use the exec (JSON) form`);
  }

  for (const i of instructions) {
    if (kw(i) === "ARG" || kw(i) === "ENV") {
      const text = i.getArgumentsContent() ?? "";
      const names = text.split(/\s+/).map((p) => p.split("=")[0] ?? "");
      if (names.some((n) => SECRET_NAME.test(n))) problems.push(`line ${i.getRange().start.line + 1}: no secrets in ${kw(i)} (${text})`);
      if (SECRET_VALUE.test(text)) problems.push(`line ${i.getRange().start.line + 1}: a secret-looking value in ${kw(i)}`);
    }
    if (kw(i) === "ADD") problems.push(`line ${i.getRange().start.line + 1}: use COPY, not ADD`);
    const args = i.getArgumentsContent() ?? "";
    if (kw(i) === "RUN" && /(curl|wget)[^|]*\|\s*(ba)?sh/.test(args)) problems.push(`line ${i.getRange().start.line + 1}: no piping downloads into a shell`);
    if (kw(i) === "RUN" && /(^|&&|;)\s*cd\s/.test(args)) problems.push(`line ${i.getRange().start.line + 1}: use WORKDIR instead of cd`);
    if (kw(i) === "RUN" && /apt-get install/.test(args) && !/--no-install-recommends/.test(args)) {
      problems.push(`line ${i.getRange().start.line + 1}: apt-get install needs --no-install-recommends`);
    }
  }

  const runs = instructions.filter((i) => kw(i) === "RUN").map((i) => i.getArgumentsContent() ?? "");
  if (!runs.some((r) => /npm ci\b/.test(r))) problems.push("dependencies must be installed with npm ci (lockfile)");
  if (!runs.some((r) => /npm prune --omit=dev|npm ci --omit=dev/.test(r))) problems.push("dev dependencies must be pruned before the runtime stage");
  if (!finalStage.some((i) => kw(i) === "COPY" && i instanceof ModifiableInstruction && i.getFlags().some((f) => f.getName() === "from"))) {
    problems.push("the runtime stage must copy the build output from the build stage");
  }
  if (finalStage.some((i) => kw(i) === "RUN" && /npm (ci|install)(?!.*--omit=dev)/.test(i.getArgumentsContent() ?? ""))) {
    problems.push("the runtime stage must not install dev dependencies");
  }

  if (dockerignore === undefined) problems.push(".dockerignore is missing");
  else {
    const lines = dockerignore.split("\n").map((l) => l.trim());
    for (const r of REQUIRED_IGNORES) if (!lines.includes(r)) problems.push(`.dockerignore must exclude ${r}`);
  }
  return problems;
}

function checkBaseImage(f: From, froms: From[], problems: string[]): void {
  const image = f.getImageName() ?? "";
  const stages = froms.map((x) => x.getBuildStage()).filter((s): s is string => s !== null);
  if (stages.includes(image)) return;
  const tag = f.getImageTag();
  if (f.getImageDigest() === null && (tag === null || tag === "latest")) {
    problems.push(`FROM ${image} must pin a tag or digest (not latest)`);
  }
}
