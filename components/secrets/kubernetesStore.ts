/**
 * The `kubernetes` store of AgentSecrets (target `kubernetes`): the values live in Kubernetes Secrets of
 * one namespace of their own — the stand-in for Secrets Manager — and External Secrets Operator copies
 * them into the workload namespaces through its `kubernetes` provider, exactly as it copies Secrets
 * Manager values on AWS: same ClusterSecretStore name, same ExternalSecrets, same target Secrets. ESO
 * reads the store namespace as a service account that may read Secrets there and nowhere else.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { podSecurityLabels, PodSecurityLevel } from "../shared/placement";

/** Namespace of the source Secrets (one per cluster: the platform's secret store). */
export const SECRET_STORE_NAMESPACE = "agent-platform-secrets";
/** Service account ESO authenticates as to read the store namespace. */
export const SECRET_STORE_READER = "secret-store-reader";

/** The store namespace: restricted Pod Security (nothing runs there). */
export function secretStoreNamespace(namespace: string): k8s.types.input.core.v1.Namespace {
    return { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace, labels: podSecurityLabels(PodSecurityLevel.Restricted, PodSecurityLevel.Restricted) } };
}

/**
 * The Role of the reader: read Secrets of the store namespace (what ESO fetches) and review its own
 * rules (how ESO validates the store); nothing else, nowhere else.
 */
export function secretStoreReaderRole(namespace: string): k8s.types.input.rbac.v1.Role {
    return {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: { name: SECRET_STORE_READER, namespace },
        rules: [
            { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] },
            { apiGroups: ["authorization.k8s.io"], resources: ["selfsubjectrulesreviews"], verbs: ["create"] },
        ],
    };
}

/** The RoleBinding of the reader's service account to its Role. */
export function secretStoreReaderBinding(namespace: string): k8s.types.input.rbac.v1.RoleBinding {
    return {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: SECRET_STORE_READER, namespace },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: SECRET_STORE_READER },
        subjects: [{ kind: "ServiceAccount", name: SECRET_STORE_READER, namespace }],
    };
}

/**
 * Spec of the ClusterSecretStore: ESO's `kubernetes` provider reading `storeNamespace` of this cluster
 * (the API server's CA from the namespace's `kube-root-ca.crt`), authenticated as the reader's service
 * account, usable only from `namespaces`.
 */
export function kubernetesStoreSpec(storeNamespace: string, namespaces: readonly string[]) {
    return {
        provider: {
            kubernetes: {
                remoteNamespace: storeNamespace,
                server: { caProvider: { type: "ConfigMap", name: "kube-root-ca.crt", key: "ca.crt", namespace: storeNamespace } },
                auth: { serviceAccount: { name: SECRET_STORE_READER, namespace: storeNamespace } },
            },
        },
        conditions: [{ namespaces: [...new Set(namespaces)].sort() }],
    };
}

/** One source Secret: its name and, when the stack knows it, its value (a secret). */
export interface SourceSecret {
    name: string;
    values?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * Registers the store under `parent`: its namespace, the reader's service account, Role and binding,
 * and one Secret per source — with its value as a secret when the stack has one, else empty, for the
 * value to be set out of band (`kubectl apply`; server-side apply leaves fields Pulumi does not set).
 * Returns, per name, the source Secret and (for a known value) its `resourceVersion`, which changes with
 * the value; and what the ClusterSecretStore must wait for.
 */
export function createKubernetesStore(name: string, storeNamespace: string, sources: SourceSecret[], parent: pulumi.Resource) {
    const child = { parent };
    const ns = new k8s.core.v1.Namespace(`${name}-store-ns`, secretStoreNamespace(storeNamespace), child);
    const inNamespace = { parent, dependsOn: [ns] };
    const account = new k8s.core.v1.ServiceAccount(`${name}-store-reader`, {
        metadata: { name: SECRET_STORE_READER, namespace: storeNamespace }, automountServiceAccountToken: false,
    }, inNamespace);
    const role = new k8s.rbac.v1.Role(`${name}-store-reader`, secretStoreReaderRole(storeNamespace), inNamespace);
    const binding = new k8s.rbac.v1.RoleBinding(`${name}-store-reader`, secretStoreReaderBinding(storeNamespace), inNamespace);
    const versions = new Map<string, pulumi.Output<string>>();
    const secrets = new Map<string, k8s.core.v1.Secret>();
    for (const s of sources) {
        const secret = new k8s.core.v1.Secret(`${name}-source-${s.name}`, {
            metadata: { name: s.name, namespace: storeNamespace, labels: { "app.kubernetes.io/managed-by": "agent-platform" } },
            type: "Opaque",
            ...(s.values !== undefined ? { stringData: pulumi.secret(s.values) } : {}),
        }, inNamespace);
        if (s.values !== undefined) versions.set(s.name, secret.metadata.resourceVersion);
        secrets.set(s.name, secret);
    }
    return { versions, secrets, ready: [account, role, binding] as pulumi.Resource[] };
}
