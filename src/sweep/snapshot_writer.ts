/**
 * Periodic results.json writes of a running sweep: after every new result the whole state
 * (a snapshot) is written through {@link ResultsFile} (atomic, fsynced), one write at a
 * time; results that arrive during a write are coalesced into the next one.
 *
 * A write that fails (disk full, read-only folder) stops the sweep: {@link
 * SnapshotWriter.failed} rejects with the error, reworded by `describeFailure` (which says
 * where the results are still kept and how to continue); running more cases whose results
 * could not be saved would only add risk.
 *
 * @module
 */
import type { SweepResults } from "../results.ts";
import type { ResultsFile } from "./results_file.ts";

/** Options of {@link SnapshotWriter}. */
export interface SnapshotWriterOptions {
  /** Where to write. */
  file: ResultsFile;
  /** The state to write (called for each write). */
  snapshot: () => SweepResults;
  /** Turns a write error into the error the sweep stops with. Default: the error itself. */
  describeFailure?: (e: Error) => Error;
  /** Called once with that error. */
  onFailure?: (e: Error) => void;
}

/** Writes snapshots of a sweep to results.json (see the module doc). */
export class SnapshotWriter {
  #opts: SnapshotWriterOptions;
  #flushing: Promise<void> | undefined;
  #dirty = false;
  #error: Error | undefined;
  #reject!: (e: Error) => void;
  /** Rejects with the first write failure (described); never resolves. */
  readonly failed: Promise<never>;

  constructor(opts: SnapshotWriterOptions) {
    this.#opts = opts;
    this.failed = new Promise<never>((_, reject) => (this.#reject = reject));
    this.failed.catch(() => {});
  }

  /** The write failure the sweep stopped with, if any. */
  get error(): Error | undefined {
    return this.#error;
  }

  /** Writes the latest snapshot (coalesced with writes already waiting). */
  save(): Promise<void> {
    this.#dirty = true;
    this.#flushing ??= (async () => {
      try {
        while (this.#dirty) {
          this.#dirty = false;
          const { file } = this.#opts;
          const snap = this.#opts.snapshot();
          for (const k of Object.keys(file.data)) delete file.data[k];
          Object.assign(file.data, snap);
          await file.flush();
        }
      } finally {
        this.#flushing = undefined;
      }
    })();
    return this.#flushing;
  }

  /** {@link save} in the background: a failure rejects {@link failed}. */
  saveSoon(): void {
    this.save().catch((e) => this.fail(e));
  }

  /** Waits for the writes under way. */
  async settle(): Promise<void> {
    while (this.#flushing) await this.#flushing.catch(() => {});
  }

  /** Records a write failure (the first one counts) and returns the error to stop with. */
  fail(e: Error): Error {
    if (!this.#error) {
      this.#error = this.#opts.describeFailure?.(e) ?? e;
      this.#opts.onFailure?.(this.#error);
      this.#reject(this.#error);
    }
    return this.#error;
  }

  /**
   * The final write: waits for pending writes, writes once more and re-reads the file,
   * checking it holds a row for each of `ids`.
   * @throws the described error when a write or the check fails.
   */
  async finish(ids: Iterable<string>): Promise<void> {
    if (this.#error) throw this.#error;
    try {
      await this.settle();
      await this.save();
      await this.#opts.file.verify(ids);
    } catch (e) {
      throw this.fail(e as Error);
    }
  }
}
