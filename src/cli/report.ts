/**
 * `deno task report`: the HTML report of a sweep, a regression gate between two sweeps,
 * or the history of many.
 *
 * - `report <results.json|folder> [--out <dir>]`: renders `index.html` (plus
 *   `results.csv`/`results.json` where absent) into `--out` (default: the sweep's
 *   folder) and prints its path.
 * - `report <baseline> --compare <candidate> [--fail-if-slower <pct>]`: also prints a
 *   terminal table (medians with 95% CIs, ratio candidate ÷ baseline, faster/slower/same
 *   beyond the noise), the cases one side only ran and the configuration and environment
 *   differences, and writes the baseline's report with a comparison section as
 *   `compare-<candidate id>.html` into `--out` (default: the baseline's folder; its
 *   `index.html` is left alone). With
 *   `--fail-if-slower 5%` it exits 1 when a case is slower beyond the noise and by more
 *   than 5%.
 * - `report --history <results.json|folder>… [--step-threshold <pct>] [--out <dir>]`:
 *   writes `history.html` (each case's median across the sweeps by commit date, step
 *   changes marked) into `--out` (default: the current folder), prints the step changes
 *   and the path.
 *
 * Exit codes: 0 written (and the gate passed); 1 the gate failed, or anything else went
 * wrong; 2 bad usage or a missing/invalid results file (the message names the file and
 * the field, or the option and its value).
 *
 * @module
 */

import { Command, CommanderError } from "commander";
import { compareSweeps, parseThreshold, regressions } from "../report/compare.ts";
import { compareText } from "../report/compare_text.ts";
import { buildHistory } from "../report/history.ts";
import { historyText, writeHistory } from "../report/history_page.ts";
import { loadResults, reportFolder, ResultsFileError } from "../report/load.ts";
import { renderReport, writeReport } from "../report/render.ts";
import type { SweepResults } from "../results.ts";

/** Parsed command line. */
export interface ReportArgs {
  /** The sweep (or, with `history`, every sweep): results.json files or their folders. */
  inputs: string[];
  compare?: string;
  /** `--fail-if-slower` as a fraction. */
  failIfSlower?: number;
  history: boolean;
  /** `--step-threshold` as a fraction (history). Default 0.05. */
  stepThreshold: number;
  out?: string;
}

/** A command line that parses but does not make sense. */
export class UsageError extends Error {
  /** @param message what is wrong, naming the option and value. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Builds the commander program (exits become {@link CommanderError}s). */
export function buildProgram(): Command {
  return new Command("report")
    .description(
      "Render the self-contained HTML report of a sweep, compare two sweeps (a regression " +
        "gate), or show the history of several.",
    )
    .argument("[results...]", "results.json files, or sweep folders that hold one")
    .option("--compare <candidate>", "compare with a candidate sweep (the argument: baseline)")
    .option(
      "--fail-if-slower <pct>",
      "with --compare: exit 1 when a case is slower beyond noise and by more than pct (5%)",
    )
    .option("--history", "the history of the given sweeps (history.html)")
    .option("--step-threshold <pct>", "history: minimum change of a step (default 5%)")
    .option("--out <dir>", "output folder (default: the sweep's folder; history: .)")
    .exitOverride()
    .configureOutput({ writeErr: (s) => Deno.stderr.writeSync(new TextEncoder().encode(s)) });
}

function threshold(option: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = parseThreshold(text);
  if (v === null) {
    throw new UsageError(
      `${option}: expected a non-negative percentage such as 5%, got ${JSON.stringify(text)}`,
    );
  }
  return v;
}

/**
 * Parses `args` (without the program name).
 * @throws {CommanderError} on bad usage commander detects; {@link UsageError} on the rest.
 */
export function parseArgs(args: readonly string[]): ReportArgs {
  const program = buildProgram();
  program.parse([...args], { from: "user" });
  const opts = program.opts<{
    compare?: string;
    failIfSlower?: string;
    history?: boolean;
    stepThreshold?: string;
    out?: string;
  }>();
  const parsed: ReportArgs = {
    inputs: program.args,
    compare: opts.compare,
    failIfSlower: threshold("--fail-if-slower", opts.failIfSlower),
    history: opts.history === true,
    stepThreshold: threshold("--step-threshold", opts.stepThreshold) ?? 0.05,
    out: opts.out,
  };
  const n = parsed.inputs.length;
  if (parsed.history) {
    if (n === 0) throw new UsageError("--history: give one or more results.json files or folders");
    if (parsed.compare !== undefined || parsed.failIfSlower !== undefined) {
      throw new UsageError("--history cannot be combined with --compare or --fail-if-slower");
    }
  } else {
    if (n !== 1) {
      throw new UsageError(
        n === 0
          ? "missing the results.json (or sweep folder) argument"
          : `one results.json expected, got ${n}: ${parsed.inputs.join(" ")} (--history for many)`,
      );
    }
    if (opts.stepThreshold !== undefined) throw new UsageError("--step-threshold needs --history");
    if (parsed.failIfSlower !== undefined && parsed.compare === undefined) {
      throw new UsageError("--fail-if-slower needs --compare <candidate>");
    }
  }
  return parsed;
}

async function history(parsed: ReportArgs): Promise<number> {
  const inputs = [];
  for (const path of parsed.inputs) inputs.push({ path, results: await loadResults(path) });
  const h = buildHistory(inputs, { threshold: parsed.stepThreshold });
  console.log(historyText(h));
  console.log(await writeHistory(h, parsed.out ?? "."));
  return 0;
}

/**
 * Writes the baseline's report with the comparison section as
 * `<dir>/compare-<candidate sweep id>.html` (unsafe characters of the id as `_`), so the
 * sweep's own `index.html` (perhaps a committed report) stays as it is; returns the path.
 */
export async function writeComparePage(
  baseline: SweepResults,
  candidate: SweepResults,
  dir: string,
): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  const name = `compare-${candidate.sweepId.replace(/[^A-Za-z0-9._-]/g, "_")}.html`;
  const path = `${dir.replace(/\/+$/, "")}/${name}`;
  await Deno.writeTextFile(path, renderReport(baseline, { compare: candidate }));
  return path;
}

async function report(parsed: ReportArgs): Promise<number> {
  const input = parsed.inputs[0];
  const results = await loadResults(input);
  const dir = parsed.out ?? await reportFolder(input);
  if (parsed.compare === undefined) {
    console.log(await writeReport(results, dir));
    return 0;
  }
  const other = await loadResults(parsed.compare);
  const cmp = compareSweeps(results, other);
  console.log(
    compareText(
      { path: input, results },
      { path: parsed.compare, results: other },
      cmp,
      parsed.failIfSlower,
    ),
  );
  console.log(await writeComparePage(results, other, dir));
  const failed = parsed.failIfSlower !== undefined &&
    regressions(cmp, parsed.failIfSlower).length > 0;
  return failed ? 1 : 0;
}

/** Runs the command; returns the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  let parsed: ReportArgs;
  try {
    parsed = parseArgs(args);
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === "commander.helpDisplayed" || e.code === "commander.version" ? 0 : 2;
    }
    if (e instanceof UsageError) {
      console.error(`report: ${e.message}`);
      return 2;
    }
    throw e;
  }
  try {
    return parsed.history ? await history(parsed) : await report(parsed);
  } catch (e) {
    if (e instanceof ResultsFileError) {
      console.error(`report: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    console.error(`report: ${(e as Error).stack ?? e}`);
    Deno.exit(1);
  }
}
