/**
 * `reports/<sweep-id>/results.json` and `results.csv`, written after every case so an
 * interrupted sweep loses nothing: each write goes to a temporary file renamed over the
 * old one (a reader never sees half a file). Rows are keyed by case id; adding a row for
 * an id already present replaces it.
 *
 * @module
 */
import { toCsv } from "../report/csv.ts";
import type { CaseResult, Environment, SweepResults } from "../results.ts";

/** File names inside a sweep's folder. */
export const RESULTS_JSON = "results.json";
/** CSV beside results.json. */
export const RESULTS_CSV = "results.csv";

/** Writes text atomically (temporary file in the same folder, then rename). */
async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${Deno.pid}`;
  await Deno.writeTextFile(tmp, text);
  await Deno.rename(tmp, path);
}

/** A sweep's results on disk. */
export class ResultsFile {
  /** The folder holding results.json. */
  readonly dir: string;
  /** The current content. */
  readonly data: SweepResults;

  private constructor(dir: string, data: SweepResults) {
    this.dir = dir;
    this.data = data;
  }

  /** Creates the folder and an empty results.json. */
  static async create(
    dir: string,
    init: { sweepId: string; preset?: string; environment: Environment; [extra: string]: unknown },
  ): Promise<ResultsFile> {
    await Deno.mkdir(dir, { recursive: true });
    const file = new ResultsFile(dir, {
      ...init,
      createdAt: new Date().toISOString(),
      results: [],
    });
    await file.flush();
    return file;
  }

  /**
   * Opens an existing results.json (for `--resume`).
   * @throws Error naming the path when it is missing or not a results file.
   */
  static async open(dir: string): Promise<ResultsFile> {
    const path = `${dir}/${RESULTS_JSON}`;
    let data: SweepResults;
    try {
      data = JSON.parse(await Deno.readTextFile(path));
    } catch (e) {
      throw new Error(`resume: cannot read ${path}: ${(e as Error).message}`);
    }
    if (!data || typeof data.sweepId !== "string" || !Array.isArray(data.results)) {
      throw new Error(`resume: ${path} is not a results.json (no sweepId/results)`);
    }
    return new ResultsFile(dir, data);
  }

  /** Path of results.json. */
  get jsonPath(): string {
    return `${this.dir}/${RESULTS_JSON}`;
  }

  /** The recorded row of case `id`, if any. */
  get(id: string): CaseResult | undefined {
    return this.data.results.find((r) => r.id === id);
  }

  /** Adds (or replaces, by id) a row and writes both files. */
  async add(result: CaseResult): Promise<void> {
    const i = this.data.results.findIndex((r) => r.id === result.id);
    if (i >= 0) this.data.results[i] = result;
    else this.data.results.push(result);
    await this.flush();
  }

  /** Sets top-level fields (e.g. `finishedAt`) and writes. */
  async set(fields: Record<string, unknown>): Promise<void> {
    Object.assign(this.data, fields);
    await this.flush();
  }

  /** Writes results.json and results.csv. */
  async flush(): Promise<void> {
    await writeAtomic(this.jsonPath, JSON.stringify(this.data, null, 2) + "\n");
    await writeAtomic(`${this.dir}/${RESULTS_CSV}`, toCsv(this.data));
  }
}
