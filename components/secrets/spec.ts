/**
 * Derived values of AgentSecrets, as pure functions: names, the KMS key policy, the External Secrets
 * Operator's IAM policy, the Helm values of ESO and Reloader, the ClusterSecretStore and ExternalSecret
 * specs, the secret JSON and the annotation that makes a workload restart when its secrets change.
 */
import { policyDocument, PolicyStatement } from "../podIdentity/spec";
import { controllerPlacement } from "../shared/placement";

/** Namespace the External Secrets Operator is installed into. */
export const EXTERNAL_SECRETS_NAMESPACE = "external-secrets";
/** Service account of the ESO controller (the one that calls Secrets Manager, through Pod Identity). */
export const EXTERNAL_SECRETS_SERVICE_ACCOUNT = "external-secrets";
/** Namespace Stakater Reloader is installed into. */
export const RELOADER_NAMESPACE = "reloader";

/** The generated secret ContextStore uses: the Redis/Valkey auth token. */
export const REDIS_AUTH_SECRET = { name: "redis-auth", key: "password" } as const;
/** The generated secret Tracing uses: Grafana's admin password. */
export const GRAFANA_ADMIN_SECRET = { name: "grafana-admin", key: "admin-password" } as const;

/**
 * The secret of the alert receivers' URLs (an entry the platform declares, not generated): Grafana's
 * Slack webhook (synced into the observability namespace) and PagerDuty's integration URL (which the
 * SNS subscription takes from config).
 */
export const ALERTING_SECRET = { name: "alerting", slackWebhookKey: "SLACK_WEBHOOK_URL", pagerDutyUrlKey: "PAGERDUTY_URL" } as const;

/** Prefix of the platform's Secrets Manager names for an environment: `agent-platform/<environment>`. */
export function defaultSecretNamePrefix(environment: string): string {
    return `agent-platform/${environment}`;
}

/** Secrets Manager name of one secret: `<prefix>/<name>`. */
export function awsSecretName(prefix: string, name: string): string {
    return `${prefix}/${name}`;
}

/** Name of the ClusterSecretStore of an environment. */
export function clusterSecretStoreName(environment: string): string {
    return `agent-platform-${environment}`;
}

/**
 * The values stored for one secret (as a JSON object in Secrets Manager, as a Secret's data in the
 * kubernetes store): exactly the declared keys, in their declared order. Throws when a key is missing,
 * empty or not declared — a partial object would make the ExternalSecret fail to sync (each declared
 * key is a `remoteRef.property`). Error messages name keys, never values.
 */
export function checkedSecretValues(secret: string, keys: readonly string[], values: Record<string, string>): Record<string, string> {
    const unknown = Object.keys(values).filter((k) => !keys.includes(k));
    const missing = keys.filter((k) => typeof values[k] !== "string" || values[k].length === 0);
    if (unknown.length > 0 || missing.length > 0) {
        const parts = [
            ...(missing.length ? [`missing or empty: ${missing.join(", ")}`] : []),
            ...(unknown.length ? [`not declared: ${unknown.join(", ")}`] : []),
        ];
        throw new Error(`secret "${secret}": the value must set exactly the keys ${keys.join(", ")} (${parts.join("; ")})`);
    }
    return Object.fromEntries(keys.map((k) => [k, values[k]]));
}

/** Where a caller reaches KMS through Secrets Manager: the `kms:ViaService` value of a region. */
export function secretsManagerViaService(region: string): string {
    return `secretsmanager.${region}.amazonaws.com`;
}

/**
 * What a principal needs of a key to use a service's SSE-KMS (SQS, SNS, S3): a data key to encrypt
 * with (GenerateDataKey) and Decrypt to read what it encrypted.
 */
export const KMS_DATA_KEY_ACTIONS = ["kms:GenerateDataKey", "kms:Decrypt"] as const;

/**
 * Key administration actions the account keeps on the key, listed one by one (no wildcards): manage,
 * tag, rotate, alias and schedule deletion — but not use it. Every one is checked against the IAM
 * action catalogue in tests.
 */
export const KMS_ADMIN_ACTIONS = [
    "kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy",
    "kms:GetKeyRotationStatus", "kms:EnableKeyRotation", "kms:DisableKeyRotation", "kms:ListKeyRotations", "kms:RotateKeyOnDemand",
    "kms:ListResourceTags", "kms:TagResource", "kms:UntagResource", "kms:UpdateKeyDescription",
    "kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias",
    "kms:ListGrants", "kms:RevokeGrant",
    "kms:EnableKey", "kms:DisableKey", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion",
] as const;

/** The account itself as a principal: `arn:<partition>:iam::<account>:root`. */
export function accountRootArn(a: { partition: string; accountId: string }): string {
    return `arn:${a.partition}:iam::${a.accountId}:root`;
}

/**
 * The key-policy statement by which the account (`accountArn`, see accountRootArn) administers a key
 * (KMS_ADMIN_ACTIONS) without using it. In a key policy, Resource "*" means "this key".
 */
export function accountAdministersKey(accountArn: string): PolicyStatement {
    return { Sid: "AccountAdministersKey", Effect: "Allow", Principal: { AWS: accountArn }, Action: [...KMS_ADMIN_ACTIONS], Resource: "*" };
}

/** What Secrets Manager needs from the key on behalf of a caller that writes or reads a secret. */
export const KMS_SECRETS_MANAGER_USE_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"] as const;

export interface SecretsKeyPolicyArgs {
    accountId: string;
    partition: string;
    region: string;
    /** Role of the External Secrets Operator, allowed to decrypt through Secrets Manager. */
    externalSecretsRoleArn: string;
}

/**
 * Key policy of the secrets' KMS key: the account administers it; account principals (with an IAM
 * policy allowing it: deployers, operators running `put-secret-value`) may use it only through Secrets
 * Manager in this region; the ESO role may decrypt, only through Secrets Manager.
 */
export function secretsKeyPolicy(a: SecretsKeyPolicyArgs) {
    const account = accountRootArn(a);
    const viaSecretsManager = { "kms:ViaService": secretsManagerViaService(a.region) };
    return policyDocument([
        accountAdministersKey(account),
        {
            Sid: "AccountUsesKeyOnlyThroughSecretsManager", Effect: "Allow", Principal: { AWS: account },
            Action: [...KMS_SECRETS_MANAGER_USE_ACTIONS], Resource: "*",
            Condition: { StringEquals: { ...viaSecretsManager, "kms:CallerAccount": a.accountId } },
        },
        {
            Sid: "ExternalSecretsDecryptsThroughSecretsManager", Effect: "Allow", Principal: { AWS: a.externalSecretsRoleArn },
            Action: ["kms:Decrypt"], Resource: "*", Condition: { StringEquals: viaSecretsManager },
        },
    ]);
}

/** Secrets Manager actions ESO needs to read a secret by name and property (no list, no write). */
export const EXTERNAL_SECRETS_READ_ACTIONS = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "secretsmanager:ListSecretVersionIds"] as const;

/**
 * Permissions of the ESO controller: read exactly the platform's secrets (by ARN) and decrypt with
 * exactly their key, only through Secrets Manager.
 */
export function externalSecretsPolicy(secretArns: string[], keyArn: string, region: string) {
    const statements: PolicyStatement[] = [
        { Sid: "ReadPlatformSecrets", Effect: "Allow", Action: [...EXTERNAL_SECRETS_READ_ACTIONS], Resource: [...secretArns].sort() },
        { Sid: "DecryptPlatformSecrets", Effect: "Allow", Action: ["kms:Decrypt"], Resource: keyArn, Condition: { StringEquals: { "kms:ViaService": secretsManagerViaService(region) } } },
    ];
    return policyDocument(statements);
}

const CONTROLLER_RESOURCES = { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } };
const SMALL_RESOURCES = { requests: { cpu: "20m", memory: "48Mi" }, limits: { memory: "128Mi" } };

/**
 * Helm values of the external-secrets chart: CRDs installed by the chart, the controller's service
 * account named for its Pod Identity association, and the controller, webhook and cert-controller
 * pinned to the system nodes.
 */
export function externalSecretsValues(onSystemNodes = true) {
    const placement = controllerPlacement(onSystemNodes);
    return {
        installCRDs: true,
        serviceAccount: { create: true, name: EXTERNAL_SECRETS_SERVICE_ACCOUNT },
        ...placement,
        resources: CONTROLLER_RESOURCES,
        webhook: { ...placement, resources: SMALL_RESOURCES },
        certController: { ...placement, resources: SMALL_RESOURCES },
    };
}

/**
 * Helm values of the Reloader chart: on the system nodes, hardened, and the `annotations` reload
 * strategy — a changed Secret adds `reloader.stakater.com/last-reloaded-from` to the pod template
 * (instead of an env var), a field Pulumi does not own, so the next `pulumi up` does not revert it.
 */
export function reloaderValues(onSystemNodes = true) {
    const placement = controllerPlacement(onSystemNodes);
    return {
        reloader: {
            reloadStrategy: "annotations",
            // A Secret set out of band after the first deploy is created later by ESO: restart its pods then too.
            reloadOnCreate: true,
            readOnlyRootFileSystem: true,
            deployment: {
                ...placement,
                containerSecurityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                resources: SMALL_RESOURCES,
            },
        },
    };
}

/** The annotation (on a Deployment's own metadata) that names the Secrets whose changes restart it. */
export const RELOADER_SECRET_ANNOTATION = "secret.reloader.stakater.com/reload";

/**
 * Annotations a workload (Deployment, StatefulSet, DaemonSet) carries on its own `metadata` so that
 * Reloader rolls its pods when any of `secretNames` (Kubernetes Secrets in its namespace, e.g. from
 * `AgentSecrets.kubernetesSecretNames`) changes. Empty when there are none.
 */
export function reloadAnnotations(secretNames: readonly string[]): Record<string, string> {
    const names = [...new Set(secretNames)].sort();
    return names.length ? { [RELOADER_SECRET_ANNOTATION]: names.join(",") } : {};
}

/** Spec of the ClusterSecretStore: AWS Secrets Manager in `region`, usable only from `namespaces`. */
export function clusterSecretStoreSpec(region: string, namespaces: readonly string[]) {
    // No `auth` block: the provider uses the controller's own credentials (its Pod Identity role).
    return {
        provider: { aws: { service: "SecretsManager" as const, region } },
        conditions: [{ namespaces: [...new Set(namespaces)].sort() }],
    };
}

export interface ExternalSecretSpecArgs {
    storeName: string;
    /** Secrets Manager name of the secret. */
    remoteName: string;
    /** Kubernetes Secret to create (owned by the ExternalSecret). */
    targetName: string;
    /** JSON keys of the remote secret; each becomes a data key of the Kubernetes Secret. */
    keys: readonly string[];
    refreshInterval: string;
}

/**
 * Spec of one ExternalSecret: every declared key of the remote JSON secret mapped to the same data
 * key of a Kubernetes Secret the ExternalSecret owns (`creationPolicy: Owner`, so it is garbage
 * collected with it). Explicit `data` rather than `dataFrom.extract`: the Secret holds exactly the
 * declared keys, and a missing key is a visible sync error, not a silently absent variable.
 */
export function externalSecretSpec(a: ExternalSecretSpecArgs) {
    return {
        refreshInterval: a.refreshInterval,
        secretStoreRef: { kind: "ClusterSecretStore" as const, name: a.storeName },
        target: { name: a.targetName, creationPolicy: "Owner" as const, deletionPolicy: "Retain" as const },
        data: a.keys.map((key) => ({ secretKey: key, remoteRef: { key: a.remoteName, property: key } })),
    };
}
