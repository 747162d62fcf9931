/**
 * The registry of tools the model may call. Every tool is side-effect free, bounded in input and
 * output, and validates its arguments; a failing tool returns an error object to the model instead
 * of throwing, so one bad call never fails the whole agent run.
 */
import type { ToolSpec } from "../llm/client";
import { evaluate } from "./calculator";

/** One tool: its schema for the model and its implementation. */
export interface Tool {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
  run(args: Record<string, unknown>, now: () => Date): unknown;
}

const MAX_TEXT = 20_000;

/** The example tools: a calculator, the current time, a word counter. */
export const defaultTools: readonly Tool[] = [
  {
    name: "calculator",
    description: "Evaluate an arithmetic expression with + - * / % ^ and parentheses.",
    parameters: {
      type: "object",
      properties: { expression: { type: "string", description: "e.g. (2 + 3) * 4" } },
      required: ["expression"],
      additionalProperties: false,
    },
    run(args) {
      const expr = args.expression;
      if (typeof expr !== "string") throw new Error("expression must be a string");
      return { result: evaluate(expr) };
    },
  },
  {
    name: "get_current_time",
    description: "Current date and time, optionally in an IANA time zone such as Europe/Paris.",
    parameters: {
      type: "object",
      properties: { timezone: { type: "string", description: "IANA time zone, default UTC" } },
      additionalProperties: false,
    },
    run(args, now) {
      const tz = args.timezone === undefined ? "UTC" : args.timezone;
      if (typeof tz !== "string" || tz.length > 64) throw new Error("timezone must be a short string");
      let local: string;
      try {
        local = new Intl.DateTimeFormat("en-GB", { timeZone: tz, dateStyle: "full", timeStyle: "long" }).format(now());
      } catch {
        throw new Error(`unknown time zone "${tz}"`);
      }
      return { iso: now().toISOString(), timezone: tz, local };
    },
  },
  {
    name: "word_count",
    description: "Count the words and characters of a text.",
    parameters: {
      type: "object",
      properties: { text: { type: "string" } },
      required: ["text"],
      additionalProperties: false,
    },
    run(args) {
      const text = args.text;
      if (typeof text !== "string") throw new Error("text must be a string");
      if (text.length > MAX_TEXT) throw new Error(`text longer than ${MAX_TEXT} characters`);
      const words = text.trim() === "" ? 0 : text.trim().split(/\s+/).length;
      return { words, characters: text.length };
    },
  },
];

/** Looks tools up by name and runs them safely. */
export class ToolRegistry {
  private readonly byName: Map<string, Tool>;
  constructor(tools: readonly Tool[] = defaultTools, private readonly now: () => Date = () => new Date()) {
    this.byName = new Map(tools.map((t) => [t.name, t]));
  }

  /** Tool specs in the Chat Completions `tools` format. */
  specs(): ToolSpec[] {
    return [...this.byName.values()].map((t) => ({
      type: "function",
      function: { name: t.name, description: t.description, parameters: t.parameters },
    }));
  }

  /** True when a tool of that name exists. */
  has(name: string): boolean {
    return this.byName.has(name);
  }

  /**
   * Runs `name` with the model's JSON `rawArgs`. Returns the JSON string given back to the model
   * and whether the call succeeded; never throws.
   */
  execute(name: string, rawArgs: string): { ok: boolean; output: string } {
    const tool = this.byName.get(name);
    if (tool === undefined) return { ok: false, output: JSON.stringify({ error: `unknown tool "${name}"` }) };
    let args: unknown;
    try {
      args = rawArgs.trim() === "" ? {} : JSON.parse(rawArgs);
    } catch {
      return { ok: false, output: JSON.stringify({ error: "arguments are not valid JSON" }) };
    }
    if (args === null || typeof args !== "object" || Array.isArray(args)) {
      return { ok: false, output: JSON.stringify({ error: "arguments must be a JSON object" }) };
    }
    try {
      return { ok: true, output: JSON.stringify(tool.run(args as Record<string, unknown>, this.now)) };
    } catch (err) {
      return { ok: false, output: JSON.stringify({ error: err instanceof Error ? err.message : String(err) }) };
    }
  }
}
