/**
 * A tiny, safe arithmetic evaluator (numbers, + - * / % ^, parentheses, unary minus) — a
 * recursive-descent parser, never `eval`. Bounded input length and nesting depth.
 */

const MAX_LENGTH = 200;
const MAX_DEPTH = 32;

/** Evaluates `expr`. @throws Error with a user-facing message on invalid input. */
export function evaluate(expr: string): number {
  if (expr.length > MAX_LENGTH) throw new Error(`expression longer than ${MAX_LENGTH} characters`);
  const tokens = tokenize(expr);
  let pos = 0;
  let depth = 0;
  const peek = (): string | undefined => tokens[pos];
  const next = (): string | undefined => tokens[pos++];

  const primary = (): number => {
    const t = next();
    if (t === undefined) throw new Error("unexpected end of expression");
    if (t === "(") {
      if (++depth > MAX_DEPTH) throw new Error("expression nested too deeply");
      const v = sum();
      if (next() !== ")") throw new Error("missing closing parenthesis");
      depth--;
      return v;
    }
    if (t === "-") return -power();
    if (t === "+") return power();
    const n = Number(t);
    if (!/^\d+(\.\d+)?$/.test(t) || !Number.isFinite(n)) throw new Error(`unexpected token "${t}"`);
    return n;
  };
  const power = (): number => {
    const base = primary();
    if (peek() === "^") {
      next();
      return base ** power();
    }
    return base;
  };
  const product = (): number => {
    let v = power();
    for (let op = peek(); op === "*" || op === "/" || op === "%"; op = peek()) {
      next();
      const r = power();
      if ((op === "/" || op === "%") && r === 0) throw new Error("division by zero");
      v = op === "*" ? v * r : op === "/" ? v / r : v % r;
    }
    return v;
  };
  const sum = (): number => {
    let v = product();
    for (let op = peek(); op === "+" || op === "-"; op = peek()) {
      next();
      const r = product();
      v = op === "+" ? v + r : v - r;
    }
    return v;
  };

  const result = sum();
  if (pos !== tokens.length) throw new Error(`unexpected token "${tokens[pos] ?? ""}"`);
  if (!Number.isFinite(result)) throw new Error("result is not a finite number");
  return result;
}

function tokenize(expr: string): string[] {
  const tokens: string[] = [];
  const re = /\s*(\d+(?:\.\d+)?|[-+*/%^()])/y;
  let i = 0;
  while (i < expr.length) {
    if (/^\s+$/.test(expr.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(expr);
    if (m === null || m[1] === undefined) throw new Error(`invalid character at position ${i + 1}`);
    tokens.push(m[1]);
    i = re.lastIndex;
  }
  if (tokens.length === 0) throw new Error("empty expression");
  return tokens;
}
