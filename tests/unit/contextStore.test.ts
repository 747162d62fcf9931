import * as assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ContextStoreMode } from "../../components/shared/constants";
import { AUTH_TOKEN_PATTERN, contextStoreUrl, replicationGroupId, replicationSettings, valkeyParameters } from "../../components/contextStore/spec";
import { ContextStore, ContextStoreArgs, parseContextStoreArgs } from "../../components/contextStore";
import { CONTEXT_CACHE_RESOURCES, IN_CLUSTER_SERVICE_NAME, inClusterValkeyLabels, VALKEY_RUN_DIR, valkeyEntrypoint, valkeyNetworkPolicy, valkeyServerArgs, valkeyServices, valkeyStatefulSet } from "../../components/contextStore/inClusterValkey";
import { AGENT_NAMESPACE } from "../../components/shared/placement";
import { RESOURCE_PROFILES } from "../../components/shared/profiles";
import { ELASTICACHE_VALKEY, VALKEY_IMAGE } from "../../components/shared/versions";
import { besidesStack, kubernetesObjects, ofType, one, runProgram, RunResult } from "../../testing";
import { validateKubernetesObject } from "../support/kubernetesSchema";

const TOKEN = "Tok3n-For-Tests-0123456789abcdef";
const CLUSTER_SG = "sg-0123456789abcdef0";

const elasticacheArgs: ContextStoreArgs = {
    environment: "prod",
    vpcId: "vpc-0123456789abcdef0",
    subnetIds: ["subnet-a", "subnet-b", "subnet-c"],
    allowedSecurityGroupIds: [CLUSTER_SG],
    nodeType: "cache.r7g.large",
    replicas: 2,
    multiAz: true,
    snapshotRetentionDays: 7,
    maintenanceWindow: "sun:06:00-sun:07:00",
    sessionTtlSeconds: 86400,
    tags: { team: "agents" },
};

function build(args: ContextStoreArgs, token: string | undefined = TOKEN): Promise<RunResult> {
    return runProgram(() => {
        const store = new ContextStore("context", { ...args, authToken: token === undefined ? undefined : pulumi.secret(token) });
        return {
            host: store.host, port: store.port, tls: store.tls, url: store.url, secretName: store.passwordSecretName,
            secretKey: store.passwordSecretKey, ttl: store.sessionTtlSeconds, mode: store.mode,
        };
    });
}

describe("ContextStore: pure functions", () => {
    it("builds URLs without credentials, rediss:// with TLS", () => {
        assert.equal(contextStoreUrl("master.x.cache.amazonaws.com", 6379, true), "rediss://master.x.cache.amazonaws.com:6379");
        assert.equal(contextStoreUrl("context-store.agents.svc.cluster.local", 6379, false), "redis://context-store.agents.svc.cluster.local:6379");
    });

    it("names the replication group within the ElastiCache limit", () => {
        assert.equal(replicationGroupId("prod"), "agents-prod-context");
        assert.ok(replicationGroupId("a-twenty-one-chars-xx").length <= 40);
    });

    it("turns on failover with a replica, multi-AZ when asked, snapshots only with retention", () => {
        assert.deepEqual(replicationSettings({ replicas: 2, multiAz: true, snapshotRetentionDays: 7, snapshotWindow: "03:00-04:00", maintenanceWindow: "sun:06:00-sun:07:00" }), {
            numCacheClusters: 3, automaticFailoverEnabled: true, multiAzEnabled: true, snapshotRetentionLimit: 7, snapshotWindow: "03:00-04:00", maintenanceWindow: "sun:06:00-sun:07:00",
        });
        assert.deepEqual(replicationSettings({ replicas: 0, multiAz: false, snapshotRetentionDays: 0, snapshotWindow: "03:00-04:00", maintenanceWindow: "sun:05:00-sun:06:00" }), {
            numCacheClusters: 1, automaticFailoverEnabled: false, multiAzEnabled: false, snapshotRetentionLimit: 0, maintenanceWindow: "sun:05:00-sun:06:00",
        });
    });

    it("evicts the least recently used keys that carry a TTL", () => {
        assert.deepEqual(valkeyParameters("volatile-lru"), [{ name: "maxmemory-policy", value: "volatile-lru" }]);
    });

    it("accepts only AUTH tokens ElastiCache accepts", () => {
        assert.ok(AUTH_TOKEN_PATTERN.test(TOKEN));
        assert.ok(!AUTH_TOKEN_PATTERN.test("short"));
        assert.ok(!AUTH_TOKEN_PATTERN.test("has/slash-and-is-long-enough"));
        assert.ok(!AUTH_TOKEN_PATTERN.test("has@at-and-is-long-enough-x"));
    });

    it("rejects bad arguments, naming them, and never echoes the token", () => {
        assert.throws(() => parseContextStoreArgs({ environment: "dev", mode: "redis" }), /mode: got "redis"; allowed: one of "elasticache", "in-cluster"/);
        assert.throws(() => parseContextStoreArgs({ environment: "dev" }), /vpcId: got nothing.*subnetIds.*allowedSecurityGroupIds.*authToken/);
        assert.throws(() => parseContextStoreArgs({ ...elasticacheArgs, authToken: TOKEN, replicas: 0 }), /replicas: got 0; allowed: at least 1 when multiAz is true/);
        assert.throws(() => parseContextStoreArgs({ ...elasticacheArgs, authToken: TOKEN, maintenanceWindow: "sunday 5am" }), /maintenanceWindow/);
        assert.throws(() => parseContextStoreArgs({ ...elasticacheArgs, authToken: TOKEN, maxmemoryPolicy: "lru" }), /maxmemoryPolicy: got "lru"/);
        const bad = "bad/token@with-forbidden-chars";
        assert.throws(() => parseContextStoreArgs({ ...elasticacheArgs, authToken: bad }), (err: Error) => /authToken: got "\[30 characters\]"/.test(err.message) && !err.message.includes(bad));
        assert.throws(() => parseContextStoreArgs({ ...elasticacheArgs, authToken: TOKEN, environment: "dev-" }), /environment: got "dev-"; allowed: a name that makes a valid replication group id \(agents-dev--context/);
        assert.doesNotThrow(() => parseContextStoreArgs({ environment: "dev", mode: ContextStoreMode.InCluster }));
    });
});

describe("ContextStore: ElastiCache", () => {
    let run: RunResult;
    before(async () => {
        run = await build(elasticacheArgs);
    });

    it("runs Valkey with TLS in transit, KMS at rest and the AUTH token held as a secret", () => {
        const group = one(run.resources, "aws:elasticache/replicationGroup:ReplicationGroup");
        assert.equal(group.inputs.engine, "valkey");
        assert.equal(group.inputs.engineVersion, ELASTICACHE_VALKEY.engineVersion);
        assert.equal(group.inputs.transitEncryptionEnabled, true);
        assert.equal(group.inputs.transitEncryptionMode, "required");
        assert.equal(group.inputs.atRestEncryptionEnabled, true);
        const key = one(run.resources, "aws:kms/key:Key");
        assert.equal(key.inputs.enableKeyRotation, true);
        assert.equal(group.inputs.kmsKeyId, key.state.arn);
        assert.equal(group.inputs.authToken, TOKEN);
        assert.ok(group.secretPaths.includes("authToken"), `authToken is sent as a secret (${group.secretPaths.join(", ")})`);
        for (const r of run.resources) {
            const leaked = JSON.stringify(r.inputs).includes(TOKEN) && !(r === group && r.secretPaths.includes("authToken"));
            assert.ok(!leaked, `${r.type} ${r.name} does not hold the token in plaintext`);
        }
    });

    it("fails over across AZs with snapshots and a maintenance window (prod settings)", () => {
        const group = one(run.resources, "aws:elasticache/replicationGroup:ReplicationGroup");
        assert.equal(group.inputs.numCacheClusters, 3);
        assert.equal(group.inputs.automaticFailoverEnabled, true);
        assert.equal(group.inputs.multiAzEnabled, true);
        assert.equal(group.inputs.snapshotRetentionLimit, 7);
        assert.equal(group.inputs.maintenanceWindow, "sun:06:00-sun:07:00");
        assert.equal(group.inputs.nodeType, "cache.r7g.large");
        assert.equal(group.inputs.replicationGroupId, "agents-prod-context");
    });

    it("admits 6379 only from the cluster security group", () => {
        const sg = one(run.resources, "aws:ec2/securityGroup:SecurityGroup");
        assert.equal(sg.inputs.vpcId, elasticacheArgs.vpcId);
        assert.equal(sg.inputs.ingress, undefined, "no inline rules");
        const rules = ofType(run.resources, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
        assert.equal(rules.length, 1);
        assert.equal(rules[0].inputs.securityGroupId, sg.state.id);
        assert.equal(rules[0].inputs.referencedSecurityGroupId, CLUSTER_SG);
        assert.equal(rules[0].inputs.cidrIpv4, undefined);
        assert.deepEqual([rules[0].inputs.ipProtocol, rules[0].inputs.fromPort, rules[0].inputs.toPort], ["tcp", 6379, 6379]);
        const group = one(run.resources, "aws:elasticache/replicationGroup:ReplicationGroup");
        assert.deepEqual(group.inputs.securityGroupIds, [sg.state.id]);
    });

    it("uses the private subnets and a parameter group with TTL-aware eviction", () => {
        const subnets = one(run.resources, "aws:elasticache/subnetGroup:SubnetGroup");
        assert.deepEqual(subnets.inputs.subnetIds, elasticacheArgs.subnetIds);
        const params = one(run.resources, "aws:elasticache/parameterGroup:ParameterGroup");
        assert.equal(params.inputs.family, ELASTICACHE_VALKEY.parameterGroupFamily);
        assert.deepEqual(params.inputs.parameters, [{ name: "maxmemory-policy", value: "volatile-lru" }]);
        const group = one(run.resources, "aws:elasticache/replicationGroup:ReplicationGroup");
        assert.equal(group.inputs.parameterGroupName, params.inputs.name);
        assert.equal(group.inputs.subnetGroupName, subnets.inputs.name);
    });

    it("delivers the slow log and the engine log to CloudWatch Logs with a retention", () => {
        const group = one(run.resources, "aws:elasticache/replicationGroup:ReplicationGroup");
        const logGroups = ofType(run.resources, "aws:cloudwatch/logGroup:LogGroup");
        assert.deepEqual(logGroups.map((l) => l.inputs.name).sort(), ["/aws/elasticache/agents-prod-context/engine-log", "/aws/elasticache/agents-prod-context/slow-log"]);
        for (const l of logGroups) assert.equal(l.inputs.retentionInDays, 30);
        assert.deepEqual(group.inputs.logDeliveryConfigurations.map((c: Record<string, string>) => [c.logType, c.destinationType, c.logFormat, c.destination]).sort(), [
            ["engine-log", "cloudwatch-logs", "json", "/aws/elasticache/agents-prod-context/engine-log"],
            ["slow-log", "cloudwatch-logs", "json", "/aws/elasticache/agents-prod-context/slow-log"],
        ]);
        assert.throws(() => parseContextStoreArgs({ ...elasticacheArgs, authToken: TOKEN, logRetentionDays: 45 }), /logRetentionDays: got 45; allowed: a CloudWatch Logs retention period: 1, 3/);
    });

    it("exposes the endpoint agents consume: TLS host, port, Secret reference, TTL", () => {
        const group = one(run.resources, "aws:elasticache/replicationGroup:ReplicationGroup");
        assert.equal(run.outputs.host, group.state.primaryEndpointAddress);
        assert.equal(run.outputs.url, `rediss://${group.state.primaryEndpointAddress}:6379`);
        assert.equal(run.outputs.tls, true);
        assert.equal(run.outputs.port, 6379);
        assert.equal(run.outputs.secretName, "redis-auth");
        assert.equal(run.outputs.secretKey, "password");
        assert.equal(run.outputs.ttl, 86400);
    });

    it("uses a given KMS key instead of creating one", async () => {
        const keyArn = "arn:aws:kms:us-west-2:123456789012:key/11111111-2222-3333-4444-555555555555";
        const r = await build({ ...elasticacheArgs, kmsKeyArn: keyArn });
        assert.equal(ofType(r.resources, "aws:kms/key:Key").length, 0);
        assert.equal(one(r.resources, "aws:elasticache/replicationGroup:ReplicationGroup").inputs.kmsKeyId, keyArn);
    });

    it("registers nothing without the AUTH token", async () => {
        const r = await runProgram(() => new ContextStore("context", { ...elasticacheArgs }), { captureError: true });
        assert.match(String(r.error?.message), /invalid ContextStore arguments: authToken: got nothing/);
        assert.deepEqual(besidesStack(r.resources), []);
    });
});

describe("ContextStore: in-cluster Valkey", () => {
    let run: RunResult;
    const opts = { namespace: AGENT_NAMESPACE, passwordSecretName: "redis-auth", passwordSecretKey: "password", storageGiB: 4, maxmemoryPolicy: "volatile-lru" };
    before(async () => {
        run = await build({ environment: "dev", mode: ContextStoreMode.InCluster, storageGiB: 4, sessionTtlSeconds: 3600 }, undefined);
    });

    it("builds Kubernetes objects that validate against the Kubernetes schema", async () => {
        await validateKubernetesObject(valkeyStatefulSet(opts));
        for (const svc of valkeyServices(AGENT_NAMESPACE)) await validateKubernetesObject(svc);
        await validateKubernetesObject(valkeyNetworkPolicy(AGENT_NAMESPACE));
        const sts = valkeyStatefulSet(opts);
        assert.equal((sts.spec as { template: { metadata: { annotations: Record<string, string> } } }).template.metadata.annotations["karpenter.sh/do-not-disrupt"], "true", "a single replica Karpenter must not move");
        await assert.rejects(validateKubernetesObject({ ...sts, spec: { ...sts.spec, replicas: "one" } }), /replicas/, "the validator does reject a bad object");
        for (const r of kubernetesObjects(run.resources)) {
            const kind = r.type.split(":").pop()!;
            await validateKubernetesObject({ apiVersion: r.type.split(":")[1].replace(/^core\//, ""), kind, ...r.inputs });
        }
    });

    it("runs the pinned official image with the context-cache profile and restricted security", () => {
        const sts = one(run.resources, "kubernetes:apps/v1:StatefulSet");
        const pod = sts.inputs.spec.template.spec;
        const [container] = pod.containers;
        assert.equal(container.image, VALKEY_IMAGE);
        assert.match(container.image, /^docker\.io\/valkey\/valkey:\d+\.\d+\.\d+-alpine$/);
        assert.deepEqual(container.resources, RESOURCE_PROFILES["context-cache"]);
        assert.equal(CONTEXT_CACHE_RESOURCES.profile, "context-cache");
        assert.equal(pod.securityContext.runAsNonRoot, true);
        assert.equal(pod.securityContext.seccompProfile.type, "RuntimeDefault");
        assert.equal(pod.automountServiceAccountToken, false);
        assert.deepEqual(container.securityContext, {
            allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" },
        });
        assert.equal(sts.inputs.spec.replicas, 1);
        assert.equal(sts.inputs.metadata.namespace, AGENT_NAMESPACE);
    });

    it("takes the password from the ESO-managed Secret, never from the spec or the command line", () => {
        const sts = one(run.resources, "kubernetes:apps/v1:StatefulSet");
        const [container] = sts.inputs.spec.template.spec.containers;
        assert.deepEqual(container.env, [{ name: "VALKEY_PASSWORD", valueFrom: { secretKeyRef: { name: "redis-auth", key: "password" } } }]);
        assert.deepEqual(container.command, valkeyEntrypoint());
        assert.ok(!container.args.some((a: string) => /requirepass|VALKEY_PASSWORD/.test(a)));
        assert.ok(valkeyServerArgs(opts).includes("volatile-lru"));
        const run_ = sts.inputs.spec.template.spec.volumes.find((v: { name: string }) => v.name === "run");
        assert.deepEqual(run_.emptyDir, { medium: "Memory", sizeLimit: "1Mi" }, "the generated config never touches a disk");
    });

    it("entrypoint, run for real (redis-server standing in for valkey-server): auth works with a hostile password, which stays off the command line", async function () {
        this.timeout(30_000);
        const redis = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" }).stdout.trim();
        assert.ok(redis, "redis-server must be on PATH for this test (apt-get install redis-server)");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "valkey-entry-"));
        fs.symlinkSync(redis, path.join(dir, "valkey-server"));
        const port = 20000 + (process.pid % 20000);
        const password = `p@ss "quoted" \\back $(not-run) ${"x".repeat(8)}`;
        const [shell, flag, script, name] = valkeyEntrypoint();
        const server = spawn(shell, [flag, script.replaceAll(VALKEY_RUN_DIR, dir), name, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--dir", dir], {
            env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, VALKEY_PASSWORD: password }, stdio: "ignore",
        });
        try {
            const cli = (...args: string[]) => spawnSync("redis-cli", ["-p", String(port), "--no-auth-warning", ...args], { encoding: "utf8", timeout: 5000 }).stdout.trim();
            let pong = "";
            for (let i = 0; i < 50 && pong !== "PONG"; i++) {
                await new Promise((r) => setTimeout(r, 100));
                pong = cli("-a", password, "ping");
            }
            assert.equal(pong, "PONG", "the password authenticates");
            assert.match(cli("ping"), /NOAUTH/, "no password, no access");
            const cmdline = fs.readFileSync(`/proc/${server.pid}/cmdline`, "utf8");
            assert.ok(!cmdline.includes("quoted"), `the password is not on the command line: ${cmdline}`);
            assert.equal((fs.statSync(path.join(dir, "auth.conf")).mode & 0o777).toString(8), "600");
        } finally {
            server.kill("SIGTERM");
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("keeps data on a PersistentVolumeClaim of the configured size", () => {
        const sts = one(run.resources, "kubernetes:apps/v1:StatefulSet");
        const [claim] = sts.inputs.spec.volumeClaimTemplates;
        assert.equal(claim.spec.resources.requests.storage, "4Gi");
        assert.deepEqual(claim.spec.accessModes, ["ReadWriteOnce"]);
        assert.deepEqual(sts.inputs.spec.template.spec.containers[0].volumeMounts, [{ name: "data", mountPath: "/data" }, { name: "run", mountPath: VALKEY_RUN_DIR }]);
    });

    it("admits only pods of its namespace on 6379 and allows no egress", () => {
        const np = one(run.resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy");
        assert.deepEqual(np.inputs.spec.podSelector, { matchLabels: inClusterValkeyLabels() });
        assert.deepEqual(np.inputs.spec.policyTypes, ["Ingress", "Egress"]);
        assert.deepEqual(np.inputs.spec.ingress, [{ from: [{ podSelector: {} }], ports: [{ protocol: "TCP", port: 6379 }] }]);
        assert.deepEqual(np.inputs.spec.egress, []);
    });

    it("exposes a Service and the same outputs as ElastiCache, without TLS, and creates no AWS resource", () => {
        const services = ofType(run.resources, "kubernetes:core/v1:Service");
        assert.deepEqual(services.map((s) => s.inputs.metadata.name).sort(), [IN_CLUSTER_SERVICE_NAME, `${IN_CLUSTER_SERVICE_NAME}-headless`]);
        assert.equal(run.outputs.host, `context-store.${AGENT_NAMESPACE}.svc.cluster.local`);
        assert.equal(run.outputs.url, `redis://context-store.${AGENT_NAMESPACE}.svc.cluster.local:6379`);
        assert.equal(run.outputs.tls, false);
        assert.equal(run.outputs.ttl, 3600);
        assert.equal(run.outputs.mode, "in-cluster");
        assert.deepEqual(run.resources.filter((r) => r.type.startsWith("aws:")).map((r) => r.type), []);
    });
});
