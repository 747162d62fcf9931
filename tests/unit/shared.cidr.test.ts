import * as assert from "node:assert/strict";
import { cidrContains, cidrsOverlap, formatCidr, parseCidr, parseCidrNotation, planSubnets, subnetPlanProblem } from "../../components/shared/cidr";

/** A small deterministic PRNG (mulberry32), so property runs are reproducible. */
function prng(seed: number): () => number {
    return () => {
        seed = (seed + 0x6d2b79f5) | 0;
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/** A random valid VPC CIDR with a prefix in [16, 22] and a zero host part. */
function randomVpc(random: () => number): string {
    const prefix = 16 + Math.floor(random() * 7);
    const address = Math.floor(random() * 2 ** 32);
    const base = address - (address % 2 ** (32 - prefix));
    return formatCidr({ base, prefix });
}

describe("subnet planning (components/cidr.ts)", () => {
    it("parses and formats CIDRs round-trip, rejecting host bits and bad octets", () => {
        assert.equal(formatCidr(parseCidr("10.20.0.0/16")!), "10.20.0.0/16");
        assert.equal(parseCidr("10.20.0.1/16"), undefined);
        assert.equal(parseCidr("10.256.0.0/16"), undefined);
        assert.equal(parseCidr("10.0.0.0/33"), undefined);
        assert.equal(parseCidr("10.0.0/16"), undefined);
    });

    it("reads CIDR notation with host bits (as AWS matches addresses) but still rejects bad octets and prefixes", () => {
        assert.deepEqual(parseCidrNotation("203.0.113.7/24"), { address: (203 * 2 ** 24) + (113 << 8) + 7, prefix: 24 });
        assert.equal(parseCidr("203.0.113.7/24"), undefined, "a subnet plan needs a zero host part");
        assert.equal(parseCidrNotation("999.0.0.0/16"), undefined);
        assert.equal(parseCidrNotation("10.0.0.0/40"), undefined);
    });

    it("plans a /16 over 3 AZs as /18 private and /21 public subnets", () => {
        assert.deepEqual(planSubnets("10.0.0.0/16", 3), {
            private: ["10.0.0.0/18", "10.0.64.0/18", "10.0.128.0/18"],
            public: ["10.0.192.0/21", "10.0.200.0/21", "10.0.208.0/21"],
        });
    });

    it("keeps AZ i's subnets where they are when a third AZ is added", () => {
        const two = planSubnets("172.16.0.0/20", 2);
        const three = planSubnets("172.16.0.0/20", 3);
        assert.deepEqual(three.private.slice(0, 2), two.private);
        assert.deepEqual(three.public.slice(0, 2), two.public);
    });

    it("property: for 500 random VPCs every subnet fits the VPC, none overlap, all are at least /28", () => {
        const random = prng(42);
        for (let run = 0; run < 500; run++) {
            const vpcText = randomVpc(random);
            const azCount = 2 + Math.floor(random() * 2);
            const vpc = parseCidr(vpcText)!;
            const plan = planSubnets(vpcText, azCount);
            const all = [...plan.private, ...plan.public].map((s) => parseCidr(s)!);
            assert.equal(plan.private.length, azCount);
            assert.equal(plan.public.length, azCount);
            for (const s of all) {
                assert.ok(s, "each subnet is a valid CIDR");
                assert.ok(cidrContains(vpc, s), `${formatCidr(s)} inside ${vpcText}`);
                assert.ok(s.prefix <= 28, `${formatCidr(s)} is no smaller than AWS's /28 minimum`);
            }
            for (let i = 0; i < all.length; i++) {
                for (let j = i + 1; j < all.length; j++) assert.ok(!cidrsOverlap(all[i], all[j]), `${formatCidr(all[i])} and ${formatCidr(all[j])} overlap in ${vpcText}`);
            }
            const privateSize = 2 ** (32 - all[0].prefix);
            const publicSize = 2 ** (32 - all[azCount].prefix);
            assert.ok(privateSize > publicSize, "private subnets (pod IPs) are larger than public ones");
        }
    });

    it("property: every prefix outside /16–/22 fails with a message naming the VPC and the allowed range", () => {
        for (const prefix of [8, 12, 15, 23, 24, 28]) {
            const vpc = formatCidr({ base: 10 * 2 ** 24, prefix });
            assert.throws(() => planSubnets(vpc, 2), (e: Error) => e.message.includes(vpc) && /prefix from \/16 to \/22/.test(e.message));
            assert.ok(subnetPlanProblem(vpc, 3));
        }
    });

    it("fails clearly for an AZ count it cannot plan", () => {
        assert.throws(() => planSubnets("10.0.0.0/16", 4), /cannot plan subnets for VPC 10.0.0.0\/16 over 4 AZs: need 2 or 3 availability zones/);
        assert.throws(() => planSubnets("10.0.0.0/16", 1), /need 2 or 3/);
    });

    it("detects overlap and containment exactly at block edges", () => {
        const a = parseCidr("10.0.0.0/24")!;
        const b = parseCidr("10.0.1.0/24")!;
        assert.equal(cidrsOverlap(a, b), false);
        assert.equal(cidrsOverlap(a, parseCidr("10.0.0.128/25")!), true);
        assert.equal(cidrContains(parseCidr("10.0.0.0/23")!, b), true);
        assert.equal(cidrContains(a, b), false);
    });
});
