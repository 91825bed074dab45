/**
 * `reports/<sweep-id>/results.json` and `results.csv`, written after every case so an
 * interrupted sweep loses nothing: each write goes to a temporary file, is fsynced, and
 * is renamed over the old one, and the folder is fsynced (a reader never sees half a
 * file; a power cut leaves the old or the new one). Rows are keyed by case id; adding a
 * row for an id already present replaces it.
 *
 * {@link ResultsFile.verify} re-reads the file and checks it holds given rows: the
 * distributed coordinator deletes the JetStream store (the other copy of the results)
 * only after that check passes.
 *
 * A write that fails (disk full, read-only, permissions) throws a {@link ResultsWriteError}
 * naming the path and the system's reason; the previous results.json stays as it was.
 *
 * @module
 */
import { toCsv } from "../report/csv.ts";
import type { CaseResult, Environment, SweepResults } from "../results.ts";

/** File names inside a sweep's folder. */
export const RESULTS_JSON = "results.json";
/** CSV beside results.json. */
export const RESULTS_CSV = "results.csv";

/** A results file could not be written (the message names the path and the reason). */
export class ResultsWriteError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ResultsWriteError";
  }
}

/**
 * Writes text atomically and durably: a temporary file in the same folder, written in
 * full and fsynced, renamed over `path`, then the folder fsynced. On failure the
 * temporary file is removed and `path` is untouched.
 * @throws ResultsWriteError naming `path`.
 */
export async function writeDurable(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${Deno.pid}`;
  try {
    const f = await Deno.open(tmp, { write: true, create: true, truncate: true });
    try {
      const data = new TextEncoder().encode(text);
      let written = 0;
      while (written < data.length) written += await f.write(data.subarray(written));
      await f.sync();
    } finally {
      f.close();
    }
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw new ResultsWriteError(`writing ${path}: ${(e as Error).message}`, { cause: e });
  }
  try {
    const d = await Deno.open(path.replace(/\/[^/]*$/, "") || ".", { read: true });
    try {
      await d.sync();
    } finally {
      d.close();
    }
  } catch { /* folders cannot be opened for sync on every OS; the rename is done */ }
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

  /**
   * Writes results.json and results.csv (see {@link writeDurable}).
   * @throws ResultsWriteError naming the file.
   */
  async flush(): Promise<void> {
    await writeDurable(this.jsonPath, JSON.stringify(this.data, null, 2) + "\n");
    await writeDurable(`${this.dir}/${RESULTS_CSV}`, toCsv(this.data));
  }

  /**
   * Re-reads results.json from disk and checks that it holds a row for each of `ids`
   * with the same status as in memory.
   * @throws ResultsWriteError naming the path and the first missing or different row.
   */
  async verify(ids: Iterable<string>): Promise<void> {
    let disk: SweepResults;
    try {
      disk = JSON.parse(await Deno.readTextFile(this.jsonPath));
    } catch (e) {
      throw new ResultsWriteError(`re-reading ${this.jsonPath}: ${(e as Error).message}`);
    }
    const onDisk = new Map((disk.results ?? []).map((r) => [r.id, r.status]));
    for (const id of ids) {
      const want = this.get(id)?.status;
      if (!onDisk.has(id) || onDisk.get(id) !== want) {
        throw new ResultsWriteError(
          `re-reading ${this.jsonPath}: row ${id} is ${
            onDisk.has(id) ? `"${onDisk.get(id)}", expected "${want}"` : "missing"
          }`,
        );
      }
    }
  }
}
