/**
 * The fake OpenAI-compatible server of end-to-end tests (`e2e/fake-llm`), deployed as a workload of the
 * agents' namespace when a platform on the kubernetes target asks for it: agents reach it like any
 * OpenAI-compatible endpoint (`llmBaseUrl`), and with `apiKeySecret` it answers only requests that carry
 * the key ESO synced — the one the agents send. Pure builders plus the function that registers them.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { reloadAnnotations } from "../secrets/spec";
import { serviceHost } from "../shared/names";
import { serverNetworkPolicy } from "../shared/networkPolicy";
import { restrictedSecurityContexts } from "../workload/spec";

/** Name of the Deployment and Service. */
export const FAKE_LLM_NAME = "fake-llm";
/** Port of the fake (container and Service alike, so agents' egress rule for the URL's port matches the pod). */
export const FAKE_LLM_PORT = 8080;

/** The base URL agents set as `llmBaseUrl` to use the fake. */
export function fakeLlmBaseUrl(namespace: string): string {
    return `http://${serviceHost(FAKE_LLM_NAME, namespace)}:${FAKE_LLM_PORT}/v1`;
}

/** What the fake is built from. */
export interface FakeLlmSpec {
    namespace: string;
    /** Digest-pinned image reference. */
    image: pulumi.Input<string>;
    /**
     * Secret and key of the API key it requires (none: it answers every request). `known`: the stack
     * sets the value, so the Secret will exist and the pod waits for it (else it may start without one).
     */
    apiKey?: { secretName: string; key: string; known: boolean };
}

/** Labels of the fake's pods. */
export function fakeLlmLabels(): Record<string, string> {
    return { "app.kubernetes.io/name": FAKE_LLM_NAME, "app.kubernetes.io/part-of": "agent-platform", "app.kubernetes.io/component": "test-double" };
}

/** The Deployment: one small restricted pod, probed on /healthz, restarted by Reloader when its key changes. */
export function fakeLlmDeployment(s: FakeLlmSpec): k8s.types.input.apps.v1.Deployment {
    const labels = fakeLlmLabels();
    const security = restrictedSecurityContexts();
    const probe = { httpGet: { path: "/healthz", port: "http", scheme: "HTTP" } };
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: FAKE_LLM_NAME, namespace: s.namespace, labels, annotations: reloadAnnotations(s.apiKey ? [s.apiKey.secretName] : []) },
        spec: {
            replicas: 1,
            selector: { matchLabels: labels },
            template: {
                metadata: { labels },
                spec: {
                    automountServiceAccountToken: false,
                    enableServiceLinks: false,
                    securityContext: security.pod,
                    containers: [{
                        name: FAKE_LLM_NAME,
                        image: s.image,
                        ports: [{ name: "http", containerPort: FAKE_LLM_PORT, protocol: "TCP" }],
                        env: [
                            { name: "PORT", value: String(FAKE_LLM_PORT) },
                            // A key the stack sets is waited for (and agents created after the fake start with it too); one
                            // set out of band may come later, and Reloader restarts the pod when it does.
                            ...(s.apiKey ? [{ name: "FAKE_LLM_API_KEY", valueFrom: { secretKeyRef: { name: s.apiKey.secretName, key: s.apiKey.key, optional: !s.apiKey.known } } }] : []),
                        ],
                        resources: { requests: { cpu: "20m", memory: "48Mi" }, limits: { memory: "128Mi" } },
                        readinessProbe: { ...probe, periodSeconds: 5 },
                        livenessProbe: { ...probe, periodSeconds: 10 },
                        securityContext: security.container,
                    }],
                },
            },
        },
    };
}

/** The Service agents call, on the container's port. */
export function fakeLlmService(namespace: string): k8s.types.input.core.v1.Service {
    const labels = fakeLlmLabels();
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: FAKE_LLM_NAME, namespace, labels },
        spec: { type: "ClusterIP", selector: labels, ports: [{ name: "http", port: FAKE_LLM_PORT, targetPort: "http", protocol: "TCP" }] },
    };
}

/** NetworkPolicy: its port from the pods of its namespace (the agents); no egress. */
export function fakeLlmNetworkPolicy(namespace: string): k8s.types.input.networking.v1.NetworkPolicy {
    return serverNetworkPolicy({ name: FAKE_LLM_NAME, namespace, labels: fakeLlmLabels(), port: FAKE_LLM_PORT });
}

/** Registers the fake's objects under `opts` (parent, provider, dependencies); returns the Deployment (what agents wait for). */
export function createFakeLlm(name: string, s: FakeLlmSpec, opts: pulumi.CustomResourceOptions): k8s.apps.v1.Deployment {
    new k8s.core.v1.Service(`${name}-fake-llm`, fakeLlmService(s.namespace), opts);
    new k8s.networking.v1.NetworkPolicy(`${name}-fake-llm`, fakeLlmNetworkPolicy(s.namespace), opts);
    return new k8s.apps.v1.Deployment(`${name}-fake-llm`, fakeLlmDeployment(s), opts);
}
