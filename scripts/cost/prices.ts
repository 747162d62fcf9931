/**
 * The pinned price table (prices.json): its shape, loading, and price lookup per region. Prices are
 * looked up by key (`ec2:t3.large`, `nat:gateway-hour`, ...); a missing key is `undefined`, never zero.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** One price of one region. */
export interface Price {
    /** Price in the table's currency per unit of the key (hour, GB, GB-month, month, million requests). */
    usd: number;
    /** Key of `sources` this price comes from; `carried:<region>` when it is another region's value. */
    source: string;
}

/** Hardware of an instance type (what pods can be packed onto). */
export interface InstanceSpec {
    vcpu: number;
    memoryGiB: number;
    /** NVIDIA GPUs. Default: 0. */
    gpus?: number;
}

/** Usage volumes the estimate assumes where the render cannot say (stated in every estimate). */
export interface Assumptions {
    /** GB per month processed by each stack's NAT gateways. */
    natProcessedGbPerMonth: number;
    /** GB per month processed by each interface endpoint. */
    interfaceEndpointGbPerMonth: number;
    /** Million requests per month per SQS queue (free tier not applied). */
    sqsMillionRequestsPerQueuePerMonth: number;
    /** GB stored per S3 bucket. */
    s3StoredGbPerBucket: number;
    /** GB per month ingested per CloudWatch log group. */
    logIngestGbPerGroupPerMonth: number;
    /** Share of a node's vCPUs that pods may request (the rest: kubelet, OS, daemonsets). */
    nodeAllocatableCpuFraction: number;
    /** Share of a node's memory that pods may request. */
    nodeAllocatableMemoryFraction: number;
}

export interface PriceSource {
    what: string;
    url: string;
    retrieved: string;
}

export interface PriceTable {
    currency: string;
    hoursPerMonth: number;
    compiled: string;
    note: string;
    sources: Record<string, PriceSource>;
    assumptions: Assumptions;
    instances: Record<string, InstanceSpec>;
    regions: Record<string, Record<string, Price>>;
}

/** Where the pinned table lives. */
export const PRICE_TABLE_FILE = path.join(__dirname, "prices.json");

/** Prefix of the source of a price copied from another region. */
export const CARRIED_PREFIX = "carried:";

/** Reads the pinned price table. */
export function loadPriceTable(file = PRICE_TABLE_FILE): PriceTable {
    return JSON.parse(fs.readFileSync(file, "utf8")) as PriceTable;
}

/** Price lookups of one region that remember every key used, for the estimate's provenance lines. */
export class RegionPrices {
    readonly known: boolean;
    private readonly used = new Set<string>();

    constructor(private readonly table: PriceTable, readonly region: string) {
        this.known = region in table.regions;
    }

    /** Price of `key` in this region, or undefined when the table has none. */
    get(key: string): number | undefined {
        return this.table.regions[this.region]?.[key]?.usd;
    }

    /** Price of `key`, remembered as used by the estimate (for its provenance lines). */
    use(key: string): number | undefined {
        const usd = this.get(key);
        if (usd !== undefined) this.used.add(key);
        return usd;
    }

    /** Keys used so far whose value was carried from another region. */
    carriedKeys(): string[] {
        const prices = this.table.regions[this.region] ?? {};
        return [...this.used].filter((k) => prices[k].source.startsWith(CARRIED_PREFIX)).sort();
    }

    /** Source ids of the prices used so far (carried prices are listed by `carriedKeys`). */
    sourcesUsed(): string[] {
        const prices = this.table.regions[this.region] ?? {};
        return [...new Set([...this.used].map((k) => prices[k].source))].filter((s) => !s.startsWith(CARRIED_PREFIX)).sort();
    }
}
