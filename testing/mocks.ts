import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

/**
 * Pulumi mocks that answer like AWS, Kubernetes and Docker would: ARNs, ids, URLs, endpoints and
 * digests in their real formats, derived deterministically from the resource's type and name so two
 * runs (and two commits) render identically. Every value the mocks invent is remembered, so a render
 * can tell computed placeholders from values the program chose.
 */

export const MOCK_ACCOUNT = "123456789012";
export const MOCK_PARTITION = "aws";

/** Deterministic hex of `length` characters from a seed. */
export function hexOf(seed: string, length: number): string {
    let out = "";
    for (let i = 0; out.length < length; i++) out += createHash("sha256").update(`${seed}#${i}`).digest("hex");
    return out.slice(0, length);
}

function physicalName(args: pulumi.runtime.MockResourceArgs, maxLength = 63): string {
    const given = args.inputs.name ?? args.inputs.bucket ?? args.inputs.replicationGroupId ?? args.inputs.clusterName;
    if (typeof given === "string" && given.length > 0) return given;
    return `${args.name}-${hexOf(args.type + args.name, 7)}`.slice(0, maxLength);
}

/** Outputs a provider would compute for a resource; `computed` collects the invented strings. */
export function mockOutputs(args: pulumi.runtime.MockResourceArgs, region: string): { id: string; state: Record<string, unknown> } {
    const seed = `${args.type}::${args.name}`;
    const hex = (n: number) => hexOf(seed, n);
    const acct = MOCK_ACCOUNT;
    const arn = (service: string, resource: string, withRegion = true) => `arn:${MOCK_PARTITION}:${service}:${withRegion ? region : ""}:${acct}:${resource}`;
    const name = physicalName(args);
    const inputs = args.inputs;
    const ec2 = (prefix: string, kind: string) => {
        const id = `${prefix}-${hex(17)}`;
        return { id, state: { arn: arn("ec2", `${kind}/${id}`), ownerId: acct } };
    };
    switch (args.type) {
        case "aws:ec2/vpc:Vpc": return ec2("vpc", "vpc");
        case "aws:ec2/subnet:Subnet": return ec2("subnet", "subnet");
        case "aws:ec2/internetGateway:InternetGateway": return ec2("igw", "internet-gateway");
        case "aws:ec2/routeTable:RouteTable": return ec2("rtb", "route-table");
        case "aws:ec2/routeTableAssociation:RouteTableAssociation": return { id: `rtbassoc-${hex(17)}`, state: {} };
        case "aws:ec2/natGateway:NatGateway": return { id: `nat-${hex(17)}`, state: { publicIp: `198.51.100.${parseInt(hex(2), 16) % 250}` } };
        case "aws:ec2/eip:Eip": return { id: `eipalloc-${hex(17)}`, state: { publicIp: `198.51.100.${parseInt(hex(2), 16) % 250}`, allocationId: `eipalloc-${hex(17)}` } };
        case "aws:ec2/securityGroup:SecurityGroup": return ec2("sg", "security-group");
        case "aws:ec2/vpcEndpoint:VpcEndpoint": return ec2("vpce", "vpc-endpoint");
        case "aws:ec2/launchTemplate:LaunchTemplate": return { ...ec2("lt", "launch-template"), state: { latestVersion: 1, arn: arn("ec2", `launch-template/lt-${hex(17)}`) } };
        case "aws:ec2/flowLog:FlowLog": return ec2("fl", "vpc-flow-log");
        case "aws:iam/role:Role": return { id: name, state: { name, arn: arn("iam", `role/${name}`, false), uniqueId: `AROA${hex(17).toUpperCase()}` } };
        case "aws:iam/policy:Policy": return { id: arn("iam", `policy/${name}`, false), state: { name, arn: arn("iam", `policy/${name}`, false), policyId: `ANPA${hex(17).toUpperCase()}` } };
        case "aws:iam/instanceProfile:InstanceProfile": return { id: name, state: { name, arn: arn("iam", `instance-profile/${name}`, false) } };
        case "aws:kms/key:Key": {
            const keyId = [hex(8), hex(12).slice(0, 4), hex(16).slice(12, 16), hex(20).slice(16, 20), hex(32).slice(20, 32)].join("-");
            return { id: keyId, state: { keyId, arn: arn("kms", `key/${keyId}`) } };
        }
        case "aws:kms/alias:Alias": return { id: inputs.name, state: { arn: arn("kms", String(inputs.name)) } };
        case "aws:cloudwatch/logGroup:LogGroup": return { id: name, state: { name, arn: arn("logs", `log-group:${name}`) } };
        case "aws:cloudwatch/metricAlarm:MetricAlarm": return { id: name, state: { name, arn: arn("cloudwatch", `alarm:${name}`) } };
        case "aws:cloudwatch/eventRule:EventRule": return { id: name, state: { name, arn: arn("events", `rule/${name}`) } };
        case "aws:eks/cluster:Cluster": {
            const endpointHost = `${hex(32).toUpperCase()}.gr7.${region}.eks.amazonaws.com`;
            return {
                id: name,
                state: {
                    // Only what EKS computes: echoing inputs (name, CIDRs) would mark program-chosen values as placeholders.
                    ...(inputs.name ? {} : { name }), arn: arn("eks", `cluster/${name}`), endpoint: `https://${endpointHost}`,
                    certificateAuthority: { data: Buffer.from(`-----BEGIN CERTIFICATE-----\nMOCK${hex(40)}\n-----END CERTIFICATE-----\n`).toString("base64") },
                    vpcConfig: { clusterSecurityGroupId: `sg-${hex(17)}`, vpcId: `vpc-${hex(17)}` },
                    identities: [{ oidcs: [{ issuer: `https://oidc.eks.${region}.amazonaws.com/id/${hex(32).toUpperCase()}` }] }],
                    status: "ACTIVE", platformVersion: "eks.3",
                },
            };
        }
        case "aws:eks/addon:Addon": return {
            id: `${inputs.clusterName}:${inputs.addonName}`,
            state: { arn: arn("eks", `addon/${inputs.clusterName}/${inputs.addonName}/${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`), createdAt: "2026-01-01T00:00:00Z" },
        };
        case "aws:eks/accessEntry:AccessEntry": return {
            id: `${inputs.clusterName}:${inputs.principalArn}`,
            state: { accessEntryArn: arn("eks", `access-entry/${inputs.clusterName}/role/${acct}/${String(inputs.principalArn).split("/").pop()}/${hex(8)}`), userName: inputs.type === "EC2_LINUX" ? "system:node:{{EC2PrivateDNSName}}" : String(inputs.principalArn) },
        };
        case "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": return { id: `${inputs.clusterName}#${inputs.principalArn}#${inputs.policyArn}`, state: { associatedAt: "2026-01-01T00:00:00Z" } };
        case "aws:eks/podIdentityAssociation:PodIdentityAssociation": {
            const associationId = `a-${hex(17)}`;
            return { id: `${inputs.clusterName},${associationId}`, state: { associationId, associationArn: arn("eks", `podidentityassociation/${inputs.clusterName}/${associationId}`) } };
        }
        case "aws:cloudwatch/eventTarget:EventTarget": return { id: `${inputs.rule}-${inputs.targetId}`, state: {} };
        case "aws:sqs/queuePolicy:QueuePolicy": return { id: String(inputs.queueUrl), state: {} };
        case "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": return { id: String(inputs.queueUrl), state: {} };
        case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": {
            const ruleId = `sgr-${hex(17)}`;
            return { id: ruleId, state: { securityGroupRuleId: ruleId, arn: arn("ec2", `security-group-rule/${ruleId}`) } };
        }
        case "aws:elasticache/subnetGroup:SubnetGroup": return { id: name, state: { name, arn: arn("elasticache", `subnetgroup:${name}`) } };
        case "aws:elasticache/parameterGroup:ParameterGroup": return { id: name, state: { name, arn: arn("elasticache", `parametergroup:${name}`) } };
        case "aws:ec2/tag:Tag": return { id: `${inputs.resourceId},${inputs.key}`, state: {} };
        case "aws:iam/rolePolicy:RolePolicy": return { id: `${inputs.role}:${name}`, state: { name } };
        case "aws:iam/rolePolicyAttachment:RolePolicyAttachment": return { id: `${inputs.role}-${hexOf(String(inputs.policyArn), 8)}`, state: {} };
        case "aws:eks/nodeGroup:NodeGroup": return { id: `${inputs.clusterName}:${name}`, state: { arn: arn("eks", `nodegroup/${inputs.clusterName}/${name}/${hex(8)}`), status: "ACTIVE", nodeGroupName: name } };
        case "aws:sqs/queue:Queue": return { id: `https://sqs.${region}.amazonaws.com/${acct}/${name}`, state: { name, url: `https://sqs.${region}.amazonaws.com/${acct}/${name}`, arn: arn("sqs", name) } };
        case "aws:secretsmanager/secret:Secret": return { id: arn("secretsmanager", `secret:${name}-${hex(6)}`), state: { name, arn: arn("secretsmanager", `secret:${name}-${hex(6)}`) } };
        case "aws:secretsmanager/secretVersion:SecretVersion": return { id: `${inputs.secretId}|${hex(8)}`, state: { versionId: hex(32), arn: inputs.secretId } };
        case "aws:elasticache/replicationGroup:ReplicationGroup": return {
            id: name,
            state: {
                arn: arn("elasticache", `replicationgroup:${name}`),
                primaryEndpointAddress: `master.${name}.${hex(6)}.${region.replace(/-/g, "").slice(0, 4)}.cache.amazonaws.com`,
                readerEndpointAddress: `replica.${name}.${hex(6)}.${region.replace(/-/g, "").slice(0, 4)}.cache.amazonaws.com`,
                port: inputs.port ?? 6379,
                // ElastiCache names the nodes of a (cluster-mode-disabled) group <group id>-001, -002, ...
                memberClusters: Array.from({ length: Number(inputs.numCacheClusters ?? 1) }, (_, i) => `${name}-${String(i + 1).padStart(3, "0")}`),
            },
        };
        case "aws:sns/topic:Topic": return { id: arn("sns", name), state: { name, arn: arn("sns", name) } };
        case "aws:sns/topicSubscription:TopicSubscription": {
            const subscription = `${String(inputs.topic)}:${hexOf(seed, 8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
            return { id: subscription, state: { arn: subscription } };
        }
        case "aws:sns/topicPolicy:TopicPolicy": return { id: String(inputs.arn), state: { owner: acct } };
        case "aws:amp/workspace:Workspace": {
            const workspaceId = `ws-${hex(8)}-${hex(12).slice(8, 12)}-${hex(16).slice(12, 16)}-${hex(20).slice(16, 20)}-${hex(32).slice(20, 32)}`;
            return { id: workspaceId, state: { arn: arn("aps", `workspace/${workspaceId}`), prometheusEndpoint: `https://aps-workspaces.${region}.amazonaws.com/workspaces/${workspaceId}/` } };
        }
        case "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration": {
            const chatArn = `arn:${MOCK_PARTITION}:chatbot::${acct}:chat-configuration/slack-channel/${inputs.configurationName ?? name}`;
            return { id: chatArn, state: { chatConfigurationArn: chatArn } };
        }
        case "aws:s3/bucket:Bucket":
        case "aws:s3/bucketV2:BucketV2": return { id: name, state: { bucket: name, arn: `arn:${MOCK_PARTITION}:s3:::${name}`, bucketRegionalDomainName: `${name}.s3.${region}.amazonaws.com`, region } };
        case "aws:ecr/repository:Repository": return { id: name, state: { name, arn: arn("ecr", `repository/${name}`), registryId: acct, repositoryUrl: `${acct}.dkr.ecr.${region}.amazonaws.com/${name}` } };
        case "docker:index/image:Image": {
            const image = String(inputs.imageName ?? name);
            return { id: `sha256:${hex(64)}`, state: { imageName: image, repoDigest: `${image.replace(/:[^/:]+$/, "")}@sha256:${hex(64)}` } };
        }
        case "random:index/randomPassword:RandomPassword": return { id: "none", state: { result: hexOf(`${seed}:secret`, Number(inputs.length ?? 32)), bcryptHash: `$2a$10$${hex(53)}` } };
        case "random:index/randomId:RandomId": return { id: hex(16), state: { hex: hex(Number(inputs.byteLength ?? 8) * 2), b64Url: hex(11), dec: String(parseInt(hex(8), 16)) } };
        case "kubernetes:helm.sh/v3:Release": {
            // pulumi-kubernetes ids a release `<namespace>/<name>`; the name and namespace are the program's
            // choice (not invented), so only the id and the revision come back.
            const releaseName = String(inputs.name ?? `${args.name}-${hex(8)}`);
            return { id: `${inputs.namespace ?? "default"}/${releaseName}`, state: { status: { revision: 1 } } };
        }
        default:
            if (args.type.startsWith("kubernetes:")) {
                const metadata = inputs.metadata ?? {};
                const k8sName = metadata.name ?? `${args.name}-${hex(8)}`;
                const id = metadata.namespace ? `${metadata.namespace}/${k8sName}` : k8sName;
                return { id, state: { metadata: { ...metadata, name: k8sName, uid: hex(32) }, name: inputs.name ?? k8sName } };
            }
            if (args.type.startsWith("aws:")) {
                const service = args.type.split(":")[1].split("/")[0];
                return { id: `${name}`, state: { arn: arn(service, `${args.type.split(":")[2].toLowerCase()}/${name}`) } };
            }
            return { id: `${args.name}-id`, state: {} };
    }
}

/** Answers to provider functions (invokes) the components call. */
export function mockCall(args: pulumi.runtime.MockCallArgs, region: string): Record<string, unknown> {
    switch (args.token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: MOCK_ACCOUNT, arn: `arn:aws:iam::${MOCK_ACCOUNT}:role/deployer`, userId: "AROAMOCKDEPLOYER:ci", id: MOCK_ACCOUNT };
        case "aws:index/getRegion:getRegion":
            return { name: region, region, id: region, description: region, endpoint: `ec2.${region}.amazonaws.com` };
        case "aws:index/getPartition:getPartition":
            return { partition: MOCK_PARTITION, dnsSuffix: "amazonaws.com", id: MOCK_PARTITION, reverseDnsPrefix: "com.amazonaws" };
        case "aws:index/getAvailabilityZones:getAvailabilityZones": {
            const letters = ["a", "b", "c", "d"];
            return { names: letters.map((l) => `${region}${l}`), zoneIds: letters.map((_, i) => `${region.slice(0, 2)}w2-az${i + 1}`), id: region, groupNames: [region] };
        }
        case "aws:ecr/getAuthorizationToken:getAuthorizationToken": return {
            authorizationToken: Buffer.from("AWS:mock-ecr-password").toString("base64"), userName: "AWS", password: "mock-ecr-password",
            proxyEndpoint: `https://${MOCK_ACCOUNT}.dkr.ecr.${region}.amazonaws.com`, expiresAt: "2030-01-01T00:00:00Z", id: region,
        };
        default:
            return {};
    }
}
