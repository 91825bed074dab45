/**
 * Sweep files and presets → a validated list of cases.
 *
 * A sweep file (`bench/presets/*.json`, or any path) is JSON:
 *
 * ```json
 * {
 *   "name": "my-study",
 *   "description": "what it measures, and how long it takes where",
 *   "memoryBudgetBytes": 1073741824,
 *   "defaults": { "backend": "wasm", "preset": "nbody", "repeats": 3 },
 *   "grid": [
 *     { "model": ["se3-hyena", "equivariant-transformer"], "pass": "forward",
 *       "seqLen": { "linspace": [10, 20000, 8] } },
 *     { "model": "se3-hyena", "pass": "forward", "seqLen": { "doubling": [32768, 4194304] } }
 *   ]
 * }
 * ```
 *
 * - `defaults`: case fields applied to every grid entry (an entry's own fields win).
 * - `grid`: each entry is a case template; every field may be a list, and the entry
 *   expands to the cartesian product of its lists. `seqLen` may also be
 *   `{ "doubling": [from, to] }` (from, 2·from, … ≤ to) or
 *   `{ "linspace": [start, stop, count] }` (rounded to integers, like numpy's linspace).
 * - `memoryBudgetBytes` (optional): the RSS budget of each case's process (see
 *   src/runner/isolated.ts); the CLI's `--memory-budget` overrides it.
 * - Keys starting with `$` (e.g. `"$comment"`) are ignored everywhere, for documentation.
 *
 * Every expanded case is validated (src/case/schema.ts); an error names the grid entry,
 * the field and the value. Duplicate cases (same id) are kept once.
 *
 * @module
 */
import { z } from "zod";
import type { Case } from "../results.ts";
import { caseId } from "./id.ts";
import { CaseError, formatIssues, MAX_TOKENS, parseCase, showValue } from "./schema.ts";

/** The built-in presets, in bench/presets/. */
export const BUILTIN_PRESETS = [
  "quick",
  "paper-fig5",
  "exponents",
  "tiny",
  "example",
  "recall-small",
  "nbody-small",
  "recall-paper",
  "nbody-paper",
  "frameworks",
  "cpu-peer",
] as const;
const PRESETS_DIR = new URL("../../bench/presets/", import.meta.url);

const lengthSpec = z.union([
  z.number(),
  z.array(z.number()),
  z.strictObject({ doubling: z.tuple([z.number(), z.number()]) }),
  z.strictObject({ linspace: z.tuple([z.number(), z.number(), z.number()]) }),
], {
  error:
    "expected a length, a list of lengths, {doubling: [from, to]} or {linspace: [start, stop, count]}",
});

/** The zod schema of a sweep file. */
export const SweepFileSchema = z.strictObject({
  name: z.string().min(1).max(80).regex(/^[A-Za-z0-9._-]+$/, {
    error: "expected letters, digits, '.', '_' or '-'",
  }),
  description: z.string().default(""),
  memoryBudgetBytes: z.number().int().positive().optional(),
  defaults: z.record(z.string(), z.unknown()).default({}),
  grid: z.array(z.looseObject({ seqLen: lengthSpec }), {
    error: "expected a list of case templates",
  }).min(1),
});

/** A parsed sweep file. */
export type SweepFile = z.output<typeof SweepFileSchema>;

/** Command-line overrides applied while expanding. */
export interface SweepOverrides {
  /** Keep only these models. */
  models?: string[];
  /** Keep only these passes. */
  passes?: string[];
  /** Replace every grid entry's lengths with these. */
  lengths?: number[];
  /** Run every case on this backend. */
  backend?: string;
  /** Backend of the cases whose grid entry and defaults name none (e.g. the preferred one here). */
  defaultBackend?: string;
  /** Drop cases longer than this many tokens. */
  maxSeqLen?: number;
  /** Set every case's timeout, ms. */
  timeoutMs?: number;
  /** Set every case's minimum repeats. */
  repeats?: number;
  /** Run every case in this framework (`tfjs` drops a `device`). */
  framework?: string;
  /** Set the device of every torch case. */
  device?: string;
  /** Set every case's thread count. */
  threads?: number;
}

/** A sweep: validated cases and the settings that came with them. */
export interface Sweep {
  name: string;
  description: string;
  memoryBudgetBytes?: number;
  cases: Case[];
}

/** Drops `$`-prefixed keys (documentation) from an object, recursively for plain objects. */
function stripComments(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripComments);
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(
      Object.entries(v).filter(([k]) => !k.startsWith("$")).map(([k, x]) => [k, stripComments(x)]),
    );
  }
  return v;
}

/** Expands a `seqLen` spec into lengths. */
export function expandLengths(spec: unknown, field = "seqLen"): number[] {
  const check = (n: number) => {
    if (!Number.isInteger(n) || n < 1 || n > MAX_TOKENS) {
      throw new CaseError([
        `${field}: expected an integer in [1, ${MAX_TOKENS}], got ${showValue(n)}`,
      ]);
    }
    return n;
  };
  if (typeof spec === "number") return [check(spec)];
  if (Array.isArray(spec)) return spec.map((n) => check(n as number));
  if (spec && typeof spec === "object" && "doubling" in spec) {
    const [from, to] = (spec as { doubling: [number, number] }).doubling;
    check(from);
    check(to);
    const out: number[] = [];
    for (let n = from; n <= to; n *= 2) out.push(n);
    return out;
  }
  if (spec && typeof spec === "object" && "linspace" in spec) {
    const [start, stop, count] = (spec as { linspace: [number, number, number] }).linspace;
    if (!Number.isInteger(count) || count < 1 || count > 10_000) {
      throw new CaseError([
        `${field}.linspace[2]: expected a count in [1, 10000], got ${showValue(count)}`,
      ]);
    }
    const out = count === 1
      ? [Math.round(start)]
      : Array.from({ length: count }, (_, i) =>
        Math.round(start + (i * (stop - start)) / (count - 1)));
    return [...new Set(out.map(check))];
  }
  throw new CaseError([`${field}: expected a length or a length spec, got ${showValue(spec)}`]);
}

/** Cartesian product of an entry whose fields may be lists. */
function product(entry: Record<string, unknown>): Record<string, unknown>[] {
  let rows: Record<string, unknown>[] = [{}];
  for (const [key, value] of Object.entries(entry)) {
    const options = Array.isArray(value) ? value : [value];
    rows = rows.flatMap((row) => options.map((v) => ({ ...row, [key]: v })));
  }
  return rows;
}

/**
 * Parses a sweep file's JSON content.
 * @throws CaseError naming the field and value.
 */
export function parseSweepFile(input: unknown, source = "sweep file"): SweepFile {
  const clean = stripComments(input);
  const r = SweepFileSchema.safeParse(clean);
  if (!r.success) throw new CaseError(formatIssues(r.error, clean), source);
  return r.data;
}

/**
 * Expands a parsed sweep file into validated cases, applying `overrides`.
 * @throws CaseError naming the grid entry, field and value of the first bad case,
 * or saying that the overrides left no case.
 */
export function expandSweep(file: SweepFile, overrides: SweepOverrides = {}): Sweep {
  const cases: Case[] = [];
  const seen = new Set<string>();
  file.grid.forEach((rawEntry, i) => {
    const entry: Record<string, unknown> = { ...file.defaults, ...rawEntry };
    const lengths = overrides.lengths ?? expandLengths(entry.seqLen, `grid[${i}].seqLen`);
    for (const row of product({ ...entry, seqLen: lengths })) {
      if (overrides.backend !== undefined) row.backend = overrides.backend;
      else if (row.backend === undefined && overrides.defaultBackend !== undefined) {
        row.backend = overrides.defaultBackend;
      }
      if (overrides.timeoutMs !== undefined) row.timeoutMs = overrides.timeoutMs;
      if (overrides.repeats !== undefined) row.repeats = overrides.repeats;
      if (overrides.threads !== undefined) row.threads = overrides.threads;
      if (overrides.framework !== undefined) {
        row.framework = overrides.framework;
        if (overrides.framework !== "torch") delete row.device;
      }
      if (overrides.device !== undefined && (row.framework ?? "tfjs") === "torch") {
        row.device = overrides.device;
      }
      const c = parseCase(row, `grid[${i}]`);
      if (overrides.models && !overrides.models.includes(c.model)) continue;
      if (overrides.passes && !overrides.passes.includes(c.pass)) continue;
      if (overrides.maxSeqLen !== undefined && c.seqLen > overrides.maxSeqLen) continue;
      const id = caseId(c);
      if (seen.has(id)) continue;
      seen.add(id);
      cases.push(c);
    }
  });
  if (cases.length === 0) {
    const filters = [
      overrides.models && `models ${overrides.models.join(",")}`,
      overrides.passes && `passes ${overrides.passes.join(",")}`,
      overrides.maxSeqLen !== undefined && `max length ${overrides.maxSeqLen}`,
    ].filter(Boolean).join(" and ");
    throw new CaseError(
      [`grid: no case left${filters ? ` after filtering by ${filters}` : ""}`],
      file.name,
    );
  }
  return {
    name: file.name,
    description: file.description,
    ...(file.memoryBudgetBytes === undefined ? {} : { memoryBudgetBytes: file.memoryBudgetBytes }),
    cases,
  };
}

/** Resolves a preset name or a path to the sweep file's location. */
export function sweepFileUrl(presetOrPath: string): URL {
  if ((BUILTIN_PRESETS as readonly string[]).includes(presetOrPath)) {
    return new URL(`${presetOrPath}.json`, PRESETS_DIR);
  }
  if (!presetOrPath.endsWith(".json")) {
    throw new CaseError([
      `preset: unknown preset ${showValue(presetOrPath)}; expected one of ${
        BUILTIN_PRESETS.join(", ")
      } or a path to a .json sweep file`,
    ]);
  }
  const abs = presetOrPath.startsWith("/") ? presetOrPath : `${Deno.cwd()}/${presetOrPath}`;
  return new URL(`file://${abs}`);
}

/**
 * Loads and expands a preset (`quick`, `paper-fig5`, …) or a sweep file path.
 * @throws CaseError for an unknown preset, unreadable file, bad JSON or a bad case.
 */
export async function loadSweep(
  presetOrPath: string,
  overrides: SweepOverrides = {},
): Promise<Sweep> {
  const url = sweepFileUrl(presetOrPath);
  let text: string;
  try {
    text = await Deno.readTextFile(url);
  } catch (e) {
    throw new CaseError([
      `preset: cannot read ${showValue(presetOrPath)}: ${(e as Error).message}`,
    ]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CaseError([
      `preset: ${showValue(presetOrPath)} is not valid JSON: ${(e as Error).message}`,
    ]);
  }
  return expandSweep(parseSweepFile(json, presetOrPath), overrides);
}
