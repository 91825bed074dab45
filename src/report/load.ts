/**
 * Reading a `results.json` for the report: parse, then check the fields the report
 * relies on (unknown extra fields are kept), with errors that name the file, the
 * field and the value.
 *
 * @module
 */

import { z } from "zod";
import { CASE_STATUSES, type CaseStatus, type SweepResults } from "../results.ts";

/** A results file that cannot be read or is not a results.json. */
export class ResultsFileError extends Error {
  /** @param path the file; @param detail what is wrong with it. */
  constructor(readonly path: string, detail: string) {
    super(`${path}: ${detail}`);
    this.name = "ResultsFileError";
  }
}

const num = z.number();
const nullableNum = z.number().nullable().optional();

const timeSchema = z.looseObject({
  median: num,
  p10: num.optional(),
  p90: num.optional(),
  n: num.optional(),
  medianCI: z.tuple([num, num]).optional(),
}).nullable().optional();

const rowSchema = z.looseObject({
  id: z.string(),
  case: z.looseObject({
    model: z.string(),
    pass: z.string(),
    seqLen: num,
    batch: num.optional(),
    preset: z.string().optional(),
    backend: z.string().optional(),
    label: z.string().optional(),
  }),
  status: z.enum(CASE_STATUSES as [CaseStatus, ...CaseStatus[]]),
  timeMs: timeSchema,
  memory: z.looseObject({
    peakBytes: nullableNum,
    rssPeakBytes: nullableNum,
    deviceBytes: nullableNum,
    budgetBytes: nullableNum,
  }).optional(),
  flops: nullableNum,
  worker: z.looseObject({}).optional(),
  error: z.string().optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
});

/** The checked shape of a results.json (a subset of `SweepResults`; extra fields kept). */
export const sweepResultsSchema = z.looseObject({
  sweepId: z.string(),
  createdAt: z.string(),
  environment: z.looseObject({}).optional(),
  results: z.array(rowSchema),
});

function describe(value: unknown): string {
  const s = JSON.stringify(value);
  return s === undefined ? "nothing" : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function at(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data;
  for (const k of path) v = (v as Record<PropertyKey, unknown> | undefined)?.[k];
  return v;
}

/**
 * Parses and checks the text of a results.json.
 * @throws {ResultsFileError} on invalid JSON or a missing/mistyped field, e.g.
 * `r.json: results[3].case.seqLen: expected number, got "abc"`.
 */
export function parseResults(text: string, path = "results.json"): SweepResults {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ResultsFileError(path, `not valid JSON (${(e as Error).message})`);
  }
  const r = sweepResultsSchema.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue.path.reduce<string>(
      (s, k) => typeof k === "number" ? `${s}[${k}]` : s ? `${s}.${String(k)}` : String(k),
      "",
    ) || "(top level)";
    const expected = "expected" in issue ? `expected ${issue.expected}` : issue.message;
    const more = r.error.issues.length > 1 ? ` (and ${r.error.issues.length - 1} more)` : "";
    throw new ResultsFileError(
      path,
      `${where}: ${expected}, got ${describe(at(data, issue.path))}${more}`,
    );
  }
  const out = r.data as unknown as SweepResults;
  out.environment ??= {} as SweepResults["environment"];
  for (const row of out.results) {
    row.memory ??= { peakBytes: null, rssPeakBytes: null, deviceBytes: null };
    row.worker ??= { host: "?", device: "?", backend: String(row.case.backend ?? "?") };
    row.timeMs ??= null;
    // Sweeps before the `skipped` status recorded cases never run (past an OOM) as
    // `oom` with `skipped: true`: they did not run out of memory themselves.
    if (row.status === "oom" && row.skipped === true) row.status = "skipped";
  }
  return out;
}

/** Whether `path` is a folder (false when it does not exist). */
async function isFolder(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}

/**
 * The results file a path names: `path` itself, or `results.json` inside it when it is a
 * folder (`deno task report reports/my-sweep`).
 */
export async function resultsFile(path: string): Promise<string> {
  return await isFolder(path) ? `${path.replace(/\/+$/, "")}/results.json` : path;
}

/**
 * The folder a report of `path` goes to by default: `path` itself when it is a folder,
 * else the folder of the results file.
 */
export async function reportFolder(path: string): Promise<string> {
  if (await isFolder(path)) return path.replace(/\/+$/, "") || "/";
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : path.slice(0, i) || "/";
}

/**
 * Reads and checks a results.json; `path` may be the folder that holds it.
 * @throws {ResultsFileError} when the file is missing, unreadable or invalid.
 */
export async function loadResults(path: string): Promise<SweepResults> {
  path = await resultsFile(path);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound ? "no such file" : (e as Error).message;
    throw new ResultsFileError(path, `cannot read it (${why})`);
  }
  return parseResults(text, path);
}
