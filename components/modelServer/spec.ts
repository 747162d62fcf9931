/**
 * Pure builders of the ModelServer's objects: the vLLM StatefulSet (weights on a per-replica volume,
 * downloaded once by an init container), its Services, disruption budget, NetworkPolicy, service
 * account and the S3 read policy of its Pod Identity role. Unit-tested and validated against the
 * Kubernetes schema; the ModelServer component (index.ts) only registers them.
 */
import * as k8s from "@pulumi/kubernetes";
import { ModelSource, ResourceProfile } from "../shared/constants";
import { serviceHost } from "../shared/names";
import { gpuPodPlacement } from "../shared/placement";
import { POD_IDENTITY_AGENT_CIDR, policyDocument, PolicyStatement } from "../podIdentity/spec";
import { ResourceRequirements, resourcesFor } from "../shared/profiles";
import { AWS_CLI_IMAGE, VLLM_IMAGE } from "../shared/versions";

/** Port of vLLM's OpenAI-compatible HTTP API. */
export const MODEL_SERVER_PORT = 8000;
/** Where the weights volume is mounted. */
export const WEIGHTS_MOUNT = "/models";
/** Marker the download step writes after a complete download; its presence skips the next download. */
export const DOWNLOAD_MARKER = ".download-complete";
/** User and group the model server's containers run as (the images' own users are root). */
export const MODEL_SERVER_UID = 1000;
/**
 * Startup budget of vLLM: failureThreshold × periodSeconds = 30 min. Loading (and compiling CUDA graphs
 * for) a 7B model takes minutes, more on cold nodes; the download itself runs before, in the init step.
 */
export const MODEL_SERVER_STARTUP_PROBE = { periodSeconds: 10, failureThreshold: 180, timeoutSeconds: 5 } as const;

/** What the model server's objects are built from (defaults already applied). */
export interface ModelServerSpecOptions {
    /** Object name (StatefulSet, Services, service account). */
    name: string;
    namespace: string;
    /** Hub id or name served; also the OpenAI `model` name clients send. */
    model: string;
    /** vLLM tool-call parser for `tool_choice: "auto"` (e.g. "hermes" for Qwen2.5), or "none". */
    toolCallParser: string;
    /** ModelSource. */
    source: string;
    /** `s3://bucket/prefix` (source s3). */
    s3Uri?: string;
    /** Kubernetes Secret holding the hub token (source hub, optional). */
    hubTokenSecretName?: string;
    /** Key of the token in that Secret. */
    hubTokenSecretKey: string;
    storageGiB: number;
    storageClassName: string;
    replicas: number;
    gpusPerReplica: number;
    maxModelLen: number;
    /** Fraction of GPU memory vLLM may use (weights + KV cache). */
    gpuMemoryUtilization: number;
}

/** Labels of the model server's pods (selectors of its Services, PDB and NetworkPolicy; agents' egress rules). */
export function modelServerLabels(name: string): Record<string, string> {
    return { "app.kubernetes.io/name": "vllm", "app.kubernetes.io/instance": name, "app.kubernetes.io/component": "model-server" };
}

/** In-cluster base URL of the OpenAI-compatible API: what agents put in `LLM_BASE_URL`. */
export function modelServerUrl(name: string, namespace: string): string {
    return `http://${serviceHost(name, namespace)}:${MODEL_SERVER_PORT}/v1`;
}

/** Directory of a model on the weights volume (`Qwen/Qwen2.5-7B-Instruct` → `/models/Qwen--Qwen2.5-7B-Instruct`). */
export function modelDirectory(model: string): string {
    return `${WEIGHTS_MOUNT}/${model.replace(/\//g, "--")}`;
}

/** Splits `s3://bucket/prefix/` into the bucket and the prefix without leading or trailing slashes. */
export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
    const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(uri);
    if (!m) throw new Error(`not an s3:// URI: ${uri}`);
    return { bucket: m[1], prefix: (m[2] ?? "").replace(/^\/+|\/+$/g, "") };
}

/** Multiplies a Kubernetes quantity written as an integer with an optional suffix ("8Gi", "2", "500m"). */
function scaleQuantity(quantity: string, factor: number): string {
    const m = /^(\d+)([A-Za-z]*)$/.exec(quantity);
    if (!m) throw new Error(`cannot scale quantity ${quantity}`);
    return `${Number(m[1]) * factor}${m[2]}`;
}

/**
 * Resources of one replica: the `local-model-7b` profile of docs/architecture.md §10 (8Gi / 2 CPU / 1 GPU → 16Gi /
 * 4 CPU / 1 GPU) per GPU, so a tensor-parallel replica gets host memory and CPU in proportion.
 */
export function modelServerResources(gpusPerReplica: number): ResourceRequirements {
    const base = resourcesFor(ResourceProfile.LocalModel7b);
    const scale = (r: Record<string, string>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, scaleQuantity(v, gpusPerReplica)]));
    return { requests: scale(base.requests), limits: scale(base.limits) };
}

/** Size of the in-memory `/dev/shm` (NCCL and PyTorch workers share tensors through it): 2Gi per GPU. It counts against the memory limit. */
export function sharedMemorySize(gpusPerReplica: number): string {
    return `${2 * gpusPerReplica}Gi`;
}

/** Arguments of `vllm serve`: the local weights, the served name clients use, the port, parallelism and context length. */
/** `toolCallParser` value that leaves tool calling off (for models without a parser; agents then must not send tools). */
export const NO_TOOL_CALL_PARSER = "none";

export function vllmArgs(opts: ModelServerSpecOptions): string[] {
    return [
        modelDirectory(opts.model),
        "--served-model-name", opts.model,
        "--host", "0.0.0.0",
        "--port", String(MODEL_SERVER_PORT),
        "--tensor-parallel-size", String(opts.gpusPerReplica),
        "--max-model-len", String(opts.maxModelLen),
        "--gpu-memory-utilization", String(opts.gpuMemoryUtilization),
        // Agents offer tools with `tool_choice: "auto"`; vLLM answers 400 to that unless both flags are set.
        ...(opts.toolCallParser === NO_TOOL_CALL_PARSER ? [] : ["--enable-auto-tool-choice", "--tool-call-parser", opts.toolCallParser]),
    ];
}

/**
 * The download step's shell script. Idempotent: it skips when the marker of a complete download is on
 * the volume (a restarted pod or a rescheduled replica does not download again), writes the marker only
 * after success (an interrupted download resumes: `hf download` and `aws s3 sync` skip what is there).
 * Values arrive as environment variables, never spliced into the script.
 */
export function downloadScript(source: string): string {
    const fetch = source === ModelSource.S3
        ? `aws s3 sync "$S3_URI" "$MODEL_DIR" --only-show-errors --no-progress`
        : `if command -v hf >/dev/null 2>&1; then hf download "$MODEL" --local-dir "$MODEL_DIR"; else huggingface-cli download "$MODEL" --local-dir "$MODEL_DIR"; fi`;
    return [
        "set -eu",
        `if [ -f "$MODEL_DIR/${DOWNLOAD_MARKER}" ]; then echo "weights of $MODEL already in $MODEL_DIR"; exit 0; fi`,
        `mkdir -p "$MODEL_DIR"`,
        `echo "downloading $MODEL into $MODEL_DIR"`,
        fetch,
        `echo "$MODEL" > "$MODEL_DIR/${DOWNLOAD_MARKER}"`,
    ].join("\n");
}

/** Container security context of both containers: restricted Pod Security and more (read-only root). */
function containerSecurityContext() {
    return {
        allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true,
        runAsUser: MODEL_SERVER_UID, runAsGroup: MODEL_SERVER_UID,
        capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" },
    };
}

/** The init container that fills the weights volume from the hub or S3. */
export function downloadContainer(opts: ModelServerSpecOptions): k8s.types.input.core.v1.Container {
    const s3 = opts.source === ModelSource.S3;
    const env: k8s.types.input.core.v1.EnvVar[] = [
        { name: "MODEL", value: opts.model },
        { name: "MODEL_DIR", value: modelDirectory(opts.model) },
        // The images' users are root; as uid 1000 every cache and config goes to the writable /tmp.
        { name: "HOME", value: "/tmp" },
    ];
    if (s3) {
        env.push({ name: "S3_URI", value: opts.s3Uri ?? "" }, { name: "AWS_EC2_METADATA_DISABLED", value: "true" });
    } else {
        env.push({ name: "HF_HOME", value: "/tmp/huggingface" }, { name: "HF_HUB_DISABLE_TELEMETRY", value: "1" });
        if (opts.hubTokenSecretName) {
            env.push({ name: "HF_TOKEN", valueFrom: { secretKeyRef: { name: opts.hubTokenSecretName, key: opts.hubTokenSecretKey } } });
        }
    }
    return {
        name: "download-weights",
        image: s3 ? AWS_CLI_IMAGE : VLLM_IMAGE,
        imagePullPolicy: "IfNotPresent",
        command: ["/bin/sh", "-c", downloadScript(opts.source)],
        env,
        resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "2", memory: "4Gi" } },
        securityContext: containerSecurityContext(),
        volumeMounts: [{ name: "weights", mountPath: WEIGHTS_MOUNT }, { name: "tmp", mountPath: "/tmp" }],
    };
}

/** Environment of vLLM: every cache on writable volumes (read-only root, non-root user), offline hub, no usage reporting. */
export function vllmEnv(): k8s.types.input.core.v1.EnvVar[] {
    return [
        { name: "HOME", value: "/cache" },
        // torch's inductor and triton name caches after the user; with no passwd entry for uid 1000, USER avoids getpwuid failing.
        { name: "USER", value: "vllm" },
        { name: "XDG_CACHE_HOME", value: "/cache" },
        { name: "HF_HOME", value: "/cache/huggingface" },
        { name: "VLLM_CACHE_ROOT", value: "/cache/vllm" },
        { name: "VLLM_CONFIG_ROOT", value: "/cache/vllm-config" },
        { name: "TRITON_CACHE_DIR", value: "/cache/triton" },
        { name: "TORCHINDUCTOR_CACHE_DIR", value: "/cache/torchinductor" },
        { name: "NUMBA_CACHE_DIR", value: "/cache/numba" },
        { name: "OUTLINES_CACHE_DIR", value: "/cache/outlines" },
        // Weights are local: never reach the hub at run time (egress allows HTTPS only for the download step's sake).
        { name: "HF_HUB_OFFLINE", value: "1" },
        { name: "TRANSFORMERS_OFFLINE", value: "1" },
        { name: "VLLM_NO_USAGE_STATS", value: "1" },
        { name: "DO_NOT_TRACK", value: "1" },
    ];
}

/**
 * The StatefulSet: one gp3 volume per replica (ReadWriteOnce EBS cannot be shared, and a StatefulSet
 * keeps each replica bound to its volume across restarts, so weights are downloaded once per volume),
 * pods on the GPU pool, never disrupted by Karpenter, restricted security context, long startup budget.
 */
export function modelServerStatefulSet(opts: ModelServerSpecOptions): k8s.types.input.apps.v1.StatefulSet {
    const labels = modelServerLabels(opts.name);
    const placement = gpuPodPlacement();
    const health = { httpGet: { path: "/health", port: "http" } };
    return {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: { name: opts.name, namespace: opts.namespace, labels },
        spec: {
            serviceName: `${opts.name}-headless`,
            replicas: opts.replicas,
            // Replicas download and load in parallel; ordering buys nothing for identical servers.
            podManagementPolicy: "Parallel",
            updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
            // Scaling in keeps the volumes (scaling out again skips the download); deleting the server deletes them.
            persistentVolumeClaimRetentionPolicy: { whenDeleted: "Delete", whenScaled: "Retain" },
            selector: { matchLabels: labels },
            template: {
                metadata: {
                    labels,
                    // A consolidation or drift replacement would cost a reload of the model: Karpenter leaves these nodes alone.
                    annotations: { "karpenter.sh/do-not-disrupt": "true" },
                },
                spec: {
                    serviceAccountName: opts.name,
                    automountServiceAccountToken: false,
                    enableServiceLinks: false,
                    nodeSelector: placement.nodeSelector,
                    tolerations: placement.tolerations,
                    topologySpreadConstraints: [{
                        maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: labels },
                    }],
                    // In-flight generations finish before the process is killed.
                    terminationGracePeriodSeconds: 120,
                    securityContext: {
                        runAsNonRoot: true, runAsUser: MODEL_SERVER_UID, runAsGroup: MODEL_SERVER_UID, fsGroup: MODEL_SERVER_UID,
                        // Do not chown 100 GiB of weights on every start.
                        fsGroupChangePolicy: "OnRootMismatch",
                        seccompProfile: { type: "RuntimeDefault" },
                    },
                    initContainers: [downloadContainer(opts)],
                    containers: [{
                        name: "vllm",
                        image: VLLM_IMAGE,
                        imagePullPolicy: "IfNotPresent",
                        command: ["vllm", "serve"],
                        args: vllmArgs(opts),
                        env: vllmEnv(),
                        ports: [{ name: "http", containerPort: MODEL_SERVER_PORT, protocol: "TCP" }],
                        resources: modelServerResources(opts.gpusPerReplica),
                        startupProbe: { ...health, ...MODEL_SERVER_STARTUP_PROBE },
                        readinessProbe: { ...health, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
                        // The process only, and generous: a long generation can slow /health; a restart costs a model reload.
                        livenessProbe: { ...health, periodSeconds: 30, timeoutSeconds: 10, failureThreshold: 6 },
                        // Let the Service drop the pod before vLLM stops accepting requests.
                        lifecycle: { preStop: { exec: { command: ["sleep", "10"] } } },
                        securityContext: containerSecurityContext(),
                        volumeMounts: [
                            { name: "weights", mountPath: WEIGHTS_MOUNT, readOnly: true },
                            { name: "cache", mountPath: "/cache" },
                            { name: "tmp", mountPath: "/tmp" },
                            { name: "dshm", mountPath: "/dev/shm" },
                        ],
                    }],
                    volumes: [
                        { name: "cache", emptyDir: { sizeLimit: "20Gi" } },
                        { name: "tmp", emptyDir: { sizeLimit: "4Gi" } },
                        { name: "dshm", emptyDir: { medium: "Memory", sizeLimit: sharedMemorySize(opts.gpusPerReplica) } },
                    ],
                },
            },
            volumeClaimTemplates: [{
                metadata: { name: "weights", labels },
                spec: {
                    accessModes: ["ReadWriteOnce"],
                    storageClassName: opts.storageClassName,
                    resources: { requests: { storage: `${opts.storageGiB}Gi` } },
                },
            }],
        },
    };
}

/** The ClusterIP Service agents call (OpenAI API on 8000) and the StatefulSet's headless Service. */
export function modelServerServices(name: string, namespace: string): k8s.types.input.core.v1.Service[] {
    const labels = modelServerLabels(name);
    const port = { name: "http", port: MODEL_SERVER_PORT, targetPort: "http", protocol: "TCP" };
    return [
        { apiVersion: "v1", kind: "Service", metadata: { name, namespace, labels }, spec: { type: "ClusterIP", selector: labels, ports: [port] } },
        {
            apiVersion: "v1", kind: "Service", metadata: { name: `${name}-headless`, namespace, labels },
            spec: { clusterIP: "None", selector: labels, ports: [port], publishNotReadyAddresses: false },
        },
    ];
}

/** Disruption budget: voluntary evictions take at most one replica at a time (and never block a drain of a single replica). */
export function modelServerPdb(name: string, namespace: string): k8s.types.input.policy.v1.PodDisruptionBudget {
    const labels = modelServerLabels(name);
    return {
        apiVersion: "policy/v1", kind: "PodDisruptionBudget",
        metadata: { name, namespace, labels },
        spec: { maxUnavailable: 1, selector: { matchLabels: labels } },
    };
}

/**
 * NetworkPolicy: ingress on 8000 only from pods of the same namespace (the agents); egress only DNS and
 * HTTPS (the download step: hub or S3), plus the node-local Pod Identity agent when weights come from S3.
 */
export function modelServerNetworkPolicy(name: string, namespace: string, source: string): k8s.types.input.networking.v1.NetworkPolicy {
    const labels = modelServerLabels(name);
    const egress: k8s.types.input.networking.v1.NetworkPolicyEgressRule[] = [
        {
            to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
            ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }],
        },
        { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] },
    ];
    if (source === ModelSource.S3) egress.push({ to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT_CIDR } }], ports: [{ protocol: "TCP", port: 80 }] });
    return {
        apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy",
        metadata: { name, namespace, labels },
        spec: {
            podSelector: { matchLabels: labels },
            policyTypes: ["Ingress", "Egress"],
            ingress: [{ from: [{ podSelector: {} }], ports: [{ protocol: "TCP", port: MODEL_SERVER_PORT }] }],
            egress,
        },
    };
}

/** The model server's own service account (its Pod Identity association, when weights come from S3). */
export function modelServerServiceAccount(name: string, namespace: string): k8s.types.input.core.v1.ServiceAccount {
    return { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace, labels: modelServerLabels(name) }, automountServiceAccountToken: false };
}

/**
 * Read-only access to the weights: `s3:GetObject` on objects under the prefix, `s3:ListBucket` on the
 * bucket only for keys under the prefix (what `aws s3 sync` needs). A whole-bucket URI grants the whole bucket.
 */
export function modelWeightsReadPolicy(partition: string, s3Uri: string) {
    const { bucket, prefix } = parseS3Uri(s3Uri);
    const bucketArn = `arn:${partition}:s3:::${bucket}`;
    const list: PolicyStatement = { Sid: "ListWeights", Effect: "Allow", Action: "s3:ListBucket", Resource: bucketArn };
    if (prefix) list.Condition = { StringLike: { "s3:prefix": [prefix, `${prefix}/*`] } };
    return policyDocument([
        list,
        { Sid: "ReadWeights", Effect: "Allow", Action: "s3:GetObject", Resource: prefix ? `${bucketArn}/${prefix}/*` : `${bucketArn}/*` },
    ]);
}
