import * as assert from "node:assert/strict";
import { unknownCheckingProxy } from "@pulumi/policy";
import { podIdentityTrustPolicy } from "../../components/podIdentity/spec";
import { POD_IDENTITY_SESSION_TAGS } from "../../policy/iam";
import { POLICIES, POLICY_PACK_NAME, RULES } from "../../policy/policies";
import { evaluate, EXEMPT_KEY, exemptions, ResourceArgs, Rule } from "../../policy/rule";
import { plainProps, UNKNOWN } from "../../policy/values";
import { agentDeployment, clone, container, mutate, statefulSet, UNKNOWN_STRING_WIRE } from "../support/policyFixtures";

const ruleNamed = (name: string): Rule => {
    const rule = RULES.find((r) => r.name === name);
    if (!rule) throw new Error(`no rule ${name}`);
    return rule;
};

// ---------------------------------------------------------------------------------------------
// Well-formed resources, one per rule family; the cases below break one field at a time.
// ---------------------------------------------------------------------------------------------

const documentWith = (statement: Record<string, unknown>) => JSON.stringify({ Version: "2012-10-17", Statement: [statement] });
const trust = podIdentityTrustPolicy({ clusterName: "agents-prod", namespace: "agents", serviceAccount: "chat-api" });
const trustWith = (change: (statement: Record<string, any>) => void) => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const doc = clone(trust);
    change(doc.Statement[0]);
    return { assumeRolePolicy: JSON.stringify(doc) };
};

interface Case {
    rule: string;
    type: string;
    /** Inputs that comply. */
    good: Record<string, unknown>;
    /** Inputs that violate, each with the message expected. */
    bad: { why: string; props: Record<string, unknown>; message: RegExp; name?: string }[];
    /** Further inputs that comply (edge cases). */
    alsoGood?: { why: string; props: Record<string, unknown>; name?: string }[];
}

const pab = { bucket: "traces", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };
const sse = { bucket: "traces", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:aws:kms:us-west-2:1:key/k" }, bucketKeyEnabled: true }] };
const queue = { name: "prod-jobs", sqsManagedSseEnabled: true, redrivePolicy: JSON.stringify({ deadLetterTargetArn: "arn:aws:sqs:us-west-2:1:prod-jobs-dlq", maxReceiveCount: 5 }) };
const cluster = {
    name: "agents-prod", accessConfig: { authenticationMode: "API" },
    enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
    encryptionConfig: { provider: { keyArn: "arn:aws:kms:us-west-2:1:key/k" }, resources: ["secrets"] },
};
const cache = { replicationGroupId: "ctx", transitEncryptionEnabled: true, transitEncryptionMode: "required", atRestEncryptionEnabled: true, authToken: "s3cr3t-token" };
const repo = { name: "agent", imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true } };
const release = { name: "keda", chart: "keda", version: "2.21.1", repositoryOpts: { repo: "https://kedacore.github.io/charts" } };

const CASES: Case[] = [
    {
        rule: "s3-public-access-block", type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", good: pab,
        bad: [
            { why: "one switch off", props: { ...pab, restrictPublicBuckets: false }, message: /restrictPublicBuckets must be true/ },
            { why: "switch missing", props: { ...pab, blockPublicAcls: undefined }, message: /blockPublicAcls must be true \(got null\)/ },
        ],
    },
    {
        rule: "s3-sse-kms", type: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", good: sse,
        bad: [
            { why: "SSE-S3", props: mutate(sse, (o) => { o.rules[0].applyServerSideEncryptionByDefault = { sseAlgorithm: "AES256" }; }), message: /rule 0 encrypts with "AES256"/ },
            { why: "no rules", props: { bucket: "traces", rules: [] }, message: /has no encryption rule/ },
            {
                why: "SSE-KMS on a server access log destination (S3 would stop delivering its logs)", name: "tracing-access-logs",
                props: sse, message: /rule 0 encrypts with "aws:kms"; a server access log destination must use "AES256"/,
            },
            {
                why: "SSE-S3 on a bucket whose name only contains the suffix", name: "tracing-access-logs-old",
                props: mutate(sse, (o) => { o.rules[0].applyServerSideEncryptionByDefault = { sseAlgorithm: "AES256" }; }), message: /rule 0 encrypts with "AES256"; use sseAlgorithm "aws:kms"/,
            },
        ],
        alsoGood: [
            { why: "DSSE-KMS", props: mutate(sse, (o) => { o.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm = "aws:kms:dsse"; }) },
            { why: "SSE-S3 on a server access log destination", name: "tracing-access-logs", props: { bucket: "logs", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] } },
        ],
    },
    {
        rule: "sqs-encryption", type: "aws:sqs/queue:Queue", good: queue,
        bad: [
            { why: "SSE off, no key", props: { ...queue, sqsManagedSseEnabled: false }, message: /Queue prod-jobs: not encrypted at rest/ },
            { why: "nothing set", props: { name: "q" }, message: /not encrypted at rest/ },
        ],
        alsoGood: [{ why: "KMS key", props: { ...queue, sqsManagedSseEnabled: undefined, kmsMasterKeyId: "alias/sqs" } }],
    },
    {
        rule: "sqs-redrive", type: "aws:sqs/queue:Queue", good: queue,
        bad: [
            { why: "no redrive", props: { ...queue, redrivePolicy: undefined }, message: /Queue prod-jobs: has no redrivePolicy/ },
            { why: "too many receives", props: { ...queue, redrivePolicy: JSON.stringify({ deadLetterTargetArn: "arn:x", maxReceiveCount: 50 }) }, message: /maxReceiveCount must be an integer from 3 to 10 \(got 50\)/ },
            { why: "too few receives", props: { ...queue, redrivePolicy: JSON.stringify({ deadLetterTargetArn: "arn:x", maxReceiveCount: 1 }) }, message: /from 3 to 10 \(got 1\)/ },
            { why: "no target", props: { ...queue, redrivePolicy: JSON.stringify({ maxReceiveCount: 5 }) }, message: /has no deadLetterTargetArn/ },
            { why: "not JSON", props: { ...queue, redrivePolicy: "{" }, message: /redrivePolicy is not valid JSON/ },
        ],
        alsoGood: [
            { why: "a DLQ by name", props: { name: "prod-jobs-dlq", sqsManagedSseEnabled: true } },
            { why: "an autonamed DLQ by Pulumi name", props: { sqsManagedSseEnabled: true }, name: "jobs-dlq" },
            { why: "a DLQ by its redrive allow policy", props: { name: "failures", redriveAllowPolicy: JSON.stringify({ redrivePermission: "allowAll" }) } },
            { why: "redrive unknown in preview", props: { ...queue, redrivePolicy: UNKNOWN } },
        ],
    },
    {
        rule: "iam-no-wildcard-actions", type: "aws:iam/rolePolicy:RolePolicy",
        good: { role: "r", policy: documentWith({ Effect: "Allow", Action: ["sqs:SendMessage", "s3:Get*"], Resource: "*" }) },
        bad: [
            { why: "Action *", props: { role: "r", policy: documentWith({ Sid: "All", Effect: "Allow", Action: "*", Resource: "*" }) }, message: /statement All allows Action "\*"/ },
            { why: "service:*", props: { role: "r", policy: documentWith({ Effect: "Allow", Action: ["sqs:SendMessage", "S3:*"], Resource: "*" }) }, message: /statement 0 allows Action "S3:\*"/ },
            { why: "NotAction", props: { role: "r", policy: documentWith({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }) }, message: /allows NotAction/ },
            { why: "not JSON", props: { role: "r", policy: "nope" }, message: /policy is not valid JSON/ },
        ],
        alsoGood: [{ why: "Deny s3:*", props: { role: "r", policy: documentWith({ Effect: "Deny", Action: "s3:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }) } }],
    },
    {
        rule: "iam-no-wildcard-actions", type: "aws:iam/role:Role",
        good: { name: "r", inlinePolicies: [{ name: "p", policy: documentWith({ Effect: "Allow", Action: "sqs:ReceiveMessage", Resource: "*" }) }] },
        bad: [{ why: "inline *", props: { name: "r", inlinePolicies: [{ name: "p", policy: documentWith({ Effect: "Allow", Action: ["ec2:*"], Resource: "*" }) }] }, message: /Role r inline policy p: statement 0 allows Action "ec2:\*"/ }],
    },
    {
        rule: "iam-no-wildcard-actions", type: "aws:iam/policy:Policy",
        good: { name: "managed", policy: documentWith({ Effect: "Allow", Action: "sqs:ReceiveMessage", Resource: "*" }) },
        bad: [{ why: "managed *", props: { name: "managed", policy: { Version: "2012-10-17", Statement: { Effect: "Allow", Action: "*", Resource: "*" } } }, message: /Policy managed: statement 0 allows Action "\*"/ }],
    },
    {
        rule: "iam-pod-identity-trust", type: "aws:iam/role:Role", good: { assumeRolePolicy: JSON.stringify(trust) },
        bad: [
            { why: "no conditions", props: trustWith((s) => { delete s.Condition; }), message: /must have Condition StringEquals "aws:RequestTag\/eks-cluster-name"/ },
            { why: "namespace wildcard", props: trustWith((s) => { s.Condition.StringEquals["aws:RequestTag/kubernetes-namespace"] = "*"; }), message: /"aws:RequestTag\/kubernetes-namespace" set to one value \(got "\*"\)/ },
            { why: "StringLike instead", props: trustWith((s) => { s.Condition = { StringLike: s.Condition.StringEquals }; }), message: /kubernetes-service-account/ },
            { why: "no TagSession", props: trustWith((s) => { s.Action = "sts:AssumeRole"; }), message: /must allow sts:TagSession/ },
        ],
        alsoGood: [{ why: "a role for EC2", props: { assumeRolePolicy: documentWith({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }) } }],
    },
    {
        rule: "eks-secrets-encryption", type: "aws:eks/cluster:Cluster", good: cluster,
        bad: [
            { why: "no encryption", props: { ...cluster, encryptionConfig: undefined }, message: /Cluster agents-prod: encryptionConfig.resources must include "secrets"/ },
            { why: "no key", props: { ...cluster, encryptionConfig: { resources: ["secrets"] } }, message: /provider.keyArn must name a KMS key/ },
        ],
    },
    {
        rule: "eks-control-plane-logs", type: "aws:eks/cluster:Cluster", good: cluster,
        bad: [{ why: "audit off", props: { ...cluster, enabledClusterLogTypes: ["api", "authenticator"] }, message: /missing audit, controllerManager, scheduler/ }],
    },
    {
        rule: "eks-api-authentication", type: "aws:eks/cluster:Cluster", good: cluster,
        bad: [
            { why: "aws-auth too", props: { ...cluster, accessConfig: { authenticationMode: "API_AND_CONFIG_MAP" } }, message: /must be "API" \(got "API_AND_CONFIG_MAP"\)/ },
            { why: "default", props: { ...cluster, accessConfig: undefined }, message: /must be "API" \(got null\)/ },
        ],
    },
    {
        rule: "ec2-imdsv2", type: "aws:ec2/launchTemplate:LaunchTemplate", good: { name: "system", metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 } },
        bad: [
            { why: "optional", props: { name: "system", metadataOptions: { httpTokens: "optional" } }, message: /LaunchTemplate system: metadataOptions.httpTokens must be "required"/ },
            { why: "unset", props: { name: "system" }, message: /got null/ },
        ],
    },
    {
        rule: "elasticache-encryption", type: "aws:elasticache/replicationGroup:ReplicationGroup", good: cache,
        bad: [
            { why: "no TLS", props: { ...cache, transitEncryptionEnabled: false }, message: /ReplicationGroup ctx: transitEncryptionEnabled must be true/ },
            { why: "TLS preferred", props: { ...cache, transitEncryptionMode: "preferred" }, message: /transitEncryptionMode must be "required"/ },
            { why: "no at-rest", props: { ...cache, atRestEncryptionEnabled: undefined }, message: /atRestEncryptionEnabled must be true/ },
            { why: "no auth", props: { ...cache, authToken: "" }, message: /authToken must be set/ },
        ],
        alsoGood: [{ why: "token unknown in preview", props: { ...cache, authToken: UNKNOWN } }],
    },
    {
        rule: "ecr-immutable-scanned", type: "aws:ecr/repository:Repository", good: repo,
        bad: [
            { why: "mutable by default", props: { ...repo, imageTagMutability: undefined }, message: /Repository agent: imageTagMutability must be "IMMUTABLE" \(got "MUTABLE \(default\)"\)/ },
            { why: "exclusions", props: { ...repo, imageTagMutability: "IMMUTABLE_WITH_EXCLUSION" }, message: /got "IMMUTABLE_WITH_EXCLUSION"/ },
            { why: "no scan", props: { ...repo, imageScanningConfiguration: { scanOnPush: false } }, message: /scanOnPush must be true/ },
        ],
    },
    {
        rule: "k8s-resources", type: "kubernetes:apps/v1:Deployment", good: agentDeployment,
        bad: [
            { why: "no memory limit", props: mutate(agentDeployment, (o) => { delete container(o).resources.limits.memory; }), message: /Deployment agents\/chat-api: container "agent" has no resources.limits.memory/ },
            { why: "no resources", props: mutate(agentDeployment, (o) => { delete container(o).resources; }), message: /has no resources.requests.cpu, resources.requests.memory, resources.limits.memory/ },
            { why: "init container", props: mutate(statefulSet, (o) => { delete o.spec.template.spec.initContainers[0].resources; }), message: /StatefulSet agents\/valkey: init container "init" has no resources/ },
        ],
        alsoGood: [{ why: "no CPU limit", props: mutate(agentDeployment, (o) => { delete container(o).resources.limits.cpu; }) }],
    },
    {
        rule: "k8s-run-as-non-root", type: "kubernetes:apps/v1:StatefulSet", good: statefulSet,
        bad: [
            { why: "nowhere", props: mutate(statefulSet, (o) => { delete o.spec.template.spec.securityContext.runAsNonRoot; }), message: /init container "init" must set securityContext.runAsNonRoot/ },
            { why: "container overrides pod", props: mutate(statefulSet, (o) => { container(o).securityContext.runAsNonRoot = false; }), message: /container "valkey" must set securityContext.runAsNonRoot: true/ },
            { why: "UID 0", props: mutate(statefulSet, (o) => { container(o).securityContext.runAsUser = 0; }), message: /container "valkey" runs as UID 0/ },
        ],
    },
    {
        rule: "k8s-no-privilege-escalation", type: "kubernetes:apps/v1:Deployment", good: agentDeployment,
        bad: [
            { why: "unset", props: mutate(agentDeployment, (o) => { delete container(o).securityContext.allowPrivilegeEscalation; }), message: /container "agent" must set securityContext.allowPrivilegeEscalation: false/ },
            { why: "privileged", props: mutate(agentDeployment, (o) => { container(o).securityContext.privileged = true; }), message: /container "agent" is privileged/ },
        ],
    },
    {
        rule: "k8s-drop-all-capabilities", type: "kubernetes:apps/v1:Deployment", good: agentDeployment,
        bad: [{ why: "drops some", props: mutate(agentDeployment, (o) => { container(o).securityContext.capabilities = { drop: ["NET_RAW"] }; }), message: /container "agent" must set securityContext.capabilities.drop: \["ALL"\]/ }],
    },
    {
        rule: "k8s-read-only-root-filesystem", type: "kubernetes:apps/v1:StatefulSet", good: statefulSet,
        bad: [{ why: "writable", props: mutate(statefulSet, (o) => { container(o).securityContext.readOnlyRootFilesystem = false; }), message: /container "valkey" must set securityContext.readOnlyRootFilesystem: true/ }],
        alsoGood: [{
            why: "exempt by annotation",
            props: mutate(statefulSet, (o) => { container(o).securityContext.readOnlyRootFilesystem = false; o.metadata.annotations = { [EXEMPT_KEY]: "k8s-pinned-images, k8s-read-only-root-filesystem" }; }),
        }],
    },
    {
        rule: "k8s-pinned-images", type: "kubernetes:apps/v1:Deployment", good: agentDeployment,
        bad: [
            { why: ":latest", props: mutate(agentDeployment, (o) => { container(o).image = "ghcr.io/acme/agent:latest"; }), message: /container "agent" image "ghcr.io\/acme\/agent:latest" uses :latest/ },
            { why: "untagged, registry with port", props: mutate(agentDeployment, (o) => { container(o).image = "registry:5000/agent"; }), message: /image "registry:5000\/agent" has no tag/ },
            { why: "no image", props: mutate(agentDeployment, (o) => { delete container(o).image; }), message: /container "agent" has no image/ },
        ],
        alsoGood: [
            { why: "version tag", props: mutate(agentDeployment, (o) => { container(o).image = "docker.io/vllm/vllm-openai:v0.31.0"; }) },
            { why: "digest unknown in preview", props: mutate(agentDeployment, (o) => { container(o).image = UNKNOWN; }) },
        ],
    },
    {
        rule: "k8s-agent-probes", type: "kubernetes:apps/v1:Deployment", good: agentDeployment,
        bad: [
            { why: "no startup probe", props: mutate(agentDeployment, (o) => { delete container(o).startupProbe; }), message: /Deployment agents\/chat-api: container "agent" has no startupProbe$/ },
            { why: "no probes", props: mutate(agentDeployment, (o) => { for (const p of ["startupProbe", "readinessProbe", "livenessProbe"]) delete container(o)[p]; }), message: /has no startupProbe, readinessProbe, livenessProbe/ },
        ],
        alsoGood: [{ why: "not an agent (no role label)", props: mutate(agentDeployment, (o) => { delete o.spec.template.metadata.labels["agent-platform.io/role"]; delete container(o).startupProbe; }) }],
    },
    {
        rule: "k8s-agent-rollout", type: "kubernetes:apps/v1:Deployment", good: agentDeployment,
        bad: [
            { why: "default 25%", props: mutate(agentDeployment, (o) => { delete o.spec.strategy; }), message: /maxUnavailable must be 0 \(got "25% \(default\)"\)/ },
            { why: "one at a time", props: mutate(agentDeployment, (o) => { o.spec.strategy.rollingUpdate.maxUnavailable = 1; }), message: /maxUnavailable must be 0 \(got 1\)/ },
            { why: "Recreate", props: mutate(agentDeployment, (o) => { o.spec.strategy = { type: "Recreate" }; }), message: /strategy.type must be RollingUpdate \(got "Recreate"\)/ },
        ],
        alsoGood: [{ why: "\"0%\"", props: mutate(agentDeployment, (o) => { o.spec.strategy.rollingUpdate.maxUnavailable = "0%"; }) }],
    },
    {
        rule: "helm-pinned-version", type: "kubernetes:helm.sh/v3:Release", good: release,
        bad: [
            { why: "empty", props: { ...release, version: "" }, message: /Release keda \(chart keda\): version must be an exact chart version/ },
            { why: "missing", props: { ...release, version: undefined }, message: /got null/ },
            { why: "caret range", props: { ...release, version: "^2.21.0" }, message: /got "\^2.21.0"/ },
            { why: "wildcard", props: { ...release, version: "2.x" }, message: /got "2.x"/ },
            { why: "comparison", props: { ...release, version: ">=2.0.0" }, message: /got ">=2.0.0"/ },
        ],
        alsoGood: [{ why: "pre-release", props: { ...release, version: "v1.0.0-rc.1" } }],
    },
];

describe("policy pack: rules", () => {
    it("defines each rule once, with a description that says why and a mandatory enforcement level", () => {
        assert.equal(POLICY_PACK_NAME, "agent-platform");
        assert.equal(new Set(RULES.map((r) => r.name)).size, RULES.length, "unique names");
        for (const rule of RULES) {
            assert.match(rule.name, /^[a-z0-9]+(-[a-z0-9]+)*$/, rule.name);
            assert.ok(rule.description.length > 60 && /:/.test(rule.description), `${rule.name}: description states the reason`);
            assert.equal(rule.enforcementLevel, "mandatory", rule.name);
            assert.ok(rule.resourceTypes.length > 0, rule.name);
        }
        assert.deepEqual(POLICIES.map((p) => [p.name, p.enforcementLevel, p.description]), RULES.map((r) => [r.name, r.enforcementLevel, r.description]));
        assert.ok(POLICIES.every((p) => typeof p.validateResource === "function"));
    });

    it("has a failing and a passing case for every rule", () => {
        assert.deepEqual([...new Set(CASES.map((c) => c.rule))].sort(), RULES.map((r) => r.name).sort());
    });

    it("checks the Pod Identity session tags that components/podIdentity/spec.ts sets", () => {
        assert.deepEqual([...POD_IDENTITY_SESSION_TAGS].sort(), Object.keys(trust.Statement[0].Condition.StringEquals).sort());
    });

    for (const c of CASES) {
        describe(`${c.rule} on ${c.type}`, () => {
            const rule = ruleNamed(c.rule);
            it("passes a compliant resource", () => {
                assert.deepEqual(evaluate(rule, { type: c.type, name: "good", props: c.good }), []);
                for (const g of c.alsoGood ?? []) assert.deepEqual(evaluate(rule, { type: c.type, name: g.name ?? "good", props: g.props }), [], g.why);
            });
            for (const b of c.bad) {
                it(`reports ${b.why}`, () => {
                    const messages = evaluate(rule, { type: c.type, name: b.name ?? "bad", props: b.props });
                    assert.ok(messages.some((m) => b.message.test(m)), `expected ${b.message} in ${JSON.stringify(messages)}`);
                });
            }
        });
    }

    it("ignores resources of other types", () => {
        for (const rule of RULES) assert.deepEqual(evaluate(rule, { type: "aws:s3/bucketPolicy:BucketPolicy", props: { policy: documentWith({ Effect: "Allow", Action: "*", Resource: "*" }) } }), []);
    });

    it("exempts only the rules an annotation or tag names", () => {
        const writable = mutate(agentDeployment, (o) => { container(o).securityContext.readOnlyRootFilesystem = false; container(o).image = "acme/agent:latest"; });
        const annotated = mutate(writable, (o) => { o.metadata.annotations = { [EXEMPT_KEY]: "k8s-read-only-root-filesystem" }; });
        const args = (props: Record<string, unknown>): ResourceArgs => ({ type: "kubernetes:apps/v1:Deployment", props });
        assert.equal(evaluate(ruleNamed("k8s-read-only-root-filesystem"), args(writable)).length, 1);
        assert.deepEqual(evaluate(ruleNamed("k8s-read-only-root-filesystem"), args(annotated)), []);
        assert.equal(evaluate(ruleNamed("k8s-pinned-images"), args(annotated)).length, 1, "other rules still apply");
        const taggedQueue = { name: "events", sqsManagedSseEnabled: true, tags: { [EXEMPT_KEY]: "sqs-redrive" } };
        assert.deepEqual(evaluate(ruleNamed("sqs-redrive"), { type: "aws:sqs/queue:Queue", props: taggedQueue }), []);
        assert.deepEqual(exemptions({ tags: { [EXEMPT_KEY]: "a b,c" } }), ["a", "b", "c"]);
    });

    it("reads the engine's preview properties: an unknown field skips only the checks that need it", () => {
        const props = mutate(agentDeployment, (o) => { container(o).image = UNKNOWN_STRING_WIRE; delete container(o).securityContext.readOnlyRootFilesystem; });
        const plain = plainProps(unknownCheckingProxy(props)) as Record<string, unknown>;
        assert.equal(container(plain).image, UNKNOWN);
        assert.deepEqual(evaluate(ruleNamed("k8s-pinned-images"), { type: "kubernetes:apps/v1:Deployment", props: plain }), []);
        assert.equal(evaluate(ruleNamed("k8s-read-only-root-filesystem"), { type: "kubernetes:apps/v1:Deployment", props: plain }).length, 1);
    });
});
