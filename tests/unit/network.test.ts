import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { AgentNetwork, AgentNetworkArgs } from "../../components/network";
import { flowLogDeliveryPolicy, subnetDiscoveryTags } from "../../components/network/spec";
import { json, ofType, one, runProgram } from "../../testing";
import { sharedRender } from "../../stacks/offline";

const SUBNET = "aws:ec2/subnet:Subnet";
const NAT = "aws:ec2/natGateway:NatGateway";
const ROUTE_TABLE = "aws:ec2/routeTable:RouteTable";
const ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint";

function network(args: AgentNetworkArgs) {
    return runProgram(() => {
        const n = new AgentNetwork("net", args);
        return { vpcId: n.vpcId, privateSubnetIds: n.privateSubnetIds, publicSubnetIds: n.publicSubnetIds };
    }, { config: { "aws:region": "eu-west-1" } });
}

describe("AgentNetwork", () => {
    describe("single NAT gateway, 2 AZs", () => {
        let result: Awaited<ReturnType<typeof network>>;
        before(async () => { result = await network({ clusterName: "agents-test", vpcCidr: "10.1.0.0/16", availabilityZoneCount: 2, natGateways: "single" }); });

        it("creates a DNS-enabled VPC with the configured CIDR", () => {
            const vpc = one(result.resources, "aws:ec2/vpc:Vpc");
            assert.equal(vpc.inputs.cidrBlock, "10.1.0.0/16");
            assert.equal(vpc.inputs.enableDnsHostnames, true);
            assert.equal(vpc.inputs.enableDnsSupport, true);
        });

        it("spreads one public and one private subnet over each AZ with the planned CIDRs", () => {
            const subnets = ofType(result.resources, SUBNET);
            const byName = Object.fromEntries(subnets.map((s) => [s.name, s.inputs]));
            assert.deepEqual(Object.keys(byName).sort(), ["net-private-0", "net-private-1", "net-public-0", "net-public-1"]);
            assert.equal(byName["net-private-0"].cidrBlock, "10.1.0.0/18");
            assert.equal(byName["net-public-1"].cidrBlock, "10.1.200.0/21");
            assert.equal(byName["net-private-0"].availabilityZone, "eu-west-1a");
            assert.equal(byName["net-private-1"].availabilityZone, "eu-west-1b");
            for (const s of subnets) assert.equal(s.inputs.mapPublicIpOnLaunch, false);
        });

        it("tags subnets for load balancers and Karpenter discovery", () => {
            const pub = one(result.resources, SUBNET, "net-public-0").inputs.tags;
            const priv = one(result.resources, SUBNET, "net-private-0").inputs.tags;
            assert.equal(pub["kubernetes.io/role/elb"], "1");
            assert.equal(pub["karpenter.sh/discovery"], undefined, "Karpenter never launches nodes in public subnets");
            assert.equal(priv["kubernetes.io/role/internal-elb"], "1");
            assert.equal(priv["karpenter.sh/discovery"], "agents-test");
            assert.equal(priv["kubernetes.io/cluster/agents-test"], "shared");
        });

        it("routes every private subnet through the one NAT gateway, which sits in a public subnet", () => {
            const nats = ofType(result.resources, NAT);
            assert.equal(nats.length, 1);
            const publicSubnetIds = ofType(result.resources, SUBNET).filter((s) => s.name.includes("public")).map((s) => s.state.id);
            assert.ok(publicSubnetIds.includes(nats[0].inputs.subnetId));
            const privateTables = ofType(result.resources, ROUTE_TABLE).filter((t) => t.name.includes("private"));
            assert.equal(privateTables.length, 2);
            for (const t of privateTables) assert.deepEqual(t.inputs.routes.map((r: { natGatewayId: string }) => r.natGatewayId), [nats[0].state.id]);
        });

        it("routes public subnets to the internet gateway", () => {
            const igw = one(result.resources, "aws:ec2/internetGateway:InternetGateway");
            const table = one(result.resources, ROUTE_TABLE, "net-public");
            assert.deepEqual(table.inputs.routes, [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.state.id }]);
            assert.equal(ofType(result.resources, "aws:ec2/routeTableAssociation:RouteTableAssociation").length, 4);
        });

        it("creates the S3 gateway endpoint on the private route tables and the interface endpoints in private subnets", () => {
            const endpoints = ofType(result.resources, ENDPOINT);
            const services = endpoints.map((e) => e.inputs.serviceName).sort();
            assert.deepEqual(services, ["ecr.api", "ecr.dkr", "logs", "s3", "secretsmanager", "sqs", "sts"].map((s) => `com.amazonaws.eu-west-1.${s}`));
            const s3 = endpoints.find((e) => e.inputs.serviceName.endsWith(".s3"))!;
            assert.equal(s3.inputs.vpcEndpointType, "Gateway");
            const privateTableIds = ofType(result.resources, ROUTE_TABLE).filter((t) => t.name.includes("private")).map((t) => t.state.id);
            assert.deepEqual([...s3.inputs.routeTableIds].sort(), [...privateTableIds].sort());
            const privateSubnetIds = ofType(result.resources, SUBNET).filter((s) => s.name.includes("private")).map((s) => s.state.id);
            const sg = one(result.resources, "aws:ec2/securityGroup:SecurityGroup");
            for (const e of endpoints.filter((x) => x.inputs.vpcEndpointType === "Interface")) {
                assert.equal(e.inputs.privateDnsEnabled, true);
                assert.deepEqual(e.inputs.subnetIds, privateSubnetIds);
                assert.deepEqual(e.inputs.securityGroupIds, [sg.state.id]);
            }
            assert.deepEqual(sg.inputs.ingress.map((r: { fromPort: number; cidrBlocks: string[] }) => [r.fromPort, r.cidrBlocks]), [[443, ["10.1.0.0/16"]]]);
        });

        it("sends all VPC flow logs to a retained log group through a role limited to it", () => {
            const flow = one(result.resources, "aws:ec2/flowLog:FlowLog");
            const group = one(result.resources, "aws:cloudwatch/logGroup:LogGroup");
            assert.equal(flow.inputs.trafficType, "ALL");
            assert.equal(flow.inputs.logDestination, group.state.arn);
            assert.equal(group.inputs.retentionInDays, 30);
            const policy = json(one(result.resources, "aws:iam/rolePolicy:RolePolicy").inputs.policy);
            assert.deepEqual(policy, flowLogDeliveryPolicy(group.state.arn));
            const trust = json(one(result.resources, "aws:iam/role:Role").inputs.assumeRolePolicy);
            assert.equal(trust.Statement[0].Principal.Service, "vpc-flow-logs.amazonaws.com");
            assert.equal(trust.Statement[0].Condition.StringEquals["aws:SourceAccount"], "123456789012");
        });
    });

    describe("availability zones", () => {
        it("by default asks for available zones and excludes the zone ids EKS does not support", async () => {
            const result = await network({ clusterName: "c" });
            const call = result.invokes.find((i) => i.token === "aws:index/getAvailabilityZones:getAvailabilityZones")!;
            assert.equal(call.inputs.state, "available");
            assert.deepEqual(call.inputs.excludeZoneIds, ["use1-az3", "usw1-az2", "cac1-az3"]);
        });

        it("uses pinned zone names in order, without asking the region", async () => {
            const result = await network({ clusterName: "c", availabilityZones: ["eu-west-1c", "eu-west-1a"] });
            assert.equal(one(result.resources, SUBNET, "net-private-0").inputs.availabilityZone, "eu-west-1c");
            assert.equal(one(result.resources, SUBNET, "net-public-1").inputs.availabilityZone, "eu-west-1a");
            assert.equal(result.invokes.filter((i) => i.token === "aws:index/getAvailabilityZones:getAvailabilityZones").length, 0);
        });

        it("rejects too few or repeated pinned zones", async () => {
            const result = await runProgram(() => new AgentNetwork("net", { clusterName: "c", availabilityZoneCount: 3, availabilityZones: ["eu-west-1a", "eu-west-1a", "eu-west-1b"] }), { captureError: true });
            assert.match(String(result.error), /availabilityZones: got \["eu-west-1a","eu-west-1a","eu-west-1b"\]; allowed: at least 3 distinct zone names/);
        });
    });

    describe("NAT gateway per AZ, 3 AZs", () => {
        it("puts one NAT gateway in each public subnet and routes each AZ through its own", async () => {
            const result = await network({ clusterName: "c", availabilityZoneCount: 3, natGateways: "perAz" });
            const nats = ofType(result.resources, NAT);
            assert.equal(nats.length, 3);
            assert.equal(ofType(result.resources, "aws:ec2/eip:Eip").length, 3);
            const subnetIdOf = (name: string) => one(result.resources, SUBNET, name).state.id;
            for (let i = 0; i < 3; i++) {
                const nat = one(result.resources, NAT, `net-nat-${i}`);
                assert.equal(nat.inputs.subnetId, subnetIdOf(`net-public-${i}`));
                const table = one(result.resources, ROUTE_TABLE, `net-private-${i}`);
                assert.equal(table.inputs.routes[0].natGatewayId, nat.state.id);
            }
        });
    });

    describe("existing VPC", () => {
        const existing = {
            vpcId: "vpc-0123456789abcdef0", vpcCidr: "10.50.0.0/16",
            publicSubnetIds: ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"],
            privateSubnetIds: ["subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2"],
            privateRouteTableIds: ["rtb-0ccccccccccccccc1"],
        };

        it("creates no VPC, subnet, gateway or NAT, and tags the given subnets for discovery", async () => {
            const result = await network({ clusterName: "agents-x", existingVpc: existing });
            for (const t of ["aws:ec2/vpc:Vpc", SUBNET, NAT, "aws:ec2/internetGateway:InternetGateway", ROUTE_TABLE]) assert.equal(ofType(result.resources, t).length, 0, t);
            const tags = ofType(result.resources, "aws:ec2/tag:Tag").map((t) => `${t.inputs.resourceId} ${t.inputs.key}=${t.inputs.value}`).sort();
            const expected = [
                ...existing.publicSubnetIds.flatMap((id) => Object.entries(subnetDiscoveryTags("public", "agents-x")).map(([k, v]) => `${id} ${k}=${v}`)),
                ...existing.privateSubnetIds.flatMap((id) => Object.entries(subnetDiscoveryTags("private", "agents-x")).map(([k, v]) => `${id} ${k}=${v}`)),
            ].sort();
            assert.deepEqual(tags, expected);
            assert.equal(one(result.resources, "aws:ec2/flowLog:FlowLog").inputs.vpcId, existing.vpcId);
            assert.deepEqual(result.outputs.privateSubnetIds, existing.privateSubnetIds);
        });

        it("adds the S3 gateway endpoint only, unless interface endpoints are asked for", async () => {
            const plain = await network({ clusterName: "c", existingVpc: existing });
            assert.deepEqual(ofType(plain.resources, ENDPOINT).map((e) => e.inputs.vpcEndpointType), ["Gateway"]);
            const withEndpoints = await network({ clusterName: "c", existingVpc: existing, interfaceEndpoints: true });
            assert.equal(ofType(withEndpoints.resources, ENDPOINT).length, 7);
            const sg = one(withEndpoints.resources, "aws:ec2/securityGroup:SecurityGroup");
            assert.deepEqual(sg.inputs.ingress[0].cidrBlocks, ["10.50.0.0/16"]);
        });
    });

    describe("argument validation", () => {
        const invalid = async (args: Partial<AgentNetworkArgs>) => {
            const result = await runProgram(() => new AgentNetwork("net", { clusterName: "c", ...args }), { captureError: true });
            assert.ok(result.error, "construction fails");
            assert.ok(pulumi.InputPropertiesError.isInstance(result.error), String(result.error));
            assert.deepEqual(result.resources.filter((r) => r.custom), [], "no cloud resource registered");
            return result.error as pulumi.InputPropertiesError;
        };

        it("names each bad argument, its value and what is allowed", async () => {
            const error = await invalid({ availabilityZoneCount: 4, natGateways: "two", flowLogRetentionDays: 0 });
            assert.deepEqual(error.errors.map((e) => e.propertyPath), ["availabilityZoneCount", "natGateways", "flowLogRetentionDays"]);
            assert.match(error.errors[1].reason, /got "two"; allowed: one of "single", "perAz"/);
        });

        it("rejects a VPC CIDR the subnet plan cannot split", async () => {
            const error = await invalid({ vpcCidr: "192.168.0.0/24" });
            assert.equal(error.errors[0].propertyPath, "vpcCidr");
            assert.match(error.errors[0].reason, /prefix from \/16 to \/22/);
        });

        it("rejects an existing VPC with a single private subnet", async () => {
            const error = await invalid({ existingVpc: { vpcId: "vpc-0123456789abcdef0", vpcCidr: "10.0.0.0/16", publicSubnetIds: ["subnet-0a1b2c3d", "subnet-0a1b2c3e"], privateSubnetIds: ["subnet-0a1b2c3f"] } });
            assert.equal(error.errors[0].propertyPath, "existingVpc.privateSubnetIds");
        });
    });

    describe("in the stacks", () => {
        it("dev: 2 AZs, one NAT; prod: 3 AZs, a NAT per AZ", async () => {
            const dev = await sharedRender("dev");
            const prod = await sharedRender("prod");
            assert.equal(ofType(dev.resources, NAT).length, 1);
            assert.equal(ofType(dev.resources, SUBNET).length, 4);
            assert.equal(ofType(prod.resources, NAT).length, 3);
            assert.equal(ofType(prod.resources, SUBNET).length, 6);
            assert.equal(one(prod.resources, "aws:ec2/vpc:Vpc").inputs.cidrBlock, "10.30.0.0/16");
            assert.equal(one(prod.resources, "aws:cloudwatch/logGroup:LogGroup", /flow-logs/).inputs.retentionInDays, 90);
        });
    });
});
