/**
 * The in-cluster option of ContextStore (cheap dev stacks): a single-replica Valkey StatefulSet with
 * the `context-cache` resource profile, a PersistentVolumeClaim, the password from the ESO-managed
 * Secret, restricted pod security, its Services and a NetworkPolicy. Pure builders of the Kubernetes
 * objects (unit-tested and validated against the Kubernetes schema) plus the function that registers
 * them under the ContextStore.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ResourceProfile } from "../shared/constants";
import { dependsOnFor, InClusterDependencies } from "../shared/inCluster";
import { serviceHost } from "../shared/names";
import { serverNetworkPolicy } from "../shared/networkPolicy";
import { resourcesFor } from "../shared/profiles";
import { VALKEY_IMAGE } from "../shared/versions";

/** Port of the Redis protocol. */
export const REDIS_PORT = 6379;
/** Name of the in-cluster store's ClusterIP Service (clients connect to `<name>.<namespace>.svc.cluster.local`). */
export const IN_CLUSTER_SERVICE_NAME = "context-store";
/** Name of the headless Service that gives the StatefulSet's pod a stable DNS name. */
export const IN_CLUSTER_HEADLESS_SERVICE_NAME = "context-store-headless";
/** Environment variable holding the password inside the Valkey container. */
const PASSWORD_ENV = "VALKEY_PASSWORD";
/** User and group the official Valkey image runs as. */
const VALKEY_UID = 999;

/** Resources of the store: the `context-cache` profile of docs/architecture.md §10 (512Mi / 0.5 CPU → 2Gi / 1 CPU). */
export const CONTEXT_CACHE_RESOURCES = {
    profile: ResourceProfile.ContextCache,
    /** `maxmemory` below the 2Gi limit, so Valkey evicts before the kernel OOM-kills it (75%; the rest covers AOF rewrite buffers and fragmentation). */
    maxmemoryMb: 1536,
} as const;

/** What the in-cluster store is built from. */
export interface InClusterValkeyOptions {
    /** Namespace of the store (the agents' namespace). */
    namespace: string;
    /** Kubernetes Secret (ESO-managed) holding the password. */
    passwordSecretName: string;
    /** Key of the password in that Secret. */
    passwordSecretKey: string;
    /** PersistentVolume size, GiB. */
    storageGiB: number;
    /** `maxmemory-policy` (see args.ts: keys carry TTLs). */
    maxmemoryPolicy: string;
}

/** Labels of the store's pods (selectors of the Services and the NetworkPolicy). */
export function inClusterValkeyLabels(): Record<string, string> {
    return { "app.kubernetes.io/name": "valkey", "app.kubernetes.io/instance": IN_CLUSTER_SERVICE_NAME, "app.kubernetes.io/component": "context-store" };
}

/** Host name of the in-cluster store. */
export function inClusterHost(namespace: string): string {
    return serviceHost(IN_CLUSTER_SERVICE_NAME, namespace);
}

/** Memory-backed directory of the generated config file that holds the password. */
export const VALKEY_RUN_DIR = "/run/valkey";

/**
 * The container's entrypoint: writes `requirepass` (from the Secret-backed env var, quoted and escaped
 * for the config parser) into a private file on a memory-backed volume, then execs `valkey-server` with
 * that file and the arguments — so the password is in neither the pod spec nor the process's command
 * line (`ps`, /proc/<pid>/cmdline), and valkey-server is PID 1 and gets SIGTERM itself.
 */
export function valkeyEntrypoint(): string[] {
    const script = String.raw`umask 077 && printf 'requirepass "%s"\n' "$(printf %s "$` + PASSWORD_ENV + String.raw`" | sed 's/[\\"]/\\&/g')" > ` +
        `${VALKEY_RUN_DIR}/auth.conf && exec valkey-server ${VALKEY_RUN_DIR}/auth.conf "$@"`;
    return ["/bin/sh", "-c", script, "valkey-server"];
}

/**
 * Arguments of `valkey-server` (after the generated config file). Protected mode stays on, so an empty
 * password (a Secret not yet synced) refuses remote clients instead of serving them unauthenticated.
 * Append-only file on the volume, so a restarted pod keeps the sessions.
 */
export function valkeyServerArgs(opts: InClusterValkeyOptions): string[] {
    return [
        "--port", String(REDIS_PORT),
        "--dir", "/data",
        "--appendonly", "yes",
        "--appendfsync", "everysec",
        "--maxmemory", `${CONTEXT_CACHE_RESOURCES.maxmemoryMb}mb`,
        "--maxmemory-policy", opts.maxmemoryPolicy,
    ];
}

/** The StatefulSet of the in-cluster store (apps/v1). */
export function valkeyStatefulSet(opts: InClusterValkeyOptions): k8s.types.input.apps.v1.StatefulSet {
    const labels = inClusterValkeyLabels();
    const tcpProbe = { tcpSocket: { port: REDIS_PORT } };
    return {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: { name: IN_CLUSTER_SERVICE_NAME, namespace: opts.namespace, labels },
        spec: {
            serviceName: IN_CLUSTER_HEADLESS_SERVICE_NAME,
            replicas: 1,
            selector: { matchLabels: labels },
            template: {
                // A single replica: consolidation or a spot reclaim would be a context-store outage, so
                // Karpenter must not move it voluntarily.
                metadata: { labels, annotations: { "karpenter.sh/do-not-disrupt": "true" } },
                spec: {
                    automountServiceAccountToken: false,
                    enableServiceLinks: false,
                    terminationGracePeriodSeconds: 30,
                    securityContext: {
                        runAsNonRoot: true, runAsUser: VALKEY_UID, runAsGroup: VALKEY_UID, fsGroup: VALKEY_UID,
                        seccompProfile: { type: "RuntimeDefault" },
                    },
                    containers: [{
                        name: "valkey",
                        image: VALKEY_IMAGE,
                        imagePullPolicy: "IfNotPresent",
                        command: valkeyEntrypoint(),
                        args: valkeyServerArgs(opts),
                        env: [{ name: PASSWORD_ENV, valueFrom: { secretKeyRef: { name: opts.passwordSecretName, key: opts.passwordSecretKey } } }],
                        ports: [{ name: "redis", containerPort: REDIS_PORT, protocol: "TCP" }],
                        resources: resourcesFor(CONTEXT_CACHE_RESOURCES.profile),
                        // Liveness is the process only (a TCP accept); loading a large AOF is covered by the startup budget (5 min).
                        startupProbe: { ...tcpProbe, periodSeconds: 5, failureThreshold: 60 },
                        readinessProbe: { ...tcpProbe, periodSeconds: 5, failureThreshold: 3 },
                        livenessProbe: { ...tcpProbe, periodSeconds: 10, failureThreshold: 6 },
                        securityContext: {
                            allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true,
                            capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" },
                        },
                        volumeMounts: [{ name: "data", mountPath: "/data" }, { name: "run", mountPath: VALKEY_RUN_DIR }],
                    }],
                    volumes: [{ name: "run", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } }],
                },
            },
            volumeClaimTemplates: [{
                metadata: { name: "data", labels },
                spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: `${opts.storageGiB}Gi` } } },
            }],
        },
    };
}

/** The ClusterIP Service clients use, and the headless Service of the StatefulSet (v1). */
export function valkeyServices(namespace: string): k8s.types.input.core.v1.Service[] {
    const labels = inClusterValkeyLabels();
    const port = { name: "redis", port: REDIS_PORT, targetPort: "redis", protocol: "TCP" };
    return [
        { apiVersion: "v1", kind: "Service", metadata: { name: IN_CLUSTER_SERVICE_NAME, namespace, labels }, spec: { type: "ClusterIP", selector: labels, ports: [port] } },
        { apiVersion: "v1", kind: "Service", metadata: { name: IN_CLUSTER_HEADLESS_SERVICE_NAME, namespace, labels }, spec: { clusterIP: "None", selector: labels, ports: [port] } },
    ];
}

/**
 * NetworkPolicy of the store: ingress on 6379 only from pods of its own namespace (the agents), no
 * egress at all (a single Valkey replica calls nobody).
 */
export function valkeyNetworkPolicy(namespace: string): k8s.types.input.networking.v1.NetworkPolicy {
    return serverNetworkPolicy({ name: IN_CLUSTER_SERVICE_NAME, namespace, labels: inClusterValkeyLabels(), port: REDIS_PORT });
}

/**
 * Registers the in-cluster store's objects under `parent` (which carries the Kubernetes provider): the
 * objects wait for `deps.namespaces`, the StatefulSet also for `deps.pods` and `deps.secrets`.
 */
export function createInClusterValkey(name: string, opts: InClusterValkeyOptions, parent: pulumi.Resource, deps?: InClusterDependencies): void {
    const child = { parent, dependsOn: dependsOnFor(deps, ["namespaces"]) };
    const sts = valkeyStatefulSet(opts);
    const [service, headless] = valkeyServices(opts.namespace);
    new k8s.core.v1.Service(`${name}-valkey`, service, child);
    new k8s.core.v1.Service(`${name}-valkey-headless`, headless, child);
    new k8s.networking.v1.NetworkPolicy(`${name}-valkey`, valkeyNetworkPolicy(opts.namespace), child);
    new k8s.apps.v1.StatefulSet(`${name}-valkey`, sts, { parent, dependsOn: dependsOnFor(deps, ["namespaces", "pods", "secrets"]) });
}
