/**
 * Refreshes scripts/cost/prices.json from the AWS Price List API:
 *
 *   AWS_PROFILE=<profile allowed pricing:GetProducts> npx tsx scripts/cost/refresh.ts [region ...] [--dry-run]
 *
 * For every region of the table (or the ones named), every EC2 instance type, ElastiCache node type and
 * the EBS gp3 price is read with GetProducts (the API is served from us-east-1, whatever region it
 * prices) and replaces the table's value, attributed to `price-list-api-<date>`. Prices without a query
 * here (NAT, endpoints, EKS, KMS, ...) keep their recorded source. `--dry-run` prints the changes only.
 * It needs network access and AWS credentials, so it runs on a workstation, never in the tests.
 */
import * as fs from "node:fs";
import { paginateGetProducts, PricingClient } from "@aws-sdk/client-pricing";
import { loadPriceTable, PRICE_TABLE_FILE } from "./prices";
import { agreedPrice, parsePriceListItem, priceQueries, withRefreshedPrices, type PriceQuery } from "./priceList";

/** The Price List API endpoint region. */
const PRICING_API_REGION = "us-east-1";

async function productsOf(client: PricingClient, query: PriceQuery) {
    const filters = Object.entries(query.filters).map(([Field, Value]) => ({ Type: "TERM_MATCH" as const, Field, Value }));
    const products = [];
    for await (const page of paginateGetProducts({ client }, { ServiceCode: query.serviceCode, Filters: filters, FormatVersion: "aws_v1" })) {
        for (const item of (page.PriceList ?? []) as unknown[]) products.push(parsePriceListItem(String(item)));
    }
    return products;
}

async function main(argv: string[]): Promise<void> {
    const dryRun = argv.includes("--dry-run");
    let table = loadPriceTable();
    const regions = argv.filter((a) => !a.startsWith("--"));
    for (const region of regions) if (!(region in table.regions)) throw new Error(`${region} is not in the table; add it to prices.json (with the keys to price) first`);
    const client = new PricingClient({ region: PRICING_API_REGION });
    const date = new Date().toISOString().slice(0, 10);
    for (const region of regions.length > 0 ? regions : Object.keys(table.regions)) {
        const refreshed: Record<string, number> = {};
        for (const query of priceQueries(Object.keys(table.regions[region]), region)) {
            const usd = agreedPrice(query, await productsOf(client, query));
            const before = table.regions[region][query.key];
            if (before.usd !== usd || !before.source.startsWith("price-list-api-")) console.log(`${region} ${query.key}: ${before.usd} (${before.source}) → ${usd}`);
            refreshed[query.key] = usd;
        }
        table = withRefreshedPrices(table, region, refreshed, date);
    }
    if (dryRun) return;
    fs.writeFileSync(PRICE_TABLE_FILE, JSON.stringify(table, null, 2) + "\n");
    console.log(`wrote ${PRICE_TABLE_FILE}`);
}

if (require.main === module) {
    main(process.argv.slice(2)).catch((error: Error) => {
        console.error(error.message);
        process.exit(1);
    });
}
