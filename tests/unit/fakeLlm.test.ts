import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { authorized, ChatRequest, fakeLlmServer, parseRequest, reply } from "../../e2e/fake-llm/server";
import { fakeLlmDeployment, fakeLlmNetworkPolicy, fakeLlmService } from "../../components/platform/fakeLlm";
import { PROJECT_ROOT } from "../../stacks/offline";
import { validateKubernetesObject } from "../support/kubernetesSchema";

/* eslint-disable @typescript-eslint/no-explicit-any */
const calculator = [{ type: "function", function: { name: "calculator" } }];
const content = (r: any) => r.choices[0].message.content;

describe("e2e/fake-llm: answers", () => {
    it("asks for the calculator on `calc:`, then answers with the tool's result", () => {
        const call = reply({ model: "fake-model", messages: [{ role: "user", content: "calc: 6 * 7" }], tools: calculator }, "id-1") as any;
        assert.equal(call.choices[0].finish_reason, "tool_calls");
        assert.deepEqual(call.choices[0].message.tool_calls, [{ id: "call_1", type: "function", function: { name: "calculator", arguments: '{"expression":"6 * 7"}' } }]);
        const done = reply({ model: "fake-model", messages: [{ role: "user", content: "calc: 6 * 7" }, { role: "assistant", content: null }, { role: "tool", content: '{"result":42}', tool_call_id: "call_1" }], tools: calculator }, "id-2") as any;
        assert.equal(content(done), 'result: {"result":42}');
        assert.equal(done.model, "fake-model");
        assert.ok(done.usage.prompt_tokens > 0);
        assert.match(content(reply({ model: "m", messages: [{ role: "user", content: "calc: 1+1" }] }, "x")), /^echo: calc: 1\+1/, "no tool offered: no tool call");
    });

    it("echoes a message with the number of earlier turns and the first one: the session's context made visible", () => {
        const messages: ChatRequest["messages"] = [{ role: "system", content: "be brief" }, { role: "user", content: "hello" }];
        assert.equal(content(reply({ model: "m", messages }, "a")), "echo: hello (history=0)");
        messages.push({ role: "assistant", content: "echo: hello (history=0)" }, { role: "user", content: "again" });
        assert.equal(content(reply({ model: "m", messages }, "b")), 'echo: again (history=1, first="hello")');
    });

    it("requires the key only when it has one", () => {
        assert.equal(authorized({}, undefined), true);
        assert.equal(authorized({}, ""), true);
        assert.equal(authorized({ authorization: "Bearer k1" }, "k1"), true);
        assert.equal(authorized({ authorization: "Bearer k2" }, "k1"), false);
        assert.equal(authorized({}, "k1"), false);
    });

    it("refuses a body that is not a chat request, saying why", () => {
        assert.equal(parseRequest(null), "the body must be a JSON object");
        assert.equal(parseRequest({ messages: [{ role: "user", content: "x" }] }), "model must be a non-empty string");
        assert.equal(parseRequest({ model: "m", messages: [] }), "messages must be a non-empty list");
        assert.equal(parseRequest({ model: "m", messages: [{ content: "x" }] }), "every message needs a role");
    });
});

describe("e2e/fake-llm: as an HTTP server on loopback", () => {
    it("serves /healthz, checks the key, answers chat completions and 404s the rest", async () => {
        const logged: string[] = [];
        const server = fakeLlmServer("sk-fake", (line) => logged.push(line));
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        const post = (body: string, key?: string) => fetch(`${base}/v1/chat/completions`, { method: "POST", body, headers: key ? { authorization: `Bearer ${key}` } : {} });
        try {
            assert.equal((await fetch(`${base}/healthz`)).status, 200);
            assert.equal((await post(JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }))).status, 401);
            const ok = await post(JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }), "sk-fake");
            assert.equal(ok.status, 200);
            assert.equal(content(await ok.json()), "echo: hi (history=0)");
            assert.equal((await post("{not json", "sk-fake")).status, 400);
            assert.equal((await post("x".repeat(1_100_000), "sk-fake")).status, 413);
            assert.equal((await fetch(`${base}/v1/embeddings`, { method: "POST" })).status, 404);
            assert.equal(logged.length, 6);
            assert.ok(!logged.join().includes("sk-fake"), "the key is never logged");
        } finally {
            server.close();
        }
    });
});

describe("e2e/fake-llm: image and workload", () => {
    const dockerfile = fs.readFileSync(path.join(PROJECT_ROOT, "e2e", "fake-llm", "Dockerfile"), "utf8");

    it("builds its own small image: a pinned Node base, a numeric non-root user, exec-form entry point, no secret", () => {
        assert.match(dockerfile, /^FROM node:24-[a-z-]+$/m);
        assert.match(dockerfile, /^USER 10001:10001$/m);
        assert.match(dockerfile, /^ENTRYPOINT \["node", "server\.ts"\]$/m);
        assert.doesNotMatch(dockerfile, /^(ARG|ENV) .*(KEY|TOKEN|SECRET|PASSWORD)/im);
        assert.doesNotMatch(dockerfile, /agent\//, "nothing of the agent's code or tests");
        const ignore = fs.readFileSync(path.join(PROJECT_ROOT, "e2e", "fake-llm", ".dockerignore"), "utf8");
        assert.deepEqual(ignore.trim().split("\n"), ["*", "!package.json", "!server.ts"]);
    });

    it("runs as a restricted Deployment with a Service and a NetworkPolicy, all valid Kubernetes objects", async () => {
        const spec = { namespace: "agents", image: `localhost:5001/fake-llm@sha256:${"c".repeat(64)}`, apiKey: { secretName: "llm", key: "OPENAI_API_KEY", known: true } };
        const d = fakeLlmDeployment(spec) as any;
        const c = d.spec.template.spec.containers[0];
        assert.equal(c.securityContext.readOnlyRootFilesystem, true);
        assert.equal(d.spec.template.spec.securityContext.runAsNonRoot, true);
        assert.deepEqual(d.metadata.annotations, { "secret.reloader.stakater.com/reload": "llm" }, "restarted when its key changes");
        assert.equal(c.env.find((e: any) => e.name === "FAKE_LLM_API_KEY").valueFrom.secretKeyRef.optional, false, "a key the stack sets is waited for");
        const later = fakeLlmDeployment({ ...spec, apiKey: { ...spec.apiKey, known: false } }) as any;
        assert.equal(later.spec.template.spec.containers[0].env.find((e: any) => e.name === "FAKE_LLM_API_KEY").valueFrom.secretKeyRef.optional, true, "one set out of band may come later");
        for (const o of [d, fakeLlmService("agents"), fakeLlmNetworkPolicy("agents")]) await validateKubernetesObject(o);
        assert.deepEqual((fakeLlmDeployment({ namespace: "agents", image: "x:1" }) as any).metadata.annotations, {});
    });
});
