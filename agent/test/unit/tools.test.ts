import { strict as assert } from "node:assert";
import { evaluate } from "../../src/agent/calculator";
import { ToolRegistry } from "../../src/agent/tools";

describe("tool registry", () => {
  const fixed = new Date("2026-03-01T12:00:00Z");
  const tools = new ToolRegistry(undefined, () => fixed);

  it("offers every tool as a function spec", () => {
    assert.deepEqual(tools.specs().map((s) => s.function.name).sort(), ["calculator", "get_current_time", "word_count"]);
    for (const s of tools.specs()) {
      assert.equal(s.type, "function");
      assert.equal((s.function.parameters as { type: string }).type, "object");
    }
  });

  it("runs the calculator without eval", () => {
    assert.deepEqual(JSON.parse(tools.execute("calculator", '{"expression":"(2+3)*4 - 2^3"}').output), { result: 12 });
    const bad = tools.execute("calculator", '{"expression":"process.exit(1)"}');
    assert.equal(bad.ok, false);
    assert.match(bad.output, /invalid character/);
  });

  it("answers the time in a time zone", () => {
    const r = JSON.parse(tools.execute("get_current_time", '{"timezone":"Europe/Paris"}').output) as { iso: string; local: string };
    assert.equal(r.iso, "2026-03-01T12:00:00.000Z");
    assert.match(r.local, /13:00:00/);
    assert.equal(tools.execute("get_current_time", '{"timezone":"Mars/Base"}').ok, false);
  });

  it("counts words", () => {
    assert.deepEqual(JSON.parse(tools.execute("word_count", '{"text":" a  b c "}').output), { words: 3, characters: 8 });
  });

  it("turns bad calls into error results instead of throwing", () => {
    assert.deepEqual(tools.execute("rm_rf", "{}"), { ok: false, output: '{"error":"unknown tool \\"rm_rf\\""}' });
    assert.equal(tools.execute("calculator", "{nope").ok, false);
    assert.equal(tools.execute("calculator", "[1]").ok, false);
    assert.equal(tools.execute("word_count", '{"text":5}').ok, false);
  });
});

describe("calculator", () => {
  it("respects precedence, associativity and unary minus", () => {
    assert.equal(evaluate("1 + 2 * 3"), 7);
    assert.equal(evaluate("2 ^ 3 ^ 2"), 512);
    assert.equal(evaluate("-(4 - 6) * 1.5"), 3);
    assert.equal(evaluate("7 % 4"), 3);
  });
  it("rejects malformed or unbounded input", () => {
    for (const e of ["", "1 +", "(1", "1 / 0", "2 ^ 9999", "1 2", "x".repeat(300)]) assert.throws(() => evaluate(e), Error, e);
    assert.throws(() => evaluate(`${"(".repeat(40)}1${")".repeat(40)}`), /nested/);
  });
});
