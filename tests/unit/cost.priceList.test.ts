import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { agreedPrice, firstTierUsd, parsePriceListItem, priceQueries, withRefreshedPrices } from "../../scripts/cost/priceList";
import { loadPriceTable } from "../../scripts/cost/prices";
import { PROJECT_ROOT } from "../../stacks/offline";

type Response = { FormatVersion: string; PriceList: string[] };
const fixture = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "tests", "fixtures", "pricing", "getProducts.json"), "utf8")) as Record<string, Response>;
const products = (name: string) => fixture[name].PriceList.map(parsePriceListItem);

describe("cost refresh: Price List API responses (scripts/cost/priceList.ts)", () => {
    it("parses an EC2 product: attributes, and the OnDemand price only (not the reserved one)", () => {
        const [t3] = products("ec2");
        assert.equal(t3.serviceCode, "AmazonEC2");
        assert.equal(t3.productFamily, "Compute Instance");
        assert.equal(t3.attributes.instanceType, "t3.large");
        assert.equal(t3.attributes.regionCode, "us-east-1");
        assert.deepEqual(t3.onDemand.map((d) => [d.unit, d.usd]), [["Hrs", 0.0832]]);
        assert.equal(firstTierUsd(t3, "Hrs"), 0.0832);
        assert.equal(firstTierUsd(t3, "GB-Mo"), undefined);
    });

    it("reads ElastiCache node and EBS storage prices in their units", () => {
        assert.equal(firstTierUsd(products("elasticache")[0], "Hrs"), 0.1752);
        assert.equal(firstTierUsd(products("ebs")[0], "GB-Mo"), 0.08);
    });

    it("takes the first tier of a tiered price, whatever the order of the dimensions", () => {
        assert.equal(firstTierUsd(products("tiered")[0], "GB"), 0.5);
    });

    it("rejects an item that is not a product", () => {
        assert.throws(() => parsePriceListItem("{}"), /not a Price List product/);
        assert.throws(() => parsePriceListItem("not json"));
    });

    it("asks GetProducts for EC2, ElastiCache and EBS keys with the filters that single out one product", () => {
        const queries = priceQueries(["ec2:t3.large", "elasticache:valkey:cache.r7g.large", "ebs:gp3-gb-month", "nat:gateway-hour"], "us-west-2");
        assert.deepEqual(queries.map((q) => q.key), ["ec2:t3.large", "elasticache:valkey:cache.r7g.large", "ebs:gp3-gb-month"]);
        assert.deepEqual(queries[0].filters, { regionCode: "us-west-2", instanceType: "t3.large", operatingSystem: "Linux", tenancy: "Shared", preInstalledSw: "NA", capacitystatus: "Used", operation: "RunInstances" });
        assert.deepEqual(queries[1], { key: "elasticache:valkey:cache.r7g.large", serviceCode: "AmazonElastiCache", unit: "Hrs", filters: { regionCode: "us-west-2", instanceType: "cache.r7g.large", cacheEngine: "Valkey" } });
        assert.equal(queries[2].unit, "GB-Mo");
    });

    it("accepts one agreed price and refuses none or several", () => {
        const [query] = priceQueries(["ec2:t3.large"], "us-east-1");
        assert.equal(agreedPrice(query, products("ec2")), 0.0832);
        assert.throws(() => agreedPrice(query, []), /gave no price/);
        const other = { ...products("ec2")[0], onDemand: [{ unit: "Hrs", usd: 0.09, beginRange: "0", endRange: "Inf", description: "" }] };
        assert.throws(() => agreedPrice(query, [...products("ec2"), other]), /several prices \(0\.0832, 0\.09\)/);
    });

    it("replaces refreshed prices with a dated Price List source and keeps every other price", () => {
        const table = loadPriceTable();
        const next = withRefreshedPrices(table, "us-west-2", { "ec2:t3.medium": 0.0416 }, "2027-01-31");
        assert.deepEqual(next.regions["us-west-2"]["ec2:t3.medium"], { usd: 0.0416, source: "price-list-api-2027-01-31" });
        assert.equal(next.sources["price-list-api-2027-01-31"].retrieved, "2027-01-31");
        assert.deepEqual(next.regions["us-east-1"], table.regions["us-east-1"]);
        assert.deepEqual(next.regions["us-west-2"]["nat:gateway-hour"], table.regions["us-west-2"]["nat:gateway-hour"]);
        assert.equal(table.regions["us-west-2"]["ec2:t3.medium"].source, "carried:us-east-1", "the input table is not modified");
    });
});
