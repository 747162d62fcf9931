/**
 * The AWS Price List API side of the refresh, as pure functions: which GetProducts query prices each key
 * of the table, how a PriceList item (a JSON document: product, attributes, OnDemand terms with price
 * dimensions) becomes a price, and how refreshed prices replace the table's. refresh.ts does the calls.
 */
import type { PriceTable } from "./prices";

/** A price dimension of an OnDemand term. */
export interface PriceDimension {
    unit: string;
    usd: number;
    beginRange: string;
    endRange: string;
    description: string;
}

/** A PriceList item, reduced to what the table needs. */
export interface PriceListProduct {
    sku: string;
    serviceCode: string;
    productFamily: string;
    attributes: Record<string, string>;
    onDemand: PriceDimension[];
}

/* eslint-disable @typescript-eslint/no-explicit-any */
/** Parses one PriceList element (the API returns each as a JSON string); throws on anything else. */
export function parsePriceListItem(item: unknown): PriceListProduct {
    const doc: any = typeof item === "string" ? JSON.parse(item) : item;
    if (!doc?.product?.sku || typeof doc.product.attributes !== "object") throw new Error("not a Price List product: no product.sku or product.attributes");
    const terms = Object.values<any>(doc.terms?.OnDemand ?? {});
    const onDemand = terms.flatMap((term) => Object.values<any>(term.priceDimensions ?? {})).map((d) => ({
        unit: String(d.unit), usd: Number(d.pricePerUnit?.USD), beginRange: String(d.beginRange ?? "0"), endRange: String(d.endRange ?? "Inf"), description: String(d.description ?? ""),
    })).filter((d) => Number.isFinite(d.usd));
    return { sku: doc.product.sku, serviceCode: String(doc.serviceCode ?? doc.product.attributes.servicecode ?? ""), productFamily: String(doc.product.productFamily ?? ""), attributes: doc.product.attributes, onDemand };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** The on-demand price of the first tier (beginRange 0) in `unit`, or undefined. */
export function firstTierUsd(product: PriceListProduct, unit: string): number | undefined {
    return product.onDemand.find((d) => d.unit === unit && d.beginRange === "0")?.usd;
}

/** A GetProducts query for one key of the table, and the unit its price is in. */
export interface PriceQuery {
    key: string;
    serviceCode: string;
    /** TERM_MATCH filters: attribute → value. */
    filters: Record<string, string>;
    unit: string;
}

const ENGINES: Record<string, string> = { valkey: "Valkey", redis: "Redis" };

/**
 * The queries that refresh the table's keys for `region`: EC2 instances (Linux, shared tenancy,
 * on-demand, no pre-installed software), ElastiCache nodes and EBS gp3 storage. Other keys (NAT,
 * endpoints, EKS, ...) have no query here and keep their documented source.
 */
export function priceQueries(keys: string[], region: string): PriceQuery[] {
    return keys.flatMap((key): PriceQuery[] => {
        const [service, a, b] = key.split(":");
        if (service === "ec2") {
            return [{ key, serviceCode: "AmazonEC2", unit: "Hrs", filters: {
                regionCode: region, instanceType: a, operatingSystem: "Linux", tenancy: "Shared", preInstalledSw: "NA", capacitystatus: "Used", operation: "RunInstances",
            } }];
        }
        if (service === "elasticache" && ENGINES[a]) {
            return [{ key, serviceCode: "AmazonElastiCache", unit: "Hrs", filters: { regionCode: region, instanceType: b, cacheEngine: ENGINES[a] } }];
        }
        if (key === "ebs:gp3-gb-month") return [{ key, serviceCode: "AmazonEC2", unit: "GB-Mo", filters: { regionCode: region, productFamily: "Storage", volumeApiName: "gp3" } }];
        return [];
    });
}

/** The single price the products of one query agree on; throws when they give none or several. */
export function agreedPrice(query: PriceQuery, products: PriceListProduct[]): number {
    const prices = [...new Set(products.map((p) => firstTierUsd(p, query.unit)).filter((u): u is number => u !== undefined))];
    if (prices.length !== 1) throw new Error(`${query.key}: the Price List gave ${prices.length === 0 ? "no price" : `several prices (${prices.join(", ")})`} for ${JSON.stringify(query.filters)}`);
    return prices[0];
}

/** The table with refreshed prices of one region, attributed to a Price List source of `date`. */
export function withRefreshedPrices(table: PriceTable, region: string, refreshed: Record<string, number>, date: string): PriceTable {
    const source = `price-list-api-${date}`;
    const next = structuredClone(table);
    next.sources[source] = { what: `AWS Price List API (GetProducts, on-demand, first tier), read by scripts/cost/refresh.ts on ${date}`, url: "https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_pricing_GetProducts.html", retrieved: date };
    next.regions[region] = { ...next.regions[region] };
    for (const [key, usd] of Object.entries(refreshed)) next.regions[region][key] = { usd, source };
    const used = new Set(Object.values(next.regions).flatMap((prices) => Object.values(prices).map((p) => p.source)));
    for (const id of Object.keys(next.sources)) if (!used.has(id) && id !== source && id.startsWith("price-list-api-")) delete next.sources[id];
    next.compiled = date;
    return next;
}
