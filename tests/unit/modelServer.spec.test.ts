import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DOWNLOAD_MARKER, downloadScript, MODEL_SERVER_PORT, MODEL_SERVER_STARTUP_PROBE, modelDirectory, modelServerLabels, modelServerNetworkPolicy, modelServerPdb, modelServerResources, modelServerServiceAccount, modelServerServices, modelServerStatefulSet, modelServerUrl, modelWeightsReadPolicy, parseS3Uri, sharedMemorySize, vllmArgs } from "../../components/modelServer/spec";
import { GPU_NODE_LABEL, GPU_NODE_TAINT } from "../../components/shared/placement";
import { POD_IDENTITY_AGENT_CIDR } from "../../components/podIdentity/spec";
import { RESOURCE_PROFILES } from "../../components/shared/profiles";
import { AWS_CLI_IMAGE, VLLM_IMAGE } from "../../components/shared/versions";
import { MOCK_ACCOUNT } from "../../testing";
import { assertRealNarrowActions, simulate } from "../support/iam";
import { validateKubernetesObject } from "../support/kubernetesSchema";
import { MODEL, S3_URI, spec } from "../support/modelServerFixtures";

/* eslint-disable @typescript-eslint/no-explicit-any -- Kubernetes objects are checked as plain JSON */

/** Every container (init and main) of a pod spec. */
const containersOf = (sts: any): any[] => [...(sts.spec.template.spec.initContainers ?? []), ...sts.spec.template.spec.containers];

describe("ModelServer", () => {
    describe("resources and endpoints", () => {
        it("uses the local-model-7b profile for one GPU", () => {
            assert.deepEqual(modelServerResources(1), RESOURCE_PROFILES["local-model-7b"]);
            assert.deepEqual(modelServerResources(1), { requests: { memory: "8Gi", cpu: "2", "nvidia.com/gpu": "1" }, limits: { memory: "16Gi", cpu: "4", "nvidia.com/gpu": "1" } });
        });

        it("scales the profile with the GPUs of a tensor-parallel replica", () => {
            assert.deepEqual(modelServerResources(4), { requests: { memory: "32Gi", cpu: "8", "nvidia.com/gpu": "4" }, limits: { memory: "64Gi", cpu: "16", "nvidia.com/gpu": "4" } });
            assert.equal(sharedMemorySize(4), "8Gi");
        });

        it("gives agents an OpenAI base URL on the Service", () => {
            assert.equal(modelServerUrl("model-server", "agents"), "http://model-server.agents.svc.cluster.local:8000/v1");
            assert.equal(MODEL_SERVER_PORT, 8000);
        });

        it("keeps each model in its own directory of the volume", () => {
            assert.equal(modelDirectory(MODEL), "/models/Qwen--Qwen2.5-7B-Instruct");
            assert.equal(modelDirectory("my-model"), "/models/my-model");
        });

        it("serves the local weights under the model's name, with parallelism and context length", () => {
            const args = vllmArgs(spec({ gpusPerReplica: 2, maxModelLen: 16384 }));
            assert.equal(args[0], "/models/Qwen--Qwen2.5-7B-Instruct");
            const flag = (f: string) => args[args.indexOf(f) + 1];
            assert.equal(flag("--served-model-name"), MODEL);
            assert.equal(flag("--port"), "8000");
            assert.equal(flag("--host"), "0.0.0.0");
            assert.equal(flag("--tensor-parallel-size"), "2");
            assert.equal(flag("--max-model-len"), "16384");
            assert.equal(flag("--gpu-memory-utilization"), "0.9");
        });

        it("parses S3 URIs", () => {
            assert.deepEqual(parseS3Uri("s3://bucket-a/models/qwen/"), { bucket: "bucket-a", prefix: "models/qwen" });
            assert.deepEqual(parseS3Uri("s3://bucket-a"), { bucket: "bucket-a", prefix: "" });
            assert.deepEqual(parseS3Uri("s3://bucket-a/"), { bucket: "bucket-a", prefix: "" });
            assert.throws(() => parseS3Uri("https://bucket-a/x"), /not an s3/);
            assert.throws(() => parseS3Uri("s3://Bucket/x"), /not an s3/);
        });
    });

    describe("download step (run for real with stub CLIs)", () => {
        let dir: string;
        let bin: string;
        beforeEach(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "weights-"));
            bin = fs.mkdtempSync(path.join(os.tmpdir(), "bin-"));
            // Stubs that record their arguments and write a weights file where they were told to.
            for (const cli of ["hf", "aws"]) {
                fs.writeFileSync(path.join(bin, cli), `#!/bin/sh\necho "${cli} $*" >> "${dir}/calls.log"\nfor last; do :; done\n` +
                    (cli === "hf" ? `while [ "$1" != "--local-dir" ]; do shift; done; mkdir -p "$2"; echo w > "$2/model.safetensors"\n` : `mkdir -p "$4"; echo w > "$4/model.safetensors"\n`));
                fs.chmodSync(path.join(bin, cli), 0o755);
            }
        });
        afterEach(() => { fs.rmSync(dir, { recursive: true, force: true }); fs.rmSync(bin, { recursive: true, force: true }); });

        const run = (source: string, env: Record<string, string>) => execFileSync("/bin/sh", ["-c", downloadScript(source)], {
            env: { PATH: `${bin}:/usr/bin:/bin`, ...env }, encoding: "utf8",
        });
        const calls = () => (fs.existsSync(path.join(dir, "calls.log")) ? fs.readFileSync(path.join(dir, "calls.log"), "utf8").trim().split("\n") : []);

        it("downloads from the hub once, then skips because the marker is there", () => {
            const modelDir = path.join(dir, "Qwen--Qwen2.5-7B-Instruct");
            run("hub", { MODEL: MODEL, MODEL_DIR: modelDir });
            assert.deepEqual(calls(), [`hf download ${MODEL} --local-dir ${modelDir}`]);
            assert.ok(fs.existsSync(path.join(modelDir, "model.safetensors")));
            assert.equal(fs.readFileSync(path.join(modelDir, DOWNLOAD_MARKER), "utf8").trim(), MODEL);
            const second = run("hub", { MODEL: MODEL, MODEL_DIR: modelDir });
            assert.match(second, /already in/);
            assert.equal(calls().length, 1, "no second download");
        });

        it("syncs from S3 and writes the marker only after success", () => {
            const modelDir = path.join(dir, "m");
            run("s3", { MODEL: "m", MODEL_DIR: modelDir, S3_URI });
            assert.deepEqual(calls(), [`aws s3 sync ${S3_URI} ${modelDir} --only-show-errors --no-progress`]);
            assert.ok(fs.existsSync(path.join(modelDir, DOWNLOAD_MARKER)));

            fs.writeFileSync(path.join(bin, "aws"), "#!/bin/sh\nexit 7\n");
            const failedDir = path.join(dir, "failed");
            assert.throws(() => run("s3", { MODEL: "m", MODEL_DIR: failedDir, S3_URI }));
            assert.ok(!fs.existsSync(path.join(failedDir, DOWNLOAD_MARKER)), "a failed download leaves no marker");
        });

        it("never splices values into the script", () => {
            for (const source of ["hub", "s3"]) {
                const script = downloadScript(source);
                assert.ok(!script.includes("Qwen") && !script.includes("s3://"), script);
            }
        });
    });

    describe("S3 read policy", () => {
        const policy = modelWeightsReadPolicy("aws", S3_URI);
        const principal = `arn:aws:iam::${MOCK_ACCOUNT}:role/model-server-s3`;
        const decide = (action: string, resource: string, context: Record<string, string> = {}) => simulate(policy, action, resource, { principal, context });

        it("uses only catalogued actions, no wildcard action, no Resource \"*\"", async () => {
            await assertRealNarrowActions(policy);
            for (const s of policy.Statement) assert.ok(![s.Resource].flat().some((r) => r === "*" || r.endsWith(":::*")));
        });

        it("scopes GetObject to the prefix and ListBucket to the bucket with a prefix condition", () => {
            assert.deepEqual(policy.Statement.map((s) => [s.Action, s.Resource]), [
                ["s3:ListBucket", "arn:aws:s3:::model-weights-bucket"],
                ["s3:GetObject", "arn:aws:s3:::model-weights-bucket/qwen/2.5-7b-instruct/*"],
            ]);
            assert.deepEqual(policy.Statement[0].Condition, { StringLike: { "s3:prefix": ["qwen/2.5-7b-instruct", "qwen/2.5-7b-instruct/*"] } });
        });

        it("lets the server list and read the weights (simulated)", async () => {
            assert.equal(await decide("s3:GetObject", "arn:aws:s3:::model-weights-bucket/qwen/2.5-7b-instruct/model-00001.safetensors"), "Allowed");
            assert.equal(await decide("s3:ListBucket", "arn:aws:s3:::model-weights-bucket", { "s3:prefix": "qwen/2.5-7b-instruct/" }), "Allowed");
        });

        it("denies other prefixes, other buckets and every write (simulated)", async () => {
            assert.equal(await decide("s3:GetObject", "arn:aws:s3:::model-weights-bucket/other/secret.bin"), "ImplicitlyDenied");
            assert.equal(await decide("s3:GetObject", "arn:aws:s3:::model-weights-bucket/qwen/2.5-7b-instruct-evil/x"), "ImplicitlyDenied");
            assert.equal(await decide("s3:GetObject", "arn:aws:s3:::another-bucket/qwen/2.5-7b-instruct/x"), "ImplicitlyDenied");
            assert.equal(await decide("s3:ListBucket", "arn:aws:s3:::model-weights-bucket", { "s3:prefix": "other/" }), "ImplicitlyDenied");
            assert.equal(await decide("s3:ListBucket", "arn:aws:s3:::model-weights-bucket"), "ImplicitlyDenied", "no listing of the whole bucket");
            assert.equal(await decide("s3:PutObject", "arn:aws:s3:::model-weights-bucket/qwen/2.5-7b-instruct/x"), "ImplicitlyDenied");
            assert.equal(await decide("s3:DeleteObject", "arn:aws:s3:::model-weights-bucket/qwen/2.5-7b-instruct/x"), "ImplicitlyDenied");
        });

        it("grants the whole bucket only when the URI names the whole bucket", () => {
            const whole = modelWeightsReadPolicy("aws-us-gov", "s3://weights");
            assert.equal(whole.Statement[0].Condition, undefined);
            assert.equal(whole.Statement[1].Resource, "arn:aws-us-gov:s3:::weights/*");
        });
    });

    describe("Kubernetes objects", () => {
        const sts: any = modelServerStatefulSet(spec({ hubTokenSecretName: "hf", replicas: 2, storageGiB: 60 }));
        const pod = sts.spec.template.spec;
        const vllm = pod.containers[0];

        it("validate against the Kubernetes schema", async () => {
            await validateKubernetesObject(sts);
            await validateKubernetesObject(modelServerStatefulSet(spec({ source: "s3", s3Uri: S3_URI, clusterName: "c" })));
            for (const svc of modelServerServices("model-server", "agents")) await validateKubernetesObject(svc);
            await validateKubernetesObject(modelServerPdb("model-server", "agents"));
            await validateKubernetesObject(modelServerNetworkPolicy("model-server", "agents", "hub"));
            await validateKubernetesObject(modelServerNetworkPolicy("model-server", "agents", "s3"));
            await validateKubernetesObject(modelServerServiceAccount("model-server", "agents"));
        });

        it("runs the pinned vLLM image on the GPU pool, never disrupted by Karpenter", () => {
            assert.equal(vllm.image, VLLM_IMAGE);
            assert.match(VLLM_IMAGE, /^docker\.io\/vllm\/vllm-openai:v\d+\.\d+\.\d+$/);
            assert.deepEqual(vllm.command, ["vllm", "serve"]);
            assert.deepEqual(pod.nodeSelector, { [GPU_NODE_LABEL.key]: GPU_NODE_LABEL.value });
            assert.deepEqual(pod.tolerations, [{ key: GPU_NODE_TAINT.key, operator: "Equal", value: GPU_NODE_TAINT.value, effect: "NoSchedule" }]);
            assert.equal(sts.spec.template.metadata.annotations["karpenter.sh/do-not-disrupt"], "true");
            assert.deepEqual(vllm.resources.limits["nvidia.com/gpu"], "1");
        });

        it("keeps weights on a ReadWriteOnce gp3 volume per replica, mounted read-only into vLLM", () => {
            assert.equal(sts.spec.replicas, 2);
            assert.equal(sts.spec.serviceName, "model-server-headless");
            assert.deepEqual(sts.spec.volumeClaimTemplates.map((t: any) => [t.metadata.name, t.spec.accessModes, t.spec.storageClassName, t.spec.resources.requests.storage]),
                [["weights", ["ReadWriteOnce"], "gp3", "60Gi"]]);
            assert.deepEqual(vllm.volumeMounts.find((m: any) => m.name === "weights"), { name: "weights", mountPath: "/models", readOnly: true });
            assert.equal(pod.initContainers[0].volumeMounts.find((m: any) => m.name === "weights").readOnly, undefined, "the download step writes");
            assert.equal(pod.securityContext.fsGroupChangePolicy, "OnRootMismatch");
        });

        it("downloads from the hub with the token from the ESO-managed Secret, in the vLLM image", () => {
            const init = pod.initContainers[0];
            assert.equal(init.image, VLLM_IMAGE);
            assert.deepEqual(init.command.slice(0, 2), ["/bin/sh", "-c"]);
            assert.equal(init.command[2], downloadScript("hub"));
            const env = Object.fromEntries(init.env.map((e: any) => [e.name, e]));
            assert.equal(env.MODEL.value, MODEL);
            assert.equal(env.MODEL_DIR.value, modelDirectory(MODEL));
            assert.deepEqual(env.HF_TOKEN.valueFrom, { secretKeyRef: { name: "hf", key: "HF_TOKEN" } });
            assert.equal(env.HF_TOKEN.value, undefined, "the token never appears in the spec");
        });

        it("needs no token for a public model", () => {
            const init = (modelServerStatefulSet(spec()) as any).spec.template.spec.initContainers[0];
            assert.ok(!init.env.some((e: any) => e.name === "HF_TOKEN"));
        });

        it("downloads from S3 with the AWS CLI, credentials only from Pod Identity", () => {
            const s3 = (modelServerStatefulSet(spec({ source: "s3", s3Uri: S3_URI, clusterName: "c" })) as any).spec.template.spec;
            const init = s3.initContainers[0];
            assert.equal(init.image, AWS_CLI_IMAGE);
            assert.equal(init.command[2], downloadScript("s3"));
            const env = Object.fromEntries(init.env.map((e: any) => [e.name, e.value]));
            assert.equal(env.S3_URI, S3_URI);
            assert.equal(env.AWS_EC2_METADATA_DISABLED, "true", "never the node's instance role");
            assert.ok(!init.env.some((e: any) => /KEY|SECRET|TOKEN/.test(e.name)));
            assert.equal(s3.serviceAccountName, "model-server");
        });

        it("has a long startup budget, readiness and a generous liveness on /health", () => {
            for (const probe of [vllm.startupProbe, vllm.readinessProbe, vllm.livenessProbe]) assert.deepEqual(probe.httpGet, { path: "/health", port: "http" });
            assert.ok(MODEL_SERVER_STARTUP_PROBE.periodSeconds * MODEL_SERVER_STARTUP_PROBE.failureThreshold >= 20 * 60, "at least 20 minutes to load");
            assert.equal(vllm.startupProbe.failureThreshold * vllm.startupProbe.periodSeconds, 1800);
            assert.ok(vllm.livenessProbe.periodSeconds * vllm.livenessProbe.failureThreshold >= 120, "liveness tolerates minutes of slowness");
            assert.equal(vllm.startupProbe.initialDelaySeconds, undefined);
            assert.ok(pod.terminationGracePeriodSeconds >= 60);
        });

        it("is restricted: non-root, no privilege escalation, drop ALL, RuntimeDefault seccomp, read-only root", () => {
            assert.equal(pod.securityContext.runAsNonRoot, true);
            assert.notEqual(pod.securityContext.runAsUser, 0);
            assert.equal(pod.securityContext.seccompProfile.type, "RuntimeDefault");
            assert.equal(pod.automountServiceAccountToken, false);
            for (const c of containersOf(sts)) {
                assert.equal(c.securityContext.allowPrivilegeEscalation, false, c.name);
                assert.deepEqual(c.securityContext.capabilities, { drop: ["ALL"] }, c.name);
                assert.equal(c.securityContext.runAsNonRoot, true, c.name);
                assert.equal(c.securityContext.readOnlyRootFilesystem, true, c.name);
                assert.equal(c.securityContext.seccompProfile.type, "RuntimeDefault", c.name);
                assert.equal(c.securityContext.privileged, undefined, c.name);
            }
            for (const v of pod.volumes) assert.ok(v.emptyDir, `only emptyDir volumes besides the claim: ${v.name}`);
        });

        it("gives vLLM writable caches, /tmp and an in-memory /dev/shm", () => {
            const mounts = Object.fromEntries(vllm.volumeMounts.map((m: any) => [m.mountPath, m.name]));
            assert.deepEqual(mounts, { "/models": "weights", "/cache": "cache", "/tmp": "tmp", "/dev/shm": "dshm" });
            const volumes = Object.fromEntries(pod.volumes.map((v: any) => [v.name, v.emptyDir]));
            assert.deepEqual(volumes.dshm, { medium: "Memory", sizeLimit: "2Gi" });
            const env = Object.fromEntries(vllm.env.map((e: any) => [e.name, e.value]));
            for (const name of ["HOME", "HF_HOME", "VLLM_CACHE_ROOT", "TRITON_CACHE_DIR", "TORCHINDUCTOR_CACHE_DIR", "XDG_CACHE_HOME"]) assert.match(env[name], /^\/cache/, name);
            assert.equal(env.HF_HUB_OFFLINE, "1", "vLLM never downloads at run time");
        });

        it("exposes an OpenAI-compatible ClusterIP Service on 8000 and a headless Service for the StatefulSet", () => {
            const [svc, headless]: any[] = modelServerServices("model-server", "agents");
            assert.equal(svc.spec.type, "ClusterIP");
            assert.deepEqual(svc.spec.ports, [{ name: "http", port: 8000, targetPort: "http", protocol: "TCP" }]);
            assert.deepEqual(svc.spec.selector, modelServerLabels("model-server"));
            assert.equal(headless.spec.clusterIP, "None");
            assert.deepEqual(sts.spec.selector.matchLabels, svc.spec.selector);
            assert.deepEqual(vllm.ports, [{ name: "http", containerPort: 8000, protocol: "TCP" }]);
        });

        it("limits voluntary disruption to one replica", () => {
            const pdb: any = modelServerPdb("model-server", "agents");
            assert.equal(pdb.spec.maxUnavailable, 1);
            assert.deepEqual(pdb.spec.selector.matchLabels, modelServerLabels("model-server"));
        });

        it("admits only pods of its namespace on 8000 and egresses only to DNS and HTTPS", () => {
            const np: any = modelServerNetworkPolicy("model-server", "agents", "hub");
            assert.deepEqual(np.spec.policyTypes, ["Ingress", "Egress"]);
            assert.deepEqual(np.spec.ingress, [{ from: [{ podSelector: {} }], ports: [{ protocol: "TCP", port: 8000 }] }]);
            assert.deepEqual(np.spec.egress.flatMap((r: any) => r.ports.map((p: any) => `${p.protocol}/${p.port}`)), ["UDP/53", "TCP/53", "TCP/443"]);
            assert.deepEqual(np.spec.egress[0].to[0].podSelector.matchLabels, { "k8s-app": "kube-dns" });
        });

        it("also reaches the node-local Pod Identity agent when weights come from S3", () => {
            const np: any = modelServerNetworkPolicy("model-server", "agents", "s3");
            const last = np.spec.egress[np.spec.egress.length - 1];
            assert.deepEqual(last, { to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT_CIDR } }], ports: [{ protocol: "TCP", port: 80 }] });
            assert.equal(POD_IDENTITY_AGENT_CIDR, "169.254.170.23/32");
        });
    });
});
