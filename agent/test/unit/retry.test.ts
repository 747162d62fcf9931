import { strict as assert } from "node:assert";
import { backoffDelayMs, isRetryableNetworkError, isRetryableStatus, parseRetryAfterMs, shouldRetry } from "../../src/llm/retry";

describe("LLM retry policy", () => {
  it("retries 408, 409, 429 and 5xx only", () => {
    for (const s of [408, 409, 429, 500, 502, 503, 504, 599]) assert.equal(isRetryableStatus(s), true, String(s));
    for (const s of [200, 400, 401, 403, 404, 413, 422]) assert.equal(isRetryableStatus(s), false, String(s));
  });

  it("recognises network errors, including wrapped causes", () => {
    assert.equal(isRetryableNetworkError(Object.assign(new Error("x"), { code: "ECONNRESET" })), true);
    assert.equal(isRetryableNetworkError(new TypeError("fetch failed", { cause: Object.assign(new Error("c"), { code: "ECONNREFUSED" }) })), true);
    assert.equal(isRetryableNetworkError(new Error("bug")), false);
    assert.equal(isRetryableNetworkError(new RangeError("x")), false);
  });

  it("parses Retry-After as seconds, HTTP date, and retry-after-ms", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    assert.equal(parseRetryAfterMs("3", null, now), 3000);
    assert.equal(parseRetryAfterMs("0.5", null, now), 500);
    assert.equal(parseRetryAfterMs("Thu, 01 Jan 2026 00:00:10 GMT", null, now), 10_000);
    assert.equal(parseRetryAfterMs("Wed, 31 Dec 2025 00:00:00 GMT", null, now), 0);
    assert.equal(parseRetryAfterMs("7", "250", now), 250);
    assert.equal(parseRetryAfterMs("soon", null, now), undefined);
    assert.equal(parseRetryAfterMs(null, null, now), undefined);
  });

  it("uses full jitter within the exponential cap", () => {
    const base = { baseMs: 100, capMs: 1000 };
    assert.equal(backoffDelayMs({ ...base, attempt: 1, random: 0 }), 0);
    assert.equal(backoffDelayMs({ ...base, attempt: 1, random: 0.999 }), 99);
    assert.equal(backoffDelayMs({ ...base, attempt: 3, random: 0.5 }), 200);
    assert.equal(backoffDelayMs({ ...base, attempt: 10, random: 0.999 }), 999);
    for (let a = 1; a < 20; a++) {
      const d = backoffDelayMs({ ...base, attempt: a, random: Math.random() });
      assert.ok(d >= 0 && d < 1000);
    }
  });

  it("never waits less than Retry-After", () => {
    assert.equal(backoffDelayMs({ attempt: 1, baseMs: 100, capMs: 1000, retryAfterMs: 5000, random: 0.1 }), 5000);
    assert.equal(backoffDelayMs({ attempt: 4, baseMs: 100, capMs: 1000, retryAfterMs: 10, random: 0.9 }), 720);
  });

  it("stops at the attempt cap and before the deadline", () => {
    assert.equal(shouldRetry(1, 3, 100, 0, 1000), true);
    assert.equal(shouldRetry(3, 3, 100, 0, 1000), false);
    assert.equal(shouldRetry(1, 3, 1000, 0, 1000), false);
  });
});
