import * as assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import { AgentSecrets } from "../../components/secrets";
import { EXTERNAL_SECRETS_READ_ACTIONS, KMS_ADMIN_ACTIONS, KMS_SECRETS_MANAGER_USE_ACTIONS } from "../../components/secrets/spec";
import { json, MOCK_ACCOUNT, ofType, one, runProgram } from "../../testing";
import { assertRealActions, assertRealNarrowActions, defaultKeyPolicy, PolicyDoc, simulate } from "../support/iam";

const REGION = "eu-west-1";
const VIA_SECRETS_MANAGER = { "kms:ViaService": `secretsmanager.${REGION}.amazonaws.com` };

interface Statement { Sid?: string; Effect: string; Action: string | string[]; Resource: string | string[]; Principal?: unknown; Condition?: unknown }
interface Document { Version: string; Statement: Statement[] }

/** The policies as the stack registers them (real JSON from the rendered resources). */
async function renderPolicies() {
    const result = await runProgram(() => {
        const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
        new AgentSecrets("sec", {
            clusterName: "agents-test", environment: "test",
            secrets: [{ name: "llm", keys: ["OPENAI_API_KEY"] }],
            generatedSecrets: [{ name: "redis-auth", key: "password", namespaces: ["agents"] }],
            namespaces: ["agents"],
        }, { providers: { kubernetes: provider } });
    }, { config: { "aws:region": REGION } });
    const key = one(result.resources, "aws:kms/key:Key");
    return {
        esoPolicy: json<Document>(one(result.resources, "aws:iam/rolePolicy:RolePolicy").inputs.policy),
        keyPolicy: json<Document>(key.inputs.policy),
        keyArn: key.state.arn as string,
        esoRoleArn: one(result.resources, "aws:iam/role:Role").state.arn as string,
        secretArns: ofType(result.resources, "aws:secretsmanager/secret:Secret").map((s) => s.state.arn as string),
    };
}

type Policies = Awaited<ReturnType<typeof renderPolicies>>;

/** Decides one request of `principal`, with the key policy as resource policy if given. */
const decide = (principal: string, identityPolicy: PolicyDoc, action: string, resource: string, keyPolicy?: PolicyDoc, context: Record<string, string> = {}) =>
    simulate(identityPolicy, action, resource, { principal, resourcePolicy: keyPolicy, context });

const actionsOf = (doc: Document) => doc.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

describe("AgentSecrets: IAM", () => {
    let p: Policies;
    before(async () => { p = await renderPolicies(); });

    it("uses only actions that exist in the IAM catalogue, none with a wildcard", async () => {
        const actions = [...actionsOf(p.esoPolicy), ...actionsOf(p.keyPolicy), ...KMS_ADMIN_ACTIONS, ...KMS_SECRETS_MANAGER_USE_ACTIONS, ...EXTERNAL_SECRETS_READ_ACTIONS];
        await assertRealActions(actions);
    });

    it("scopes every ESO statement to resources (no Resource \"*\"), and its KMS use to Secrets Manager", async () => {
        for (const s of p.esoPolicy.Statement) assert.ok(![s.Resource].flat().includes("*"), `${s.Sid}: narrowed`);
        // Off "*", every action must support resource-level permissions.
        await assertRealNarrowActions(p.esoPolicy, "ESO policy");
        const decrypt = p.esoPolicy.Statement.find((s) => s.Sid === "DecryptPlatformSecrets")!;
        assert.deepEqual(decrypt.Condition, { StringEquals: VIA_SECRETS_MANAGER });
        // In a key policy, Resource "*" is the key itself: the only form KMS accepts there.
        for (const s of p.keyPolicy.Statement) assert.equal(s.Resource, "*");
    });

    it("lets the ESO role read every platform secret", async () => {
        assert.equal(p.secretArns.length, 2);
        for (const arn of p.secretArns) {
            for (const action of EXTERNAL_SECRETS_READ_ACTIONS) assert.equal(await decide(p.esoRoleArn, p.esoPolicy, action, arn), "Allowed", `${action} ${arn}`);
        }
    });

    it("denies the ESO role any other secret: same prefix, other environment, look-alike names", async () => {
        const secret = (name: string) => `arn:aws:secretsmanager:${REGION}:${MOCK_ACCOUNT}:secret:${name}-AbCdEf`;
        for (const arn of [secret("agent-platform/test/other"), secret("agent-platform/prod/llm"), secret("agent-platform/test/llm2"), secret("llm")]) {
            assert.equal(await decide(p.esoRoleArn, p.esoPolicy, "secretsmanager:GetSecretValue", arn), "ImplicitlyDenied", arn);
        }
    });

    it("denies the ESO role any write, list or policy action on the platform secrets", async () => {
        for (const action of ["PutSecretValue", "UpdateSecret", "DeleteSecret", "RotateSecret", "GetResourcePolicy", "PutResourcePolicy", "TagResource"]) {
            assert.equal(await decide(p.esoRoleArn, p.esoPolicy, `secretsmanager:${action}`, p.secretArns[0]), "ImplicitlyDenied", action);
        }
        for (const action of ["ListSecrets", "BatchGetSecretValue"]) {
            assert.equal(await decide(p.esoRoleArn, p.esoPolicy, `secretsmanager:${action}`, "*"), "ImplicitlyDenied", action);
        }
    });

    it("lets the ESO role decrypt with exactly its key, only through Secrets Manager", async () => {
        assert.equal(await decide(p.esoRoleArn, p.esoPolicy, "kms:Decrypt", p.keyArn, p.keyPolicy, VIA_SECRETS_MANAGER), "Allowed");
        assert.equal(await decide(p.esoRoleArn, p.esoPolicy, "kms:Decrypt", p.keyArn, p.keyPolicy), "ImplicitlyDenied", "not directly");
        assert.equal(await decide(p.esoRoleArn, p.esoPolicy, "kms:Decrypt", p.keyArn, p.keyPolicy, { "kms:ViaService": `s3.${REGION}.amazonaws.com` }), "ImplicitlyDenied", "not through another service");
        const otherKey = `arn:aws:kms:${REGION}:${MOCK_ACCOUNT}:key/00000000-1111-2222-3333-444444444444`;
        // Another key of the account, with the AWS default key policy (the account's IAM policies decide).
        assert.equal(await decide(p.esoRoleArn, p.esoPolicy, "kms:Decrypt", otherKey, defaultKeyPolicy(), VIA_SECRETS_MANAGER), "ImplicitlyDenied", "not another key");
        for (const action of ["kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:CreateGrant", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"]) {
            assert.equal(await decide(p.esoRoleArn, p.esoPolicy, action, p.keyArn, p.keyPolicy, VIA_SECRETS_MANAGER), "ImplicitlyDenied", action);
        }
    });

    it("needs the key policy too: the ESO role's own policy alone does not open the key", async () => {
        const withoutEso: Document = { ...p.keyPolicy, Statement: p.keyPolicy.Statement.filter((s) => s.Sid !== "ExternalSecretsDecryptsThroughSecretsManager" && s.Sid !== "AccountUsesKeyOnlyThroughSecretsManager") };
        assert.equal(await decide(p.esoRoleArn, p.esoPolicy, "kms:Decrypt", p.keyArn, withoutEso, VIA_SECRETS_MANAGER), "ImplicitlyDenied");
    });

    it("lets the account administer the key, and use it only through Secrets Manager", async () => {
        const operator = `arn:aws:iam::${MOCK_ACCOUNT}:role/platform-operator`;
        const broad: Document = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:EnableKeyRotation", "kms:Decrypt", "kms:GenerateDataKey"], Resource: p.keyArn }] };
        for (const action of ["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:EnableKeyRotation"]) {
            assert.equal(await decide(operator, broad, action, p.keyArn, p.keyPolicy), "Allowed", action);
        }
        const callerAccount = { "kms:CallerAccount": MOCK_ACCOUNT };
        assert.equal(await decide(operator, broad, "kms:GenerateDataKey", p.keyArn, p.keyPolicy, { ...VIA_SECRETS_MANAGER, ...callerAccount }), "Allowed", "put-secret-value works");
        assert.equal(await decide(operator, broad, "kms:Decrypt", p.keyArn, p.keyPolicy, callerAccount), "ImplicitlyDenied", "no direct decryption");
        const stranger = "arn:aws:iam::210987654321:role/admin";
        assert.equal(await decide(stranger, broad, "kms:Decrypt", p.keyArn, p.keyPolicy, { ...VIA_SECRETS_MANAGER, "kms:CallerAccount": "210987654321" }), "ImplicitlyDenied", "no other account");
    });
});
