/**
 * The NetworkPolicy of an in-cluster server that calls nobody (the context store, the queue server, the
 * fake LLM): ingress on its port from the pods of its own namespace and of the namespaces named, and no
 * egress at all.
 */
import type * as k8s from "@pulumi/kubernetes";

export interface ServerNetworkPolicy {
    /** Name of the policy (the server's). */
    name: string;
    namespace: string;
    /** Labels of the server's pods (the policy's selector and its own labels). */
    labels: Record<string, string>;
    port: number;
    /** Other namespaces whose pods may call it. Default: none. */
    fromNamespaces?: string[];
}

/** Ingress on `port` from the namespace's pods and `fromNamespaces`; no egress. */
export function serverNetworkPolicy(p: ServerNetworkPolicy): k8s.types.input.networking.v1.NetworkPolicy {
    const from = [{ podSelector: {} }, ...(p.fromNamespaces ?? []).map((n) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": n } } }))];
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: p.name, namespace: p.namespace, labels: p.labels },
        spec: {
            podSelector: { matchLabels: p.labels },
            policyTypes: ["Ingress", "Egress"],
            ingress: [{ from, ports: [{ protocol: "TCP", port: p.port }] }],
            egress: [],
        },
    };
}
