/** Lints agent/Dockerfile and .dockerignore; also proves each rule fires on a bad Dockerfile. */
import { strict as assert } from "node:assert";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { imageNodeFlags } from "../../testkit/agent-process";
import { lintDockerfile } from "../helpers/dockerfile-lint";

const root = join(__dirname, "..", "..");
const read = (f: string): string | undefined => (existsSync(join(root, f)) ? readFileSync(join(root, f), "utf8") : undefined);

describe("Dockerfile", () => {
  const dockerfile = read("Dockerfile") ?? "";
  const ignore = read(".dockerignore");

  it("passes the lint rules", () => {
    assert.deepEqual(lintDockerfile(dockerfile, ignore), []);
  });

  it("runs the compiled entry point that the build produces", () => {
    const build = JSON.parse(read("tsconfig.build.json") ?? "{}") as { compilerOptions: { outDir: string; rootDir: string } };
    assert.equal(build.compilerOptions.outDir, "dist");
    assert.equal(build.compilerOptions.rootDir, "src");
    assert.ok(existsSync(join(root, "src", "main.ts")));
    assert.match(dockerfile, /ENTRYPOINT \["node", "--max-semi-space-size=1", "--v8-pool-size=1", "dist\/main\.js"\]\nCMD \["api"\]/);
    // The benchmark runs the processes with exactly these flags.
    assert.deepEqual(imageNodeFlags(), ["--max-semi-space-size=1", "--v8-pool-size=1"]);
    const pkg = JSON.parse(read("package.json") ?? "{}") as { scripts: Record<string, string> };
    assert.equal(pkg.scripts.build, "tsc -p tsconfig.build.json");
  });

  it("keeps the build context free of local artefacts and secrets", () => {
    for (const entry of ["node_modules", "dist", "test", "testkit", ".env", ".env.*", ".git"]) assert.ok(ignore?.split("\n").includes(entry), entry);
  });

  it("flags each rule on a bad Dockerfile", () => {
    const bad = [
      "FROM node:latest",
      "ARG NPM_TOKEN",
      "ENV LLM_API_KEY=sk-abcdefghijklmnop",
      "ADD https://example.invalid/x.tgz /x",
      "RUN cd /app && npm install",
      "RUN curl -s https://example.invalid/i.sh | sh",
      "USER node",
      "CMD node dist/main.js api",
      "CMD [\"node\"]",
    ].join("\n");
    const p = lintDockerfile(bad, "dist\n").join("\n");
    for (const re of [/multi-stage/, /must pin a tag/, /no secrets in ARG/, /no secrets in ENV/, /secret-looking value/, /use COPY, not ADD/,
      /WORKDIR instead of cd/, /piping downloads/, /USER must be numeric/, /exactly one CMD/, /CMD must use the exec/, /npm ci/,
      /pruned/, /copy the build output/, /must exclude node_modules/]) {
      assert.match(p, re);
    }
    assert.match(lintDockerfile(dockerfile.replace("USER 10001:10001", "USER 0"), ignore).join(), /not be root/);
    assert.match(lintDockerfile(dockerfile, undefined).join(), /.dockerignore is missing/);
    assert.match(lintDockerfile(dockerfile.replace("WORKDIR /app\n", "WORKDIR app\n"), ignore).join(), /WORKDIR|absolute/i);
  });
});
