/**
 * The `elasticmq` backend of TaskQueue (target `kubernetes`): the queue and its dead-letter queue
 * served by ElasticMQ, an SQS-compatible server, in the cluster. One small server per TaskQueue, whose
 * configuration file declares both queues and the redrive between them, so the queue exists as soon as
 * the server starts. Clients use the AWS SDK unchanged, pointed at `endpoint` (`AWS_ENDPOINT_URL_SQS`)
 * with any static key (ElasticMQ checks none). Pure builders of the Kubernetes objects plus the
 * function that registers them under the TaskQueue.
 */
import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { STATIC_KEY_SECRET_KEYS } from "../shared/constants";
import { serviceHost } from "../shared/names";
import { serverNetworkPolicy } from "../shared/networkPolicy";
import { ELASTICMQ_IMAGE } from "../shared/versions";
import { TASK_QUEUE_SETTINGS } from "./spec";

/** Port of ElasticMQ's SQS API (and its `/health` route). */
export const ELASTICMQ_PORT = 9324;
/** Region and account ElasticMQ puts in queue ARNs; clients send the region as `AWS_REGION`. */
export const ELASTICMQ_ACCOUNT = { region: "us-east-1", accountId: "000000000000" } as const;
/** Where the image reads its configuration (`-Dconfig.file` in its entry point). */
const CONFIG_PATH = "/opt/elasticmq.conf";
/** A non-root user: the image sets none, and its files are world-readable. */
const ELASTICMQ_UID = 1000;
/** The access key id clients send (ElasticMQ ignores credentials; the SDK insists on some). */
export const ELASTICMQ_ACCESS_KEY_ID = "elasticmq";

/** What one ElasticMQ server is built from. */
export interface ElasticMqOptions {
    /** Logical queue name (`jobs`): names the server's objects. */
    name: string;
    /** Namespace the server runs in (its clients' namespace). */
    namespace: string;
    /** SQS names of the queue and its DLQ. */
    queue: string;
    deadLetter: string;
    visibilityTimeoutSeconds: number;
    maxReceiveCount: number;
    /** Namespaces besides its own whose pods may call it (KEDA's operator reads queue depth). */
    clientNamespaces: string[];
}

/** Name of the server's Deployment, Service, ConfigMap and NetworkPolicy. */
export function elasticMqName(name: string): string {
    return `elasticmq-${name}`;
}

/** Name of the Secret holding the static key clients use. */
export function elasticMqCredentialsSecret(name: string): string {
    return `${elasticMqName(name)}-client`;
}

/** Labels of the server's pods (Service selector; clients' NetworkPolicy egress). */
export function elasticMqLabels(name: string): Record<string, string> {
    return { "app.kubernetes.io/name": "elasticmq", "app.kubernetes.io/instance": elasticMqName(name), "app.kubernetes.io/component": "task-queue" };
}

/** The SQS endpoint of a server: what clients set as `AWS_ENDPOINT_URL_SQS` and KEDA as `awsEndpoint`. */
export function elasticMqEndpoint(name: string, namespace: string): string {
    return `http://${serviceHost(elasticMqName(name), namespace)}:${ELASTICMQ_PORT}`;
}

/** URL and ARN of a queue on a server, in SQS's formats. */
export function elasticMqQueue(name: string, namespace: string, queue: string): { url: string; arn: string } {
    const { region, accountId } = ELASTICMQ_ACCOUNT;
    return { url: `${elasticMqEndpoint(name, namespace)}/${accountId}/${queue}`, arn: `arn:aws:sqs:${region}:${accountId}:${queue}` };
}

/**
 * ElasticMQ's configuration file (HOCON): the SQS API on every interface, queue URLs built from the
 * request's host (`node-address.host = "*"`), strict SQS limits, the region and account of the ARNs,
 * and the two queues — the DLQ, and the queue with its visibility timeout, long polling and redrive.
 * ElasticMQ has no message retention setting: messages live until deleted, moved or the pod restarts.
 */
export function elasticMqConfig(o: Pick<ElasticMqOptions, "queue" | "deadLetter" | "visibilityTimeoutSeconds" | "maxReceiveCount">): string {
    const queueSettings = [
        `    defaultVisibilityTimeout = ${o.visibilityTimeoutSeconds} seconds`,
        `    receiveMessageWait = ${TASK_QUEUE_SETTINGS.receiveWaitTimeSeconds} seconds`,
    ];
    return [
        'include classpath("application.conf")',
        "",
        `node-address { protocol = http, host = "*", port = ${ELASTICMQ_PORT}, context-path = "" }`,
        `rest-sqs { enabled = true, bind-port = ${ELASTICMQ_PORT}, bind-hostname = "0.0.0.0", sqs-limits = strict }`,
        "generate-node-address = false",
        `aws { region = "${ELASTICMQ_ACCOUNT.region}", accountId = "${ELASTICMQ_ACCOUNT.accountId}" }`,
        "",
        "queues {",
        `  "${o.deadLetter}" {`,
        ...queueSettings,
        "  }",
        `  "${o.queue}" {`,
        ...queueSettings,
        `    deadLettersQueue { name = "${o.deadLetter}", maxReceiveCount = ${o.maxReceiveCount} }`,
        "  }",
        "}",
        "",
    ].join("\n");
}

/**
 * The server's Deployment: one replica (queues live in its memory, so never two, and `Recreate`),
 * restricted security with a read-only root (ElasticMQ writes only to /tmp and /data, both emptyDirs),
 * probes on `/health`, and the config file's hash on the pod template so a changed queue rolls it.
 */
export function elasticMqDeployment(o: ElasticMqOptions, config: string): k8s.types.input.apps.v1.Deployment {
    const name = elasticMqName(o.name);
    const labels = elasticMqLabels(o.name);
    const health = { httpGet: { path: "/health", port: "sqs", scheme: "HTTP" } };
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name, namespace: o.namespace, labels },
        spec: {
            replicas: 1,
            strategy: { type: "Recreate" },
            selector: { matchLabels: labels },
            template: {
                metadata: { labels, annotations: { "agent-platform.io/config-sha256": createHash("sha256").update(config).digest("hex") } },
                spec: {
                    automountServiceAccountToken: false,
                    enableServiceLinks: false,
                    securityContext: { runAsNonRoot: true, runAsUser: ELASTICMQ_UID, runAsGroup: ELASTICMQ_UID, fsGroup: ELASTICMQ_UID, seccompProfile: { type: "RuntimeDefault" } },
                    containers: [{
                        name: "elasticmq",
                        image: ELASTICMQ_IMAGE,
                        imagePullPolicy: "IfNotPresent",
                        ports: [{ name: "sqs", containerPort: ELASTICMQ_PORT, protocol: "TCP" }],
                        resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
                        startupProbe: { ...health, periodSeconds: 2, failureThreshold: 30 },
                        readinessProbe: { ...health, periodSeconds: 5, failureThreshold: 3 },
                        livenessProbe: { ...health, periodSeconds: 10, failureThreshold: 6 },
                        securityContext: {
                            allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true,
                            capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" },
                        },
                        volumeMounts: [
                            { name: "config", mountPath: CONFIG_PATH, subPath: "elasticmq.conf", readOnly: true },
                            { name: "tmp", mountPath: "/tmp" },
                            { name: "data", mountPath: "/data" },
                        ],
                    }],
                    volumes: [
                        { name: "config", configMap: { name } },
                        { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
                        { name: "data", emptyDir: { sizeLimit: "64Mi" } },
                    ],
                },
            },
        },
    };
}

/** The ClusterIP Service clients address. */
export function elasticMqService(o: Pick<ElasticMqOptions, "name" | "namespace">): k8s.types.input.core.v1.Service {
    const labels = elasticMqLabels(o.name);
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: elasticMqName(o.name), namespace: o.namespace, labels },
        spec: { type: "ClusterIP", selector: labels, ports: [{ name: "sqs", port: ELASTICMQ_PORT, targetPort: "sqs", protocol: "TCP" }] },
    };
}

/** NetworkPolicy: the SQS port from pods of its own namespace and of `clientNamespaces`; no egress. */
export function elasticMqNetworkPolicy(o: Pick<ElasticMqOptions, "name" | "namespace" | "clientNamespaces">): k8s.types.input.networking.v1.NetworkPolicy {
    return serverNetworkPolicy({ name: elasticMqName(o.name), namespace: o.namespace, labels: elasticMqLabels(o.name), port: ELASTICMQ_PORT, fromNamespaces: o.clientNamespaces });
}

/**
 * Registers the server's objects under `parent` (which carries the Kubernetes provider): its config,
 * Deployment, Service and NetworkPolicy, and the Secret of the static key clients send. Returns the
 * Secret's name and the Deployment (what clients wait for).
 */
export function createElasticMq(name: string, o: ElasticMqOptions, parent: pulumi.Resource): { credentialsSecretName: string; server: pulumi.Resource } {
    const child = { parent };
    const config = elasticMqConfig(o);
    const labels = elasticMqLabels(o.name);
    const metadata = { name: elasticMqName(o.name), namespace: o.namespace, labels };
    const configMap = new k8s.core.v1.ConfigMap(`${name}-elasticmq`, { metadata, data: { "elasticmq.conf": config } }, child);
    const server = new k8s.apps.v1.Deployment(`${name}-elasticmq`, elasticMqDeployment(o, config), { parent, dependsOn: [configMap] });
    new k8s.core.v1.Service(`${name}-elasticmq`, elasticMqService(o), child);
    new k8s.networking.v1.NetworkPolicy(`${name}-elasticmq`, elasticMqNetworkPolicy(o), child);
    // ElasticMQ checks no signature; the key only satisfies the SDK's credential chain. Drawn at random
    // so no credential-like literal lives in the code, and held as a secret anyway.
    const secretKey = new random.RandomPassword(`${name}-elasticmq-key`, { length: 40, special: false }, child);
    const credentialsSecretName = elasticMqCredentialsSecret(o.name);
    new k8s.core.v1.Secret(`${name}-elasticmq-client`, {
        metadata: { ...metadata, name: credentialsSecretName },
        type: "Opaque",
        stringData: pulumi.secret(secretKey.result.apply((key) => ({ [STATIC_KEY_SECRET_KEYS.accessKeyId]: ELASTICMQ_ACCESS_KEY_ID, [STATIC_KEY_SECRET_KEYS.secretAccessKey]: key }))),
    }, child);
    return { credentialsSecretName, server };
}
