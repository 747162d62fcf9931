import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { PodIdentityRole } from "../podIdentity";
import { dependsOnFor, InClusterDependencies } from "../shared/inCluster";
import { SecretStoreKind } from "../shared/constants";
import { createKubernetesStore, kubernetesStoreSpec } from "./kubernetesStore";
import { awsSecretName, checkedSecretValues, clusterSecretStoreName, clusterSecretStoreSpec, defaultSecretNamePrefix, EXTERNAL_SECRETS_NAMESPACE, EXTERNAL_SECRETS_SERVICE_ACCOUNT, externalSecretSpec, externalSecretsPolicy, externalSecretsValues, RELOADER_NAMESPACE, reloaderValues, secretsKeyPolicy } from "./spec";
import { parseArgs } from "../shared/schema";
import { secretsArgsSchema } from "./args";
import { EXTERNAL_SECRETS_CHART, RELOADER_CHART } from "../shared/versions";

/** A secret whose value people provide (an LLM API key, a model hub token, ...). */
export interface SecretEntryArgs {
    /** Name: the Secrets Manager secret `<secretNamePrefix>/<name>` and the Kubernetes Secret `<name>`; a DNS label. Required. */
    name: string;
    /** Keys of the secret's JSON object; each becomes a data key of the Kubernetes Secret (an env var with `envFrom`). Required. */
    keys: string[];
    /** What the secret is for. Default: "agent credentials". */
    description?: string;
    /**
     * The value, one string per key (every key, no other), held as a secret. Default: none — the stack
     * creates the secret empty and the value is set out of band with `aws secretsmanager put-secret-value`.
     */
    values?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Namespaces that receive the Kubernetes Secret; they must exist. Default: the component's `namespaces`. */
    namespaces?: string[];
}

/** A secret the stack generates (a password or auth token), stored and synced like the others. */
export interface GeneratedSecretArgs {
    /** Name: the Secrets Manager secret `<secretNamePrefix>/<name>` and the Kubernetes Secret `<name>`; a DNS label. Required. */
    name: string;
    /** Data key holding the generated value (e.g. "password"). Required. */
    key: string;
    /** Length of the generated value, letters and digits only (16–128, what ElastiCache auth tokens allow). Default: 32. */
    length?: number;
    /** Namespaces that receive the Kubernetes Secret. Required (at least one). */
    namespaces: string[];
}

/** Secrets settings that do not depend on the cluster (what AgentPlatform takes). */
export interface SecretsOptions {
    /** Secrets whose values people provide, synced into the agents namespace. Default: none. */
    entries?: SecretEntryArgs[];
    /** Days a deleted secret stays recoverable: 0 (delete at once) or 7–30. Default: 30. */
    recoveryWindowDays?: number;
    /** How often ESO re-reads Secrets Manager (a Go duration such as "15m" or "1h"). Default: "1h". */
    refreshInterval?: string;
    /** Install Stakater Reloader (workloads restart when their Secrets change). Default: true. */
    reloader?: boolean;
}

export interface AgentSecretsArgs {
    /** EKS cluster of the External Secrets Operator's Pod Identity association. Default: none (required with store "secrets-manager"). */
    clusterName?: pulumi.Input<string>;
    /**
     * Where the values live (SecretStoreKind): "secrets-manager" (AWS Secrets Manager with a KMS key), or
     * "kubernetes" (Secrets in a namespace of their own, `storeNamespace`, read by ESO's `kubernetes`
     * provider: no AWS resource; the values still reach workloads only through ExternalSecrets). Default: "secrets-manager".
     */
    store?: string;
    /** Namespace of the source Secrets with store "kubernetes". Default: "agent-platform-secrets". */
    storeNamespace?: string;
    /** Environment name: secret names, the ClusterSecretStore name, descriptions. Required. */
    environment: string;
    /** Secrets whose values people provide, synced into every namespace of `namespaces` (or their own). Required (may be empty). */
    secrets: SecretEntryArgs[];
    /** Secrets generated with the Pulumi random provider (letters and digits), synced into their own namespaces. Default: none. */
    generatedSecrets?: GeneratedSecretArgs[];
    /** Workload namespaces that receive an ExternalSecret for every entry of `secrets`; they must exist. Default: none. */
    namespaces?: string[];
    /** Days a deleted secret stays recoverable: 0 (delete at once) or 7–30. Default: 30. */
    recoveryWindowDays?: number;
    /** How often ESO re-reads Secrets Manager (a Go duration such as "15m" or "1h"). Default: "1h". */
    refreshInterval?: string;
    /** Prefix of the Secrets Manager names. Default: "agent-platform/<environment>". */
    secretNamePrefix?: string;
    /** Days before a deleted KMS key is destroyed (7–30). Default: 30. */
    keyDeletionWindowDays?: number;
    /** Install Stakater Reloader so workloads annotated with `reloadAnnotations` restart when their Secrets change. Default: true. */
    reloader?: boolean;
    /** Pin ESO and Reloader to AgentCluster's system nodes (false on a cluster without them). Default: true. */
    onSystemNodes?: boolean;
    /** Tags of the AWS resources. Default: none (the provider's default tags still apply). */
    tags?: Record<string, string>;
    /**
     * What the Kubernetes objects wait for: `pods` before the ESO and Reloader releases (the nodes they
     * run on), `namespaces` before the ExternalSecrets. Default: none.
     */
    inClusterDependsOn?: InClusterDependencies;
}

/** Validates AgentSecretsArgs and applies their defaults; throws `InputPropertiesError` naming each bad argument (never a secret value). */
export function parseSecretsArgs(args: AgentSecretsArgs) {
    return parseArgs("AgentSecrets", secretsArgsSchema, args);
}

/** One secret as the component handles it: an entry or a generated secret. */
interface PlannedSecret {
    name: string;
    keys: string[];
    description: string;
    namespaces: string[];
}

/**
 * Credentials of the platform: a customer-managed KMS key (rotation on), Secrets Manager secrets
 * encrypted with it (values from a Pulumi config secret, generated by the Pulumi random provider, or set out of
 * band), the External Secrets Operator on the system nodes with a Pod Identity role that reads exactly
 * these secrets, a ClusterSecretStore, ExternalSecrets that materialise each secret as a Kubernetes
 * Secret of the same name in its namespaces, and Reloader so a changed secret rolls the pods using it.
 */
export class AgentSecrets extends pulumi.ComponentResource {
    /** ARN of the KMS key encrypting the secrets (undefined output with store "kubernetes"). */
    public readonly kmsKeyArn: pulumi.Output<string | undefined>;
    /** Id of the KMS key (undefined output with store "kubernetes"). */
    public readonly kmsKeyId: pulumi.Output<string | undefined>;
    /** Secrets Manager ARN of every secret (entries and generated), by name (empty with store "kubernetes"). */
    public readonly secretArns: pulumi.Output<Record<string, string>>;
    /**
     * Where each secret's value is set, by name: the Secrets Manager name (the `--secret-id` of
     * `put-secret-value`), or with store "kubernetes" `<storeNamespace>/<name>` (the source Secret).
     */
    public readonly secretNames: pulumi.Output<Record<string, string>>;
    /** Kubernetes Secret name of every secret, by name (the same name, in each of its namespaces). */
    public readonly kubernetesSecretNames: pulumi.Output<Record<string, string>>;
    /** Generated values by name (a secret output). */
    public readonly generatedValues: pulumi.Output<Record<string, string>>;
    /** Name of the ClusterSecretStore (AWS Secrets Manager, or the store namespace). */
    public readonly clusterSecretStoreName: pulumi.Output<string>;
    /** ARN of the External Secrets Operator's Pod Identity role (undefined output with store "kubernetes"). */
    public readonly externalSecretsRoleArn: pulumi.Output<string | undefined>;

    constructor(name: string, args: AgentSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        const a = parseSecretsArgs(args); // before super: invalid arguments register nothing
        super("agent-platform:index:AgentSecrets", name, {}, opts);
        const parent = { parent: this };
        const refreshInterval = a.refreshInterval;
        const workloadNamespaces = a.namespaces;
        const generated = a.generatedSecrets;
        const planned: PlannedSecret[] = [
            ...a.secrets.map((s) => ({ name: s.name, keys: s.keys, description: s.description, namespaces: s.namespaces ?? workloadNamespaces })),
            ...generated.map((g) => ({ name: g.name, keys: [g.key], description: `generated ${g.key}`, namespaces: g.namespaces })),
        ];
        // The values the stack knows: given in the arguments, or generated here (letters and digits).
        const values = new Map<string, pulumi.Input<Record<string, pulumi.Input<string>>>>();
        for (const s of a.secrets) if (s.values !== undefined) values.set(s.name, s.values);
        const generatedResults: Record<string, pulumi.Output<string>> = {};
        for (const g of generated) {
            const password = new random.RandomPassword(`${name}-${g.name}`, {
                length: g.length, special: false, minLower: 1, minUpper: 1, minNumeric: 1,
            }, parent);
            generatedResults[g.name] = pulumi.secret(password.result);
            values.set(g.name, { [g.key]: generatedResults[g.name] });
        }
        // Exactly the declared keys, checked (checkedSecretValues names keys, never values) before a value is stored.
        const checked = (s: PlannedSecret) => pulumi.output(values.get(s.name)!).apply((v) => checkedSecretValues(s.name, s.keys, v as Record<string, string>));

        const store = a.store === SecretStoreKind.Kubernetes
            ? this.kubernetesStore(name, a.storeNamespace, planned, values, checked)
            : this.secretsManagerStore(name, a, planned, values, checked);

        // With Secrets Manager, the Pod Identity association must exist before ESO's pods start: EKS
        // injects the credentials at pod creation.
        const eso = new k8s.helm.v3.Release(`${name}-eso`, {
            name: "external-secrets",
            chart: EXTERNAL_SECRETS_CHART.chart,
            version: EXTERNAL_SECRETS_CHART.version,
            repositoryOpts: { repo: EXTERNAL_SECRETS_CHART.repository },
            namespace: EXTERNAL_SECRETS_NAMESPACE,
            createNamespace: true,
            values: externalSecretsValues(a.onSystemNodes),
            timeout: 600,
        }, { parent: this, dependsOn: dependsOnFor(a.inClusterDependsOn, ["pods"], store.esoDependsOn) });

        if (a.reloader) {
            new k8s.helm.v3.Release(`${name}-reloader`, {
                name: "reloader",
                chart: RELOADER_CHART.chart,
                version: RELOADER_CHART.version,
                repositoryOpts: { repo: RELOADER_CHART.repository },
                namespace: RELOADER_NAMESPACE,
                createNamespace: true,
                values: reloaderValues(a.onSystemNodes),
                timeout: 600,
            }, { parent: this, dependsOn: dependsOnFor(a.inClusterDependsOn, ["pods"]) });
        }

        const storeName = clusterSecretStoreName(a.environment);
        const storeResource = new k8s.apiextensions.CustomResource(`${name}-store`, {
            apiVersion: "external-secrets.io/v1",
            kind: "ClusterSecretStore",
            metadata: { name: storeName },
            spec: store.spec(planned.flatMap((s) => s.namespaces)),
        }, { parent: this, dependsOn: [eso, ...store.ready] });

        for (const s of planned) {
            const version = store.versions.get(s.name);
            for (const namespace of s.namespaces) {
                new k8s.apiextensions.CustomResource(`${name}-${s.name}-${namespace}`, {
                    apiVersion: "external-secrets.io/v1",
                    kind: "ExternalSecret",
                    metadata: {
                        name: s.name,
                        namespace,
                        // A new value set by `pulumi up` changes this annotation, which makes ESO sync at once
                        // instead of at the next refresh. Values set out of band arrive within refreshInterval.
                        annotations: version ? { "agent-platform.io/secret-version": version } : undefined,
                    },
                    spec: externalSecretSpec({ storeName, remoteName: store.remoteName(s.name), targetName: s.name, keys: s.keys, refreshInterval }),
                }, { parent: this, dependsOn: dependsOnFor(a.inClusterDependsOn, ["namespaces"], [eso, storeResource, ...store.sources(s.name)]) });
            }
        }

        const byName = <T>(f: (s: PlannedSecret) => pulumi.Input<T>) => pulumi.output(Object.fromEntries(planned.map((s) => [s.name, f(s)]))) as pulumi.Output<Record<string, T>>;
        this.kmsKeyArn = store.kmsKeyArn;
        this.kmsKeyId = store.kmsKeyId;
        this.secretArns = store.secretArns;
        this.secretNames = byName((s) => store.remoteLocation(s.name));
        this.kubernetesSecretNames = byName((s) => s.name);
        this.generatedValues = pulumi.secret(pulumi.output(generatedResults) as pulumi.Output<Record<string, string>>);
        this.clusterSecretStoreName = storeResource.metadata.apply((m) => m?.name ?? storeName);
        this.externalSecretsRoleArn = store.externalSecretsRoleArn;
        this.registerOutputs({
            kmsKeyArn: this.kmsKeyArn, kmsKeyId: this.kmsKeyId, secretArns: this.secretArns, secretNames: this.secretNames,
            kubernetesSecretNames: this.kubernetesSecretNames, generatedValues: this.generatedValues,
            clusterSecretStoreName: this.clusterSecretStoreName, externalSecretsRoleArn: this.externalSecretsRoleArn,
        });
    }

    /**
     * Secrets Manager: a KMS key (rotation on), a secret per planned secret, a version where the value is
     * known, and ESO's Pod Identity role that reads exactly these secrets.
     */
    private secretsManagerStore(name: string, a: ParsedSecretsArgs, planned: PlannedSecret[], values: Map<string, unknown>, checked: (s: PlannedSecret) => pulumi.Output<Record<string, string>>): SecretStoreParts {
        const parent = { parent: this };
        const prefix = a.secretNamePrefix ?? defaultSecretNamePrefix(a.environment);
        const identity = aws.getCallerIdentityOutput({}, parent);
        const partition = aws.getPartitionOutput({}, parent);
        const region = aws.getRegionOutput({}, parent).region;

        // ESO's role exists before the key, whose policy names it; its permissions (which name the key
        // and the secrets) are attached after both exist.
        const esoRole = new PodIdentityRole(`${name}-eso`, {
            clusterName: a.clusterName!, namespace: EXTERNAL_SECRETS_NAMESPACE, serviceAccount: EXTERNAL_SECRETS_SERVICE_ACCOUNT, tags: a.tags,
        }, parent);

        const key = new aws.kms.Key(`${name}-key`, {
            description: `Secrets Manager secrets of agent-platform ${a.environment}`,
            enableKeyRotation: true,
            rotationPeriodInDays: 365,
            deletionWindowInDays: a.keyDeletionWindowDays,
            policy: pulumi.jsonStringify(pulumi.all([identity.accountId, partition.partition, region, esoRole.roleArn])
                .apply(([accountId, p, r, externalSecretsRoleArn]) => secretsKeyPolicy({ accountId, partition: p, region: r, externalSecretsRoleArn }))),
            tags: a.tags,
        }, parent);
        new aws.kms.Alias(`${name}-key`, { name: `alias/${prefix}/secrets`, targetKeyId: key.keyId }, parent);

        const secrets = new Map<string, aws.secretsmanager.Secret>();
        const versions = new Map<string, aws.secretsmanager.SecretVersion>();
        for (const s of planned) {
            secrets.set(s.name, new aws.secretsmanager.Secret(`${name}-${s.name}`, {
                name: awsSecretName(prefix, s.name),
                description: s.description,
                kmsKeyId: key.arn,
                recoveryWindowInDays: a.recoveryWindowDays,
                tags: a.tags,
            }, parent));
            if (values.has(s.name)) {
                versions.set(s.name, new aws.secretsmanager.SecretVersion(`${name}-${s.name}`, {
                    secretId: secrets.get(s.name)!.id,
                    secretString: pulumi.secret(checked(s).apply((v) => JSON.stringify(v))),
                }, parent));
            }
        }

        const esoPolicy = new aws.iam.RolePolicy(`${name}-eso-read`, {
            role: esoRole.role.id,
            policy: pulumi.jsonStringify(pulumi.all([pulumi.all([...secrets.values()].map((s) => s.arn)), key.arn, region])
                .apply(([arns, keyArn, r]) => externalSecretsPolicy(arns, keyArn, r))),
        }, parent);

        return {
            esoDependsOn: [esoRole],
            ready: [esoPolicy],
            spec: (namespaces) => region.apply((r) => clusterSecretStoreSpec(r, namespaces)),
            remoteName: (secret) => awsSecretName(prefix, secret),
            remoteLocation: (secret) => awsSecretName(prefix, secret),
            versions: new Map([...versions].map(([n, v]) => [n, v.versionId])),
            sources: (secret) => (versions.has(secret) ? [versions.get(secret)!] : []),
            kmsKeyArn: key.arn,
            kmsKeyId: key.keyId,
            secretArns: pulumi.output(Object.fromEntries(planned.map((s) => [s.name, secrets.get(s.name)!.arn]))) as pulumi.Output<Record<string, string>>,
            externalSecretsRoleArn: esoRole.roleArn,
        };
    }

    /** Kubernetes: source Secrets in a namespace of their own, read by ESO's `kubernetes` provider. No AWS. */
    private kubernetesStore(name: string, storeNamespace: string, planned: PlannedSecret[], values: Map<string, unknown>, checked: (s: PlannedSecret) => pulumi.Output<Record<string, string>>): SecretStoreParts {
        const store = createKubernetesStore(name, storeNamespace, planned.map((s) => ({
            name: s.name,
            ...(values.has(s.name) ? { values: checked(s) } : {}),
        })), this);
        return {
            esoDependsOn: [],
            ready: store.ready,
            spec: (namespaces) => kubernetesStoreSpec(storeNamespace, namespaces),
            remoteName: (secret) => secret,
            remoteLocation: (secret) => `${storeNamespace}/${secret}`,
            versions: store.versions,
            sources: (secret) => [store.secrets.get(secret)!],
            kmsKeyArn: pulumi.output(undefined),
            kmsKeyId: pulumi.output(undefined),
            secretArns: pulumi.output({} as Record<string, string>),
            externalSecretsRoleArn: pulumi.output(undefined),
        };
    }
}

type ParsedSecretsArgs = ReturnType<typeof parseSecretsArgs>;

/** What a store gives the rest of AgentSecrets. */
interface SecretStoreParts {
    /** What ESO's release waits for (its Pod Identity association). */
    esoDependsOn: pulumi.Resource[];
    /** What the ClusterSecretStore waits for (the reader's permissions). */
    ready: pulumi.Resource[];
    /** The ClusterSecretStore's spec, usable from `namespaces`. */
    spec: (namespaces: string[]) => pulumi.Input<object>;
    /** The `remoteRef.key` of a secret. */
    remoteName: (secret: string) => string;
    /** Where a secret's value is set (Secrets Manager name, or namespace/name). */
    remoteLocation: (secret: string) => string;
    /** Per secret with a known value: what changes with the value (the ExternalSecret's annotation). */
    versions: Map<string, pulumi.Output<string>>;
    /** What a secret's ExternalSecret waits for besides the store. */
    sources: (secret: string) => pulumi.Resource[];
    kmsKeyArn: pulumi.Output<string | undefined>;
    kmsKeyId: pulumi.Output<string | undefined>;
    secretArns: pulumi.Output<Record<string, string>>;
    externalSecretsRoleArn: pulumi.Output<string | undefined>;
}
