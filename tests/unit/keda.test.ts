import * as assert from "node:assert/strict";
import { Keda } from "../../components/keda";
import { KEDA_NAMESPACE, KEDA_OPERATOR_SERVICE_ACCOUNT, KEDA_STATIC_KEY_AUTHENTICATION, kedaOperatorStatements, kedaValues, ScaledObjectArgs, scaledObjectFor, staticKeyTriggerAuthentication, triggerAuthenticationFor } from "../../components/keda/spec";
import { KEDA_TRIGGER_AUTHENTICATION } from "../../components/keda/args";
import { AGENT_NAMESPACE, systemPodPlacement } from "../../components/shared/placement";
import { policyDocument } from "../../components/podIdentity/spec";
import { KEDA_CHART } from "../../components/shared/versions";
import { besidesStack, json, MOCK_ACCOUNT, one, runProgram, RunResult } from "../../testing";
import { assertRealNarrowActions, simulate } from "../support/iam";
import { validateKubernetesObject } from "../support/kubernetesSchema";

const REGION = "us-west-2";
const arn = (name: string) => `arn:aws:sqs:${REGION}:${MOCK_ACCOUNT}:${name}`;
const QUEUES = [arn("dev-jobs"), arn("dev-local-jobs")];

const worker: ScaledObjectArgs = {
    name: "job-worker", namespace: AGENT_NAMESPACE, deploymentName: "job-worker",
    queueUrl: `https://sqs.${REGION}.amazonaws.com/${MOCK_ACCOUNT}/dev-jobs`, region: REGION,
    messagesPerReplica: 5, minReplicas: 0, maxReplicas: 3,
};

describe("KEDA: pure functions", () => {
    it("lets the operator read queue attributes of the platform's queues and do nothing else", async () => {
        const statements = kedaOperatorStatements(QUEUES);
        const policy = policyDocument(statements);
        await assertRealNarrowActions(policy);
        assert.deepEqual(statements.flatMap((s) => [s.Action].flat()), ["sqs:GetQueueAttributes"]);
        for (const queue of QUEUES) {
            assert.equal(await simulate(policy, "sqs:GetQueueAttributes", queue), "Allowed");
            for (const action of ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:SendMessage", "sqs:PurgeQueue", "sqs:SetQueueAttributes"]) {
                assert.equal(await simulate(policy, action, queue), "ImplicitlyDenied", action);
            }
        }
        assert.equal(await simulate(policy, "sqs:GetQueueAttributes", arn("someone-elses")), "ImplicitlyDenied");
        assert.deepEqual(kedaOperatorStatements([]), []);
    });

    it("places the chart on the system nodes with the operator's service account and no IRSA", () => {
        const values = kedaValues();
        const placement = systemPodPlacement();
        assert.deepEqual(values.nodeSelector, placement.nodeSelector);
        assert.deepEqual(values.tolerations, placement.tolerations);
        assert.deepEqual(values.serviceAccount, { operator: { create: true, name: KEDA_OPERATOR_SERVICE_ACCOUNT } });
        assert.equal(values.podIdentity.aws.irsa.enabled, false);
        assert.equal(values.permissions.operator.restrict.secret, true);
    });

    it("builds a TriggerAuthentication that uses the operator's own identity and validates against the CRD", async () => {
        const auth = triggerAuthenticationFor(AGENT_NAMESPACE);
        assert.deepEqual(auth.spec, { podIdentity: { provider: "aws", identityOwner: "keda" } });
        assert.equal(auth.metadata.namespace, AGENT_NAMESPACE);
        assert.equal(auth.apiVersion, "keda.sh/v1alpha1");
        await validateKubernetesObject(auth);
        await assert.rejects(validateKubernetesObject({ ...auth, spec: { podIdentity: { provider: "aws", identityOwner: "pod" } } }), /identityOwner/);
    });

    it("builds a ScaledObject on queue depth that validates against the CRD", async () => {
        const so = scaledObjectFor(worker);
        await validateKubernetesObject(so);
        assert.equal(so.apiVersion, "keda.sh/v1alpha1");
        assert.deepEqual(so.spec.scaleTargetRef, { apiVersion: "apps/v1", kind: "Deployment", name: "job-worker" });
        assert.equal(so.spec.minReplicaCount, 0);
        assert.equal(so.spec.maxReplicaCount, 3);
        assert.equal(so.spec.cooldownPeriod, 300);
        assert.equal(so.spec.pollingInterval, 15);
        const [trigger] = so.spec.triggers;
        assert.equal(trigger.type, "aws-sqs-queue");
        assert.deepEqual(trigger.authenticationRef, { name: KEDA_TRIGGER_AUTHENTICATION, kind: "TriggerAuthentication" });
        assert.deepEqual(trigger.metadata, {
            queueURL: worker.queueUrl, awsRegion: REGION, queueLength: "5", activationQueueLength: "0", scaleOnInFlight: "true",
        });
    });

    it("scales down slowly and counts jobs in flight, so scale-in does not strand work", async () => {
        const so = scaledObjectFor({ ...worker, cooldownSeconds: 600, pollingIntervalSeconds: 30, activationMessages: 2, scaleDownStabilizationSeconds: 120 });
        await validateKubernetesObject(so);
        const behavior = so.spec.advanced.horizontalPodAutoscalerConfig.behavior;
        assert.equal(behavior.scaleDown.stabilizationWindowSeconds, 120);
        assert.deepEqual(behavior.scaleDown.policies, [{ type: "Pods", value: 1, periodSeconds: 60 }]);
        assert.equal(behavior.scaleDown.selectPolicy, "Min");
        assert.equal(so.spec.cooldownPeriod, 600);
        assert.equal(so.spec.pollingInterval, 30);
        assert.equal(so.spec.triggers[0].metadata.activationQueueLength, "2");
        assert.equal(so.spec.triggers[0].metadata.scaleOnInFlight, "true");
    });

    it("rejects impossible scaling arguments, naming them", () => {
        assert.throws(() => scaledObjectFor({ ...worker, minReplicas: 5, maxReplicas: 3 }), /minReplicas: got 5; allowed: at most maxReplicas \(3\)/);
        assert.throws(() => scaledObjectFor({ ...worker, messagesPerReplica: 0 }), /messagesPerReplica: got 0/);
        assert.throws(() => scaledObjectFor({ ...worker, namespace: "Agents" }), /namespace: got "Agents"/);
    });
});

describe("KEDA: registered resources", () => {
    let run: RunResult;
    before(async () => {
        run = await runProgram(() => {
            const keda = new Keda("keda", { clusterName: "agents-dev", queueArns: QUEUES, tags: { team: "agents" } });
            return { role: keda.operatorRoleArn, auth: keda.triggerAuthenticationName, ns: keda.namespace };
        }, { config: { "aws:region": REGION } });
    });

    it("installs the pinned chart into a restricted namespace on the system nodes", () => {
        const ns = one(run.resources, "kubernetes:core/v1:Namespace");
        assert.equal(ns.inputs.metadata.name, KEDA_NAMESPACE);
        assert.equal(ns.inputs.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
        const release = one(run.resources, "kubernetes:helm.sh/v3:Release");
        assert.equal(release.inputs.chart, "keda");
        assert.equal(release.inputs.version, KEDA_CHART.version);
        assert.match(release.inputs.version, /^\d+\.\d+\.\d+$/);
        assert.equal(release.inputs.repositoryOpts.repo, "https://kedacore.github.io/charts");
        assert.equal(release.inputs.namespace, KEDA_NAMESPACE);
        assert.deepEqual(release.inputs.values, kedaValues());
    });

    it("gives the operator a Pod Identity role that can only read the platform's queue depths", () => {
        const association = one(run.resources, "aws:eks/podIdentityAssociation:PodIdentityAssociation");
        assert.equal(association.inputs.namespace, KEDA_NAMESPACE);
        assert.equal(association.inputs.serviceAccount, KEDA_OPERATOR_SERVICE_ACCOUNT);
        assert.equal(association.inputs.clusterName, "agents-dev");
        const policy = one(run.resources, "aws:iam/rolePolicy:RolePolicy");
        assert.deepEqual(json(policy.inputs.policy), policyDocument(kedaOperatorStatements(QUEUES)));
        const role = one(run.resources, "aws:iam/role:Role");
        assert.deepEqual(json(role.inputs.assumeRolePolicy).Statement[0].Principal, { Service: "pods.eks.amazonaws.com" });
    });

    it("starts the operator only after its Pod Identity association exists", () => {
        const release = one(run.resources, "kubernetes:helm.sh/v3:Release");
        const association = one(run.resources, "aws:eks/podIdentityAssociation:PodIdentityAssociation");
        assert.ok(release.dependencies.includes(association.urn), `release depends on ${association.urn}: ${release.dependencies.join(", ")}`);
    });

    it("creates the TriggerAuthentication in the agents' namespace after the CRDs", async () => {
        const auth = one(run.resources, "kubernetes:keda.sh/v1alpha1:TriggerAuthentication");
        assert.equal(auth.inputs.metadata.namespace, AGENT_NAMESPACE);
        assert.equal(auth.inputs.metadata.name, KEDA_TRIGGER_AUTHENTICATION);
        await validateKubernetesObject(auth.inputs);
        const release = one(run.resources, "kubernetes:helm.sh/v3:Release");
        assert.ok(auth.dependencies.includes(release.urn));
        assert.equal(run.outputs.auth, KEDA_TRIGGER_AUTHENTICATION);
    });

    it("registers nothing with a bad workload namespace", async () => {
        const r = await runProgram(() => new Keda("keda", { clusterName: "c", workloadNamespaces: ["agents", "agents"] }), { captureError: true });
        assert.match(String(r.error?.message), /invalid Keda arguments: workloadNamespaces: got \["agents","agents"\]; allowed: distinct namespaces/);
        assert.deepEqual(besidesStack(r.resources), []);
    });
});

describe("KEDA: static-key authentication (an SQS-compatible server in the cluster)", () => {
    let run: RunResult;
    before(async () => {
        run = await runProgram(() => {
            const keda = new Keda("keda", { authentication: "static-key", onSystemNodes: false });
            return { role: keda.operatorRoleArn, auth: keda.triggerAuthenticationName, kind: keda.triggerAuthenticationKind };
        });
    });

    it("registers no AWS resource, calls no AWS function and leaves the operator's placement to the scheduler", () => {
        assert.deepEqual(run.resources.filter((r) => r.type.startsWith("aws:")).map((r) => r.type), []);
        assert.deepEqual(run.invokes.filter((i) => i.token.startsWith("aws:")), []);
        const values = one(run.resources, "kubernetes:helm.sh/v3:Release").inputs.values;
        assert.deepEqual(values, kedaValues(false));
        assert.equal(values.nodeSelector, undefined);
        assert.equal(values.tolerations, undefined);
        assert.equal(values.permissions.operator.restrict.secret, true, "still barred from Secrets outside its namespace");
    });

    it("hands the scaler a generated key through a ClusterTriggerAuthentication reading a Secret in KEDA's own namespace", async () => {
        const secret = one(run.resources, "kubernetes:core/v1:Secret");
        assert.equal(secret.inputs.metadata.namespace, KEDA_NAMESPACE);
        assert.equal(secret.inputs.metadata.name, KEDA_STATIC_KEY_AUTHENTICATION);
        assert.deepEqual(Object.keys(secret.inputs.stringData).sort(), ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]);
        assert.deepEqual(secret.secretPaths, ["stringData"]);
        const auth = one(run.resources, "kubernetes:keda.sh/v1alpha1:ClusterTriggerAuthentication");
        assert.deepEqual(auth.inputs, staticKeyTriggerAuthentication());
        assert.deepEqual(auth.inputs.spec.secretTargetRef.map((r: { parameter: string }) => r.parameter), ["awsAccessKeyID", "awsSecretAccessKey"]);
        await validateKubernetesObject(auth.inputs);
        assert.ok(auth.dependencies.includes(secret.urn) && auth.dependencies.includes(one(run.resources, "kubernetes:helm.sh/v3:Release").urn));
        assert.equal(run.resources.filter((r) => r.type === "kubernetes:keda.sh/v1alpha1:TriggerAuthentication").length, 0);
        assert.deepEqual(run.outputs, { auth: KEDA_STATIC_KEY_AUTHENTICATION, kind: "ClusterTriggerAuthentication", role: undefined });
    });

    it("points a ScaledObject at the endpoint with the cluster-wide authentication, valid against the CRD", async () => {
        const so = scaledObjectFor({ ...worker, awsEndpoint: "http://elasticmq-jobs.agents.svc.cluster.local:9324", triggerAuthenticationName: KEDA_STATIC_KEY_AUTHENTICATION, triggerAuthenticationKind: "ClusterTriggerAuthentication" });
        await validateKubernetesObject(so);
        assert.deepEqual(so.spec.triggers[0].authenticationRef, { name: KEDA_STATIC_KEY_AUTHENTICATION, kind: "ClusterTriggerAuthentication" });
        assert.equal(so.spec.triggers[0].metadata.awsEndpoint, "http://elasticmq-jobs.agents.svc.cluster.local:9324");
        assert.throws(() => scaledObjectFor({ ...worker, triggerAuthenticationKind: "Secret" }), /triggerAuthenticationKind: got "Secret"; allowed: one of "TriggerAuthentication", "ClusterTriggerAuthentication"/);
    });

    it("needs the cluster name for Pod Identity only, and says so", async () => {
        const r = await runProgram(() => new Keda("keda", {}), { captureError: true });
        assert.match(String(r.error?.message), /clusterName: got nothing; allowed: the EKS cluster name \(required with authentication "pod-identity"\)/);
        assert.deepEqual(besidesStack(r.resources), []);
    });
});
