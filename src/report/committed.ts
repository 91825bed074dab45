/**
 * The committed reports (`reports/<sweep>/`) re-rendered from their own `results.json`, so a
 * renderer change cannot leave a published page stale: `deno task report:committed`
 * rewrites every `index.html` and `results.csv` there, and `committed_test.ts` fails while
 * any committed page differs from what the renderer makes of its data now.
 *
 * The footer's time stamp is the sweep's last finish (else its creation), not the time of
 * rendering, so re-rendering unchanged data gives the same bytes.
 *
 * @module
 */

import { toCsv } from "./csv.ts";
import { loadResults } from "./load.ts";
import { renderReport } from "./render.ts";
import type { SweepResults } from "../results.ts";

/** The folder of the committed reports. */
export const COMMITTED_ROOT: string = new URL("../../reports", import.meta.url).pathname;

/** The repository's `.gitignore`: it ignores `reports/*` except the reference runs. */
export const GITIGNORE: string = new URL("../../.gitignore", import.meta.url).pathname;

/**
 * The committed report folders under `root`, sorted: those `.gitignore` keeps
 * (`!reports/<name>/`) that hold a `results.json`. A sweep's own new folder is not one of
 * them until it is added there, so running a sweep never makes the committed test fail.
 */
export async function committedReports(
  root: string = COMMITTED_ROOT,
  gitignore: string = GITIGNORE,
): Promise<string[]> {
  const kept = (await Deno.readTextFile(gitignore)).split("\n")
    .map((line) => /^!reports\/([^/*]+)\/?\s*$/.exec(line.trim())?.[1])
    .filter((name): name is string => name !== undefined);
  const out: string[] = [];
  for (const name of kept) {
    try {
      await Deno.stat(`${root}/${name}/results.json`);
      out.push(`${root}/${name}`);
    } catch {
      // not a report folder
    }
  }
  return out.sort();
}

/** The time a committed report says it was generated: the sweep's last finish, else its creation. */
export function committedTimestamp(results: SweepResults): Date {
  const times = [
    results.finishedAt,
    ...results.results.map((r) => r.finishedAt),
    results.createdAt,
  ].map((t) => Date.parse(String(t ?? ""))).filter(Number.isFinite);
  return new Date(times.length ? Math.max(...times) : 0);
}

/** The page and CSV the renderer makes of `dir/results.json` now. */
export async function renderCommitted(dir: string): Promise<{ html: string; csv: string }> {
  const results = await loadResults(`${dir}/results.json`);
  return {
    html: renderReport(results, { generatedAt: committedTimestamp(results) }),
    csv: toCsv(results),
  };
}

/** The page with the footer's render time stamp blanked (for comparisons). */
export function withoutTimestamp(page: string): string {
  return page.replace(/(<footer>Generated )[^ <]+( by)/, "$1…$2");
}

/** Rewrites `index.html` and `results.csv` of each folder; returns the folders. */
export async function writeCommitted(dirs?: readonly string[]): Promise<string[]> {
  const list = dirs?.length ? [...dirs] : await committedReports();
  for (const dir of list) {
    const { html, csv } = await renderCommitted(dir);
    await Deno.writeTextFile(`${dir}/index.html`, html);
    await Deno.writeTextFile(`${dir}/results.csv`, csv);
  }
  return list;
}

if (import.meta.main) {
  for (const dir of await writeCommitted(Deno.args)) console.log(`${dir}/index.html`);
}
