import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { AgentImage, AgentImageArgs } from "../../components/image";
import { needsCredentials, parseRegistry, registryRepository } from "../../components/shared/registry";
import { besidesStack, one, runProgram } from "../../testing";

const IMAGE = "docker:index/image:Image";
const TAG = "ctx-0123456789abcdef";
const TOKEN = "ghp_KNOWNtokenValue0123456789";

function image(args: Partial<AgentImageArgs>) {
    return runProgram(() => {
        const img = new AgentImage("agent", { repositoryName: "agent-platform/local/agent", tag: TAG, ...args });
        return { imageRef: img.imageRef, repositoryUrl: img.repositoryUrl, repositoryArn: img.repositoryArn };
    }, { captureError: true });
}

describe("registries other than ECR (pure)", () => {
    it("knows a local registry, GHCR and Docker Hub, and nothing else", () => {
        assert.deepEqual(parseRegistry("localhost:5001"), { kind: "local", server: "localhost:5001", prefix: "localhost:5001" });
        assert.deepEqual(parseRegistry("127.0.0.1:5000/team"), { kind: "local", server: "127.0.0.1:5000", prefix: "127.0.0.1:5000/team" });
        assert.deepEqual(parseRegistry("ghcr.io/acme"), { kind: "ghcr", server: "ghcr.io", prefix: "ghcr.io/acme" });
        assert.deepEqual(parseRegistry("docker.io/acme"), { kind: "dockerhub", server: "docker.io", prefix: "docker.io/acme" });
        for (const bad of ["", "localhost", "localhost:99999", "ghcr.io", "ghcr.io/Acme", "docker.io/acme/team", "quay.io/acme", "https://ghcr.io/acme", "123456789012.dkr.ecr.us-east-1.amazonaws.com", "ghcr.io/acme/"]) {
            assert.equal(parseRegistry(bad), undefined, bad);
        }
        assert.equal(needsCredentials("local"), false);
        assert.equal(needsCredentials("ghcr"), true);
    });

    it("puts the repository under the registry; on Docker Hub's single namespace level, as one name", () => {
        assert.equal(registryRepository(parseRegistry("localhost:5001")!, "agent-platform/local/agent"), "localhost:5001/agent-platform/local/agent");
        assert.equal(registryRepository(parseRegistry("ghcr.io/acme")!, "agent-platform/local/agent"), "ghcr.io/acme/agent-platform/local/agent");
        assert.equal(registryRepository(parseRegistry("docker.io/acme")!, "agent-platform/local/agent"), "docker.io/acme/agent-platform-local-agent");
    });
});

describe("AgentImage with a registry", () => {
    it("pushes to a local registry with no credentials and no AWS resource or call; workloads get the digest reference", async () => {
        const r = await image({ registry: "localhost:5001" });
        assert.equal(r.error, undefined);
        assert.deepEqual(r.resources.filter((x) => x.type.startsWith("aws:")), []);
        assert.deepEqual(r.invokes.filter((i) => i.token.startsWith("aws:")), []);
        const built = one(r.resources, IMAGE);
        assert.equal(built.inputs.imageName, `localhost:5001/agent-platform/local/agent:${TAG}`);
        assert.equal(built.inputs.registry, undefined, "pushed like `docker push`, with no login");
        assert.match(String(r.outputs.imageRef), /^localhost:5001\/agent-platform\/local\/agent@sha256:[0-9a-f]{64}$/);
        assert.equal(r.outputs.repositoryUrl, "localhost:5001/agent-platform/local/agent");
        assert.equal(r.outputs.repositoryArn, undefined);
    });

    it("logs in to GHCR with the user and the token, held as a secret", async () => {
        const r = await image({ registry: "ghcr.io/acme", registryUsername: "acme-bot", registryPassword: pulumi.secret(TOKEN) });
        const built = one(r.resources, IMAGE);
        assert.deepEqual(built.inputs.registry, { server: "ghcr.io", username: "acme-bot", password: TOKEN });
        assert.ok(built.secretPaths.includes("registry.password"), built.secretPaths.join(", "));
        assert.equal(built.inputs.imageName, `ghcr.io/acme/agent-platform/local/agent:${TAG}`);
    });

    it("holds a token given as plain text as a secret too", async () => {
        const r = await image({ registry: "docker.io/acme", registryUsername: "acme", registryPassword: TOKEN });
        const built = one(r.resources, IMAGE);
        assert.ok(built.secretPaths.includes("registry.password"));
        assert.equal(built.inputs.imageName, `docker.io/acme/agent-platform-local-agent:${TAG}`);
    });

    const rejected: [string, Partial<AgentImageArgs>, RegExp][] = [
        ["an unknown registry form", { registry: "quay.io/acme" }, /registry: got "quay.io\/acme"; allowed: "localhost:<port>".*"ghcr.io\/<owner>" or "docker.io\/<namespace>"/],
        ["GHCR without credentials", { registry: "ghcr.io/acme" }, /registryUsername: got nothing; allowed: the user pushing to ghcr.io\/acme.*registryPassword: got nothing; allowed: a password or token/],
        ["credentials for a local registry", { registry: "localhost:5001", registryUsername: "me" }, /registryUsername: got "me"; allowed: nothing for a local registry/],
        ["a KMS key with a registry", { registry: "localhost:5001", kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/x" }, /kmsKeyArn: .*allowed: nothing with a registry other than ECR/],
    ];
    for (const [title, args, message] of rejected) {
        it(`rejects ${title}, naming the argument, registering nothing`, async () => {
            const r = await image(args);
            assert.match(String(r.error?.message), message);
            assert.deepEqual(besidesStack(r.resources), []);
        });
    }

    it("never shows the token in an error", async () => {
        const r = await image({ registry: "quay.io/acme", registryUsername: "acme", registryPassword: TOKEN });
        assert.ok(r.error);
        assert.ok(!String(r.error.message).includes(TOKEN));
    });
});
