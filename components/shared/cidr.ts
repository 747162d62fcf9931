/**
 * IPv4 CIDR arithmetic and the subnet plan of an AgentNetwork. Pure functions: no Pulumi, no I/O.
 */

/** A parsed IPv4 CIDR block. */
export interface Cidr {
    /** Network address as an unsigned 32-bit integer. */
    base: number;
    /** Prefix length, 0–32. */
    prefix: number;
}

/** The subnets of one network: index i of each list is in availability zone i. */
export interface SubnetPlan {
    /** Private subnets (nodes and pods; the VPC CNI gives every pod a VPC address, so these are large). */
    private: string[];
    /** Public subnets (load balancers and NAT gateways only). */
    public: string[];
}

/** Smallest and largest VPC prefix the plan supports: /16 is AWS's largest VPC; /22 still leaves /24 private subnets. */
export const VPC_PREFIX_RANGE = { min: 16, max: 22 } as const;
/** Private subnets are a quarter of the VPC each (room for 3 AZs, plus one quarter for public subnets). */
const PRIVATE_PREFIX_DELTA = 2;
/** Public subnets are an eighth of the last quarter each. */
const PUBLIC_PREFIX_DELTA = 5;

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Parses `a.b.c.d/n` as written, host bits allowed (AWS accepts such blocks where it only matches
 * addresses, e.g. an API endpoint's allowed CIDRs); undefined when octets or prefix are out of range.
 */
export function parseCidrNotation(text: string): { address: number; prefix: number } | undefined {
    const match = CIDR_PATTERN.exec(text);
    if (!match) return undefined;
    const octets = match.slice(1, 5).map(Number);
    const prefix = Number(match[5]);
    if (octets.some((o) => o > 255) || prefix > 32) return undefined;
    return { address: ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3], prefix };
}

/** Parses `a.b.c.d/n`; returns undefined when it is not a valid IPv4 CIDR with a zero host part. */
export function parseCidr(text: string): Cidr | undefined {
    const parsed = parseCidrNotation(text);
    if (!parsed || hostBits(parsed.address, parsed.prefix) !== 0) return undefined;
    return { base: parsed.address, prefix: parsed.prefix };
}

function hostBits(address: number, prefix: number): number {
    return prefix === 0 ? address : address % 2 ** (32 - prefix);
}

/** Formats a CIDR back to `a.b.c.d/n`. */
export function formatCidr(cidr: Cidr): string {
    const b = cidr.base;
    return `${Math.floor(b / 2 ** 24) % 256}.${Math.floor(b / 2 ** 16) % 256}.${Math.floor(b / 2 ** 8) % 256}.${b % 256}/${cidr.prefix}`;
}

/** Number of addresses in a block. */
export function cidrSize(cidr: Cidr): number {
    return 2 ** (32 - cidr.prefix);
}

/** True when `inner` lies entirely inside `outer`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
    return inner.prefix >= outer.prefix && inner.base >= outer.base && inner.base + cidrSize(inner) <= outer.base + cidrSize(outer);
}

/** True when two blocks share any address. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
    return a.base < b.base + cidrSize(b) && b.base < a.base + cidrSize(a);
}

/** Why `planSubnets` cannot plan a VPC, or undefined when it can. */
export function subnetPlanProblem(vpcCidr: string, azCount: number): string | undefined {
    const vpc = parseCidr(vpcCidr);
    if (!vpc) return `an IPv4 CIDR with a zero host part, e.g. "10.0.0.0/16"`;
    if (vpc.prefix < VPC_PREFIX_RANGE.min || vpc.prefix > VPC_PREFIX_RANGE.max) {
        return `a prefix from /${VPC_PREFIX_RANGE.min} to /${VPC_PREFIX_RANGE.max}, so that ${azCount} private /${vpc.prefix + PRIVATE_PREFIX_DELTA} and public /${vpc.prefix + PUBLIC_PREFIX_DELTA} subnets fit`;
    }
    if (!Number.isInteger(azCount) || azCount < 2 || azCount > 3) return "2 or 3 availability zones";
    return undefined;
}

/**
 * Splits a VPC CIDR into one private and one public subnet per AZ. The first three quarters of the
 * VPC hold the private subnets (one quarter each); the last quarter holds the public subnets (an
 * eighth of it each). The layout of AZ i never depends on the AZ count, so growing from 2 to 3 AZs
 * adds subnets without moving existing ones.
 *
 * @throws Error naming the VPC CIDR and what is allowed when the plan cannot be made.
 */
export function planSubnets(vpcCidr: string, azCount: number): SubnetPlan {
    const problem = subnetPlanProblem(vpcCidr, azCount);
    if (problem) throw new Error(`cannot plan subnets for VPC ${vpcCidr} over ${azCount} AZs: need ${problem}`);
    const vpc = parseCidr(vpcCidr) as Cidr;
    const privatePrefix = vpc.prefix + PRIVATE_PREFIX_DELTA;
    const publicPrefix = vpc.prefix + PUBLIC_PREFIX_DELTA;
    const quarter = 2 ** (32 - privatePrefix);
    const eighthOfQuarter = 2 ** (32 - publicPrefix);
    const zones = Array.from({ length: azCount }, (_, i) => i);
    return {
        private: zones.map((i) => formatCidr({ base: vpc.base + i * quarter, prefix: privatePrefix })),
        public: zones.map((i) => formatCidr({ base: vpc.base + 3 * quarter + i * eighthOfQuarter, prefix: publicPrefix })),
    };
}
