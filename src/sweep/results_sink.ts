/**
 * Where a sweep's results go, whichever executor ran them: one row per case id, the first
 * valid result wins. It is seeded with the rows of an earlier run (`--resume`): those
 * cases count as done and are not run again; rows of cases that are not in this run are
 * kept as they are ("foreign": a stored result is never dropped).
 *
 * Duplicates (a redelivered case, a result seen both live and in the store) are refused,
 * except that a real result replaces a `failed` row (recorded by the coordinator when it
 * gave up on a case whose worker was only slow). Results of cases not in the sweep are
 * refused.
 *
 * @module
 */
import { caseId } from "../case/id.ts";
import type { Case, CaseResult } from "../results.ts";

/** Why a result is refused (see {@link ResultsSink.refusal}). */
export type Refusal = "unknown case" | "duplicate";

/** The results of one sweep (see the module doc). */
export class ResultsSink {
  #cases = new Map<string, { c: Case; index: number }>();
  #results = new Map<string, CaseResult>();
  #foreign: CaseResult[] = [];
  #listeners: Array<(r: CaseResult) => void> = [];

  /**
   * @param cases the sweep's cases (duplicates by id count once; the first is kept).
   * @param previous rows recorded earlier (resume); recorded without listeners.
   */
  constructor(cases: readonly Case[], previous: readonly CaseResult[] = []) {
    cases.forEach((c, index) => {
      const id = caseId(c);
      if (!this.#cases.has(id)) this.#cases.set(id, { c, index });
    });
    for (const r of previous) {
      if (this.#cases.has(r.id)) this.#results.set(r.id, r);
      else this.#foreign.push(r);
    }
  }

  /** Number of distinct cases. */
  get total(): number {
    return this.#cases.size;
  }

  /** Cases with a result. */
  get size(): number {
    return this.#results.size;
  }

  /** Whether every case has a result. */
  get complete(): boolean {
    return this.#results.size >= this.#cases.size;
  }

  /** The case ids, in the order given. */
  ids(): string[] {
    return [...this.#cases.keys()];
  }

  /** The sweep's case of `id` (undefined: not a case of this sweep). */
  caseOf(id: string): Case | undefined {
    return this.#cases.get(id)?.c;
  }

  /** Index of case `id` in the given list (first occurrence). */
  indexOf(id: string): number | undefined {
    return this.#cases.get(id)?.index;
  }

  /** Whether case `id` has a result. */
  has(id: string): boolean {
    return this.#results.has(id);
  }

  /** The result of case `id`. */
  get(id: string): CaseResult | undefined {
    return this.#results.get(id);
  }

  /** Cases without a result, in the order given. */
  pending(): Case[] {
    return [...this.#cases].filter(([id]) => !this.#results.has(id)).map(([, v]) => v.c);
  }

  /** Why `r` would be refused, or undefined when it would be recorded. */
  refusal(r: CaseResult): Refusal | undefined {
    if (!this.#cases.has(r.id)) return "unknown case";
    const had = this.#results.get(r.id);
    if (had && !(had.status === "failed" && r.status !== "failed")) return "duplicate";
    return undefined;
  }

  /** Records `r` unless refused; listeners hear of each recorded result. */
  record(r: CaseResult): boolean {
    if (this.refusal(r) !== undefined) return false;
    this.#results.set(r.id, r);
    for (const l of this.#listeners) l(r);
    return true;
  }

  /** Calls `listener` with every result recorded from now on. */
  onRecord(listener: (r: CaseResult) => void): void {
    this.#listeners.push(listener);
  }

  /** All rows: this sweep's in case order, then the foreign ones as they were. */
  rows(): CaseResult[] {
    const own = [...this.#results.values()].sort((a, b) =>
      this.#cases.get(a.id)!.index - this.#cases.get(b.id)!.index
    );
    return [...own, ...this.#foreign];
  }
}
