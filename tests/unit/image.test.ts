import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { AgentImage, AgentImageArgs, parseImageArgs } from "../../components/image";
import { dockerBuildArgs, ecrLifecyclePolicy, registryHost, repositoryEncryption } from "../../components/image/spec";
import { contextFiles, contextTag, isIgnored, parseDockerignore } from "../../components/image/context";
import { besidesStack, json, MOCK_ACCOUNT, one, runProgram } from "../../testing";

const REPOSITORY = "aws:ecr/repository:Repository";
const LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy";
const IMAGE = "docker:index/image:Image";
const TAG = "ctx-0123456789abcdef";

function image(args: Partial<AgentImageArgs> = {}, opts: { captureError?: boolean } = {}) {
    return runProgram(() => {
        const img = new AgentImage("agent", { repositoryName: "agent-platform/agent", tag: TAG, ...args });
        return { imageRef: img.imageRef, imageName: img.imageName, repositoryUrl: img.repositoryUrl, repositoryArn: img.repositoryArn };
    }, { config: { "aws:region": "eu-west-1" }, captureError: opts.captureError });
}

/** The problems an invalid argument set raises (empty when valid). */
function problems(args: Partial<AgentImageArgs>): string {
    try {
        parseImageArgs({ repositoryName: "agent", tag: TAG, ...args });
        return "";
    } catch (e) {
        assert.ok(e instanceof pulumi.InputPropertiesError, String(e));
        return (e as Error).message;
    }
}

describe("AgentImage", () => {
    describe("lifecycle policy", () => {
        const policy = ecrLifecyclePolicy(30, 7);

        it("expires untagged images after the given days, first", () => {
            const [untagged] = policy.rules;
            assert.equal(untagged.rulePriority, 1);
            assert.deepEqual(untagged.selection, { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 });
            assert.deepEqual(untagged.action, { type: "expire" });
        });

        it("keeps the last N tagged images, whatever their tag", () => {
            const tagged = policy.rules[1];
            assert.equal(tagged.selection.tagStatus, "tagged");
            assert.deepEqual(tagged.selection.tagPatternList, ["*"]);
            assert.equal(tagged.selection.countType, "imageCountMoreThan");
            assert.equal(tagged.selection.countNumber, 30);
            assert.equal(tagged.selection.countUnit, undefined, "countUnit only goes with sinceImagePushed");
            assert.deepEqual(tagged.action, { type: "expire" });
        });

        it("follows ECR's rule grammar: unique priorities, no `any` rule, tagged rules carry a pattern list", () => {
            const priorities = policy.rules.map((r) => r.rulePriority);
            assert.equal(new Set(priorities).size, priorities.length);
            for (const r of policy.rules) {
                assert.ok(["tagged", "untagged"].includes(r.selection.tagStatus));
                assert.equal(r.selection.tagStatus === "tagged", r.selection.tagPatternList !== undefined);
                assert.ok(Number.isInteger(r.selection.countNumber) && r.selection.countNumber >= 1);
                for (const p of r.selection.tagPatternList ?? []) assert.ok((p.match(/\*/g) ?? []).length <= 4, "at most 4 wildcards per pattern");
            }
            assert.equal(ecrLifecyclePolicy(5, 3).rules[1].selection.countNumber, 5);
        });
    });

    describe("pure helpers", () => {
        it("encrypts with KMS when a key is given, else AES256", () => {
            assert.deepEqual(repositoryEncryption(undefined), { encryptionType: "AES256" });
            assert.deepEqual(repositoryEncryption("arn:aws:kms:eu-west-1:123456789012:key/abc"), { encryptionType: "KMS", kmsKey: "arn:aws:kms:eu-west-1:123456789012:key/abc" });
        });

        it("logs in to the registry host, not the repository path", () => {
            assert.equal(registryHost("123456789012.dkr.ecr.eu-west-1.amazonaws.com/agent-platform/agent"), "123456789012.dkr.ecr.eu-west-1.amazonaws.com");
        });

        it("adds inline cache metadata to the caller's build args", () => {
            assert.deepEqual(dockerBuildArgs({ NODE_VERSION: "24" }), { NODE_VERSION: "24", BUILDKIT_INLINE_CACHE: "1" });
            assert.deepEqual(dockerBuildArgs(), { BUILDKIT_INLINE_CACHE: "1" });
        });
    });

    describe("argument validation", () => {
        it("accepts the defaults", () => assert.equal(problems({}), ""));

        for (const name of ["NPM_TOKEN", "api_key", "DB_PASSWORD", "MySecret", "AWS_SECRET_ACCESS_KEY", "GIT_CREDENTIALS"]) {
            it(`rejects the secret-looking build arg ${name}, naming it and saying why`, () => {
                const message = problems({ buildArgs: { [name]: "x" } });
                assert.match(message, new RegExp(`buildArgs\\.${name}`));
                assert.match(message, /no secrets in build args/);
            });
        }

        it("accepts ordinary build args", () => assert.equal(problems({ buildArgs: { NODE_VERSION: "24", APP_VERSION: "1.2.3" } }), ""));

        it("rejects bad repository names, tags, platforms and counts", () => {
            assert.match(problems({ repositoryName: "Agent" }), /repositoryName: got "Agent"/);
            assert.match(problems({ repositoryName: "a//b" }), /repositoryName/);
            assert.match(problems({ tag: "latest" }), /tag: got "latest"/);
            assert.match(problems({ tag: "bad tag" }), /tag: got "bad tag"/);
            assert.match(problems({ tag: undefined as unknown as string }), /tag: got nothing/);
            assert.match(problems({ platform: "linux/386" }), /platform: got "linux\/386"; allowed: one of "linux\/amd64", "linux\/arm64"/);
            assert.match(problems({ keepTaggedImages: 0 }), /keepTaggedImages: got 0; allowed: an integer from 1 to 1000/);
            assert.match(problems({ untaggedExpiryDays: 1.5 }), /untaggedExpiryDays/);
            assert.match(problems({ cacheFromTags: ["ok", "not ok"] }), /cacheFromTags\[1\]/);
        });

        it("fails before registering anything", async () => {
            const result = await image({ buildArgs: { GITHUB_TOKEN: "x" } }, { captureError: true });
            assert.ok(result.error, "the component throws");
            assert.match(result.error!.message, /buildArgs\.GITHUB_TOKEN/);
            assert.deepEqual(besidesStack(result.resources), []);
        });
    });

    describe("with defaults", () => {
        let result: Awaited<ReturnType<typeof image>>;
        before(async () => { result = await image(); });

        it("creates an ECR repository with immutable tags, scan on push, encryption, never force-deleted", () => {
            const repo = one(result.resources, REPOSITORY).inputs;
            assert.equal(repo.name, "agent-platform/agent");
            assert.equal(repo.imageTagMutability, "IMMUTABLE");
            assert.deepEqual(repo.imageScanningConfiguration, { scanOnPush: true });
            assert.deepEqual(repo.encryptionConfigurations, [{ encryptionType: "AES256" }]);
            assert.equal(repo.forceDelete, false);
        });

        it("attaches the lifecycle policy built by ecrLifecyclePolicy to that repository", () => {
            const lifecycle = one(result.resources, LIFECYCLE).inputs;
            assert.equal(lifecycle.repository, "agent-platform/agent");
            assert.deepEqual(json(lifecycle.policy), ecrLifecyclePolicy(30, 7));
        });

        it("builds agent/ with agent/Dockerfile for linux/amd64 and pushes <repositoryUrl>:<tag>", () => {
            const img = one(result.resources, IMAGE).inputs;
            const url = `${MOCK_ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/agent-platform/agent`;
            assert.equal(img.imageName, `${url}:${TAG}`);
            assert.equal(img.build.context, "agent");
            assert.equal(img.build.dockerfile, "agent/Dockerfile");
            assert.equal(img.build.platform, "linux/amd64");
            assert.deepEqual(img.build.args, { BUILDKIT_INLINE_CACHE: "1" });
            assert.deepEqual(img.build.cacheFrom, { images: [`${url}:${TAG}`] });
            assert.notEqual(img.skipPush, true);
        });

        it("logs in with the ECR authorization token, the password as a secret", () => {
            const img = one(result.resources, IMAGE);
            assert.equal(img.inputs.registry.server, `${MOCK_ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com`);
            assert.equal(img.inputs.registry.username, "AWS");
            assert.equal(img.inputs.registry.password, "mock-ecr-password");
            assert.ok(img.secretPaths.some((p) => p === "registry" || p === "registry.password"), `secret paths: ${img.secretPaths.join(", ")}`);
        });

        it("outputs the digest-pinned reference and the repository's URL and ARN", () => {
            const url = `${MOCK_ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/agent-platform/agent`;
            assert.match(String(result.outputs.imageRef), new RegExp(`^${url.replace(/\./g, "\\.")}@sha256:[0-9a-f]{64}$`));
            assert.equal(result.outputs.imageName, `${url}:${TAG}`);
            assert.equal(result.outputs.repositoryUrl, url);
            assert.equal(result.outputs.repositoryArn, `arn:aws:ecr:eu-west-1:${MOCK_ACCOUNT}:repository/agent-platform/agent`);
        });

        it("parents every resource to the component", () => {
            const component = one(result.resources, "agent-platform:index:AgentImage");
            for (const type of [REPOSITORY, LIFECYCLE, IMAGE]) assert.equal(one(result.resources, type).parent, component.urn, type);
        });
    });

    describe("with a KMS key, build args, another platform and cache tags", () => {
        let result: Awaited<ReturnType<typeof image>>;
        const kmsKeyArn = `arn:aws:kms:eu-west-1:${MOCK_ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;
        before(async () => {
            result = await image({
                kmsKeyArn, platform: "linux/arm64", context: "services/bot", dockerfile: "services/bot/Dockerfile.prod",
                buildArgs: { APP_VERSION: "1.2.3" }, keepTaggedImages: 10, untaggedExpiryDays: 2, cacheFromTags: ["ctx-previous"], tags: { team: "agents" },
            });
        });

        it("encrypts the repository with the key", () => {
            assert.deepEqual(one(result.resources, REPOSITORY).inputs.encryptionConfigurations, [{ encryptionType: "KMS", kmsKey: kmsKeyArn }]);
            assert.deepEqual(one(result.resources, REPOSITORY).inputs.tags, { team: "agents" });
        });

        it("passes context, Dockerfile, platform, build args and cache images through", () => {
            const build = one(result.resources, IMAGE).inputs.build;
            const url = `${MOCK_ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/agent-platform/agent`;
            assert.equal(build.context, "services/bot");
            assert.equal(build.dockerfile, "services/bot/Dockerfile.prod");
            assert.equal(build.platform, "linux/arm64");
            assert.deepEqual(build.args, { APP_VERSION: "1.2.3", BUILDKIT_INLINE_CACHE: "1" });
            assert.deepEqual(build.cacheFrom.images, [`${url}:${TAG}`, `${url}:ctx-previous`]);
        });

        it("keeps the configured number of tagged images", () => {
            assert.deepEqual(json(one(result.resources, LIFECYCLE).inputs.policy), ecrLifecyclePolicy(10, 2));
        });
    });
});

describe("contextTag", () => {
    let dir: string;
    const write = (rel: string, content: string, mode?: number) => {
        const full = path.join(dir, rel);
        fs.mkdirSync(path.dirname(full), { recursive: true });
        fs.writeFileSync(full, content);
        if (mode !== undefined) fs.chmodSync(full, mode);
    };

    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ctx-tag-"));
        write("Dockerfile", "FROM node:24-slim\nCOPY . .\n");
        write("package.json", "{\"name\":\"agent\"}");
        write("src/index.ts", "console.log('hi')\n");
        write("node_modules/dep/index.js", "module.exports = 1\n");
        write(".dockerignore", "# build outputs and deps\nnode_modules\n**/*.log\ndist/\n*.md\n!README.md\n");
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("is a valid Docker tag with the ctx- prefix, stable across calls", () => {
        const tag = contextTag(dir);
        assert.match(tag, /^ctx-[0-9a-f]{16}$/);
        assert.equal(contextTag(dir), tag);
        assert.match(contextTag(dir, { length: 64 }), /^ctx-[0-9a-f]{64}$/);
    });

    it("changes when a source file, a new file or the executable bit changes", () => {
        const before = contextTag(dir);
        write("src/index.ts", "console.log('bye')\n");
        const edited = contextTag(dir);
        assert.notEqual(edited, before);
        write("src/new.ts", "export {}\n");
        const added = contextTag(dir);
        assert.notEqual(added, edited);
        fs.chmodSync(path.join(dir, "src/new.ts"), 0o755);
        const executable = contextTag(dir);
        assert.notEqual(executable, added);
        fs.chmodSync(path.join(dir, "src/new.ts"), 0o775);
        assert.notEqual(contextTag(dir), executable, "any permission bit (another umask) changes the tag, as it makes the docker provider rebuild");
    });

    it("ignores what .dockerignore excludes (directories, ** globs, trailing slashes) and honours ! negation", () => {
        const before = contextTag(dir);
        write("node_modules/dep/index.js", "module.exports = 2\n");
        write("logs/deep/run.log", "noise\n");
        write("dist/out.js", "built\n");
        write("NOTES.md", "notes\n");
        assert.equal(contextTag(dir), before);
        write("README.md", "# agent\n");
        assert.notEqual(contextTag(dir), before, "README.md is re-included by !README.md");
        assert.deepEqual(contextFiles(dir), [".dockerignore", "Dockerfile", "README.md", "package.json", "src/index.ts"]);
    });

    it("changes with the Dockerfile (also outside the context), the platform and the build args", () => {
        const base = contextTag(dir);
        assert.notEqual(contextTag(dir, { platform: "linux/arm64" }), base);
        assert.notEqual(contextTag(dir, { buildArgs: { APP_VERSION: "2" } }), base);
        assert.equal(contextTag(dir, { buildArgs: { A: "1", B: "2" } }), contextTag(dir, { buildArgs: { B: "2", A: "1" } }), "build-arg order does not matter");
        const outside = path.join(os.tmpdir(), `Dockerfile-${path.basename(dir)}`);
        fs.writeFileSync(outside, "FROM node:24-alpine\n");
        try {
            assert.notEqual(contextTag(dir, { dockerfile: outside }), base);
        } finally {
            fs.rmSync(outside);
        }
    });

    it("applies extra exclude patterns", () => {
        const before = contextTag(dir, { exclude: ["src/generated"] });
        write("src/generated/schema.ts", "export {}\n");
        assert.equal(contextTag(dir, { exclude: ["src/generated"] }), before);
        assert.notEqual(contextTag(dir), contextTag(dir, { exclude: ["src/generated"] }));
    });

    it("does not depend on where the context lives", () => {
        const copy = fs.mkdtempSync(path.join(os.tmpdir(), "ctx-copy-"));
        try {
            fs.cpSync(dir, copy, { recursive: true });
            assert.equal(contextTag(copy), contextTag(dir));
        } finally {
            fs.rmSync(copy, { recursive: true, force: true });
        }
    });

    it("rejects a missing directory and a bad length", () => {
        assert.throws(() => contextTag(path.join(dir, "missing")), /ENOENT/);
        assert.throws(() => contextTag(dir, { length: 4 }), /length must be an integer from 8 to 64/);
    });

    it("matches .dockerignore patterns like Docker for the common cases", () => {
        const rules = parseDockerignore("/node_modules\n*.log\n**/tmp\n!keep.log\nsecret?.txt\n");
        assert.ok(isIgnored("node_modules/a/b.js", rules));
        assert.ok(isIgnored("app.log", rules));
        assert.ok(!isIgnored("keep.log", rules));
        assert.ok(!isIgnored("logs/app.log", rules), "* does not cross directories");
        assert.ok(isIgnored("a/b/tmp/x", rules));
        assert.ok(isIgnored("secret1.txt", rules));
        assert.ok(!isIgnored("secret12.txt", rules));
        assert.ok(!isIgnored("src/node_modules.ts", rules));
    });
});
