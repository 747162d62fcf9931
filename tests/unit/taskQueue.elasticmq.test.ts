import * as assert from "node:assert/strict";
import { TaskQueue, TaskQueueArgs } from "../../components/taskQueue";
import { ELASTICMQ_ACCOUNT, ELASTICMQ_PORT, elasticMqConfig, elasticMqLabels } from "../../components/taskQueue/elasticMq";
import { ELASTICMQ_IMAGE } from "../../components/shared/versions";
import { policyViolations } from "../../scripts/review/policy";
import { besidesStack, kubernetesObjects, one, runProgram, RunResult } from "../../testing";
import { parseHocon } from "../support/hocon";
import { validateKubernetesObject } from "../support/kubernetesSchema";

const args: TaskQueueArgs = { name: "jobs", environment: "local", maxJobDurationSeconds: 120, maxReceiveCount: 3, backend: "elasticmq" };

function build(a: TaskQueueArgs): Promise<RunResult> {
    return runProgram(() => {
        const q = new TaskQueue("jobs", a);
        return {
            queueUrl: q.queueUrl, queueArn: q.queueArn, dlqUrl: q.deadLetterQueueUrl, dlqArn: q.deadLetterQueueArn, name: q.queueName,
            endpoint: q.endpoint, credentials: q.credentialsSecretName, alarm: q.deadLetterAlarmName, visibility: q.visibilityTimeoutSeconds,
        };
    });
}

describe("TaskQueue: the elasticmq backend", () => {
    let r: RunResult;
    before(async () => { r = await build(args); });

    it("declares both queues and the redrive in ElasticMQ's configuration file, as Typesafe Config reads it", async () => {
        const text = elasticMqConfig({ queue: "local-jobs", deadLetter: "local-jobs-dlq", visibilityTimeoutSeconds: 180, maxReceiveCount: 3 });
        assert.equal(text.split("\n")[0], 'include classpath("application.conf")', "the image's own defaults stay in");
        const config = await parseHocon(text) as { queues: Record<string, Record<string, unknown>>; aws: unknown; "node-address": { host: string; port: number }; "rest-sqs": Record<string, unknown> };
        assert.deepEqual(Object.keys(config.queues).sort(), ["local-jobs", "local-jobs-dlq"]);
        assert.deepEqual(config.queues["local-jobs"], { defaultVisibilityTimeout: "180 seconds", receiveMessageWait: "20 seconds", deadLettersQueue: { name: "local-jobs-dlq", maxReceiveCount: 3 } });
        assert.deepEqual(config.queues["local-jobs-dlq"], { defaultVisibilityTimeout: "180 seconds", receiveMessageWait: "20 seconds" });
        assert.deepEqual(config.aws, ELASTICMQ_ACCOUNT);
        assert.equal(config["node-address"].host, "*", "queue URLs follow the host clients address");
        assert.equal(config["node-address"].port, ELASTICMQ_PORT);
        assert.equal(config["rest-sqs"]["bind-hostname"], "0.0.0.0");
        await assert.rejects(parseHocon(`${text}\nqueues { "broken" { `), "the parser is not a no-op");
    });

    it("registers no AWS resource and calls no AWS function", () => {
        assert.deepEqual(r.resources.filter((x) => x.type.startsWith("aws:") || x.type === "pulumi:providers:aws").map((x) => x.type), []);
        assert.deepEqual(r.invokes.filter((i) => i.token.startsWith("aws:")), []);
    });

    it("runs one ElasticMQ server per queue: the pinned image by digest, restricted, read-only, probed on /health, with the config mounted", async () => {
        const deployment = one(kubernetesObjects(r.resources, "Deployment"), "kubernetes:apps/v1:Deployment");
        const spec = deployment.inputs.spec;
        assert.equal(deployment.inputs.metadata.name, "elasticmq-jobs");
        assert.equal(deployment.inputs.metadata.namespace, "agents");
        assert.equal(spec.replicas, 1, "queues live in one server's memory");
        assert.equal(spec.strategy.type, "Recreate");
        const container = spec.template.spec.containers[0];
        assert.equal(container.image, ELASTICMQ_IMAGE);
        assert.match(container.image, /^docker\.io\/softwaremill\/elasticmq-native:[\d.]+@sha256:[0-9a-f]{64}$/);
        assert.equal(container.readinessProbe.httpGet.path, "/health");
        assert.deepEqual(container.volumeMounts.find((m: { name: string }) => m.name === "config"), { name: "config", mountPath: "/opt/elasticmq.conf", subPath: "elasticmq.conf", readOnly: true });
        const configMap = one(kubernetesObjects(r.resources, "ConfigMap"), "kubernetes:core/v1:ConfigMap");
        const config = await parseHocon(configMap.inputs.data["elasticmq.conf"]) as { queues: Record<string, { deadLettersQueue?: { name: string; maxReceiveCount: number }; defaultVisibilityTimeout: string }> };
        assert.deepEqual(config.queues["local-jobs"].deadLettersQueue, { name: "local-jobs-dlq", maxReceiveCount: 3 });
        assert.equal(config.queues["local-jobs"].defaultVisibilityTimeout, "180 seconds", "the longest job plus a minute, as on SQS");
        assert.deepEqual(policyViolations(r.resources), [], "the workload rules of the policy pack hold");
        for (const o of kubernetesObjects(r.resources)) await validateKubernetesObject(o.inputs);
    });

    it("lets only its namespace and KEDA's reach it, and nothing out", () => {
        const policy = one(kubernetesObjects(r.resources, "NetworkPolicy"), "kubernetes:networking.k8s.io/v1:NetworkPolicy").inputs.spec;
        assert.deepEqual(policy.podSelector.matchLabels, elasticMqLabels("jobs"));
        assert.deepEqual(policy.ingress[0].from, [{ podSelector: {} }, { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "keda" } } }]);
        assert.deepEqual(policy.ingress[0].ports, [{ protocol: "TCP", port: ELASTICMQ_PORT }]);
        assert.deepEqual(policy.egress, []);
    });

    it("answers with SQS-shaped URLs and ARNs on the in-cluster server, its endpoint and the Secret of the client key", () => {
        const host = "http://elasticmq-jobs.agents.svc.cluster.local:9324";
        assert.deepEqual(r.outputs, {
            queueUrl: `${host}/000000000000/local-jobs`, queueArn: "arn:aws:sqs:us-east-1:000000000000:local-jobs",
            dlqUrl: `${host}/000000000000/local-jobs-dlq`, dlqArn: "arn:aws:sqs:us-east-1:000000000000:local-jobs-dlq",
            name: "local-jobs", endpoint: host, credentials: "elasticmq-jobs-client", visibility: 180, alarm: undefined,
        });
    });

    it("holds the client key only as a secret", () => {
        const secret = one(kubernetesObjects(r.resources, "Secret"), "kubernetes:core/v1:Secret");
        assert.equal(secret.inputs.metadata.name, "elasticmq-jobs-client");
        assert.deepEqual(Object.keys(secret.inputs.stringData).sort(), ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]);
        assert.deepEqual(secret.secretPaths, ["stringData"]);
    });

    it("refuses what only SQS has (KMS, alarm actions) and an unknown backend, registering nothing", async () => {
        const bad = await runProgram(() => new TaskQueue("jobs", { ...args, kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/x", alarmActions: ["arn:aws:sns:us-east-1:123456789012:t"] }), { captureError: true });
        assert.match(String(bad.error?.message), /kmsKeyArn: got .*; allowed: nothing with backend "elasticmq" \(no KMS\)/);
        assert.match(String(bad.error?.message), /alarmActions: got .*; allowed: none with backend "elasticmq"/);
        assert.deepEqual(besidesStack(bad.resources), []);
        const unknown = await runProgram(() => new TaskQueue("jobs", { ...args, backend: "rabbitmq" }), { captureError: true });
        assert.match(String(unknown.error?.message), /backend: got "rabbitmq"; allowed: one of "sqs", "elasticmq"/);
        assert.deepEqual(besidesStack(unknown.resources), []);
    });
});
