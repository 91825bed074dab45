/**
 * `deno task report <results.json> [--compare <other.json>] [--out <dir>]`: renders the
 * HTML report of a sweep (`index.html`, plus `results.csv`/`results.json` where
 * absent) into `--out` (default: the folder of results.json) and prints its path.
 *
 * Exit codes: 0 written; 2 bad usage or a missing/invalid results file (the message
 * names the file and the field); 1 anything else.
 *
 * @module
 */

import { Command, CommanderError } from "commander";
import { loadResults, reportFolder, ResultsFileError } from "../report/load.ts";
import { writeReport } from "../report/render.ts";

/** Parsed command line. */
export interface ReportArgs {
  results: string;
  compare?: string;
  out?: string;
}

/** Builds the commander program (exits become {@link CommanderError}s). */
export function buildProgram(): Command {
  return new Command("report")
    .description("Render the self-contained HTML report of a sweep's results.json.")
    .argument("<results.json>", "the sweep's results file")
    .option("--compare <other.json>", "a second sweep to compare with, case by case")
    .option("--out <dir>", "output folder (default: the folder of results.json)")
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeErr: (s) => Deno.stderr.writeSync(new TextEncoder().encode(s)) });
}

/** Parses `args` (without the program name). @throws {CommanderError} on bad usage. */
export function parseArgs(args: readonly string[]): ReportArgs {
  const program = buildProgram();
  program.parse([...args], { from: "user" });
  const opts = program.opts<{ compare?: string; out?: string }>();
  return { results: program.args[0], compare: opts.compare, out: opts.out };
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
    throw e;
  }
  try {
    const results = await loadResults(parsed.results);
    const other = parsed.compare ? await loadResults(parsed.compare) : null;
    const dir = parsed.out ?? await reportFolder(parsed.results);
    const path = await writeReport(results, dir, { compare: other });
    console.log(path);
    return 0;
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
