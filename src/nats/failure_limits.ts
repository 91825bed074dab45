/**
 * Skip-after-OOM across workers: the smallest length at which a case group ran out of
 * memory (or timed out) on a device class, shared by every worker of a sweep through a
 * JetStream key-value bucket.
 *
 * The rule is the local sweep's (src/sweep/local.ts, {@link FailureTracker}): when a
 * case of a group — the case without its length, see {@link groupKey} — ends `oom` at
 * length N, the larger lengths of that group are not run; each is recorded `skipped` (`skippedAfter: "oom"`) with
 * `skipped: true` and `oomAt: N`. A `timeout` at N likewise records larger lengths as
 * `skipped` (`skippedAfter: "timeout"`). Distributed, "the same device" becomes "the same device
 * class": workers with the same class string (default `cpu` or `gpu`, or the worker's
 * `--device-class`) and the same memory budget share their limits; a worker of another
 * class runs the case itself.
 *
 * Storage: bucket `limitsBucket(sweepId)` (src/nats/protocol.ts), one key per (group, device class,
 * memory budget) — {@link limitKey} — holding a {@link FailureLimit}. Writers keep the
 * minimum with compare-and-set (`create` / `update` at a revision), so two workers
 * recording different lengths at once cannot raise the limit. The coordinator creates
 * the bucket with the sweep's streams (`ensureSweepStreams`) and deletes it with them.
 *
 * Values are untrusted input (anyone allowed on the subject can write them):
 * {@link parseFailureLimit} accepts only a well-formed limit; anything else is ignored,
 * i.e. the case runs.
 *
 * @module
 */
import type { KV } from "@nats-io/kv";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { createHash } from "node:crypto";
import { canonicalJson } from "../case/id.ts";
import type { Case, CaseResult } from "../results.ts";
import { FailureTracker } from "../sweep/failure_tracker.ts";
import { groupKey } from "../sweep/schedule.ts";
import { limitsBucket } from "./protocol.ts";

/** Where a limit applies: a device class and the memory budget of each case's process. */
export interface DeviceScope {
  /** E.g. `cpu`, `gpu`, `a10g`. */
  deviceClass: string;
  /** RSS budget of each case, bytes; `null` when the runner's default applies. */
  memoryBudgetBytes: number | null;
}

/** The value stored per key. */
export interface FailureLimit {
  v: 1;
  status: "oom" | "timeout";
  /** The smallest failing length of the group on this device scope. */
  seqLen: number;
  /** The case that failed there, and who ran it (for the record). */
  caseId: string;
  workerId?: string;
  deviceClass: string;
}

/** The key of a case's group on a device scope: 32 hex digits of a SHA-256. */
export function limitKey(c: Case, scope: DeviceScope): string {
  return createHash("sha256")
    .update(canonicalJson({
      group: groupKey(c),
      deviceClass: scope.deviceClass,
      memoryBudgetBytes: scope.memoryBudgetBytes,
    }))
    .digest("hex")
    .slice(0, 32);
}

/** Validates a stored limit (untrusted); null if it is not one. */
export function parseFailureLimit(data: Uint8Array): FailureLimit | null {
  if (data.length > 4096) return null;
  try {
    const v = JSON.parse(new TextDecoder().decode(data));
    if (
      v && typeof v === "object" && v.v === 1 && (v.status === "oom" || v.status === "timeout") &&
      Number.isInteger(v.seqLen) && v.seqLen > 0 && typeof v.caseId === "string" &&
      typeof v.deviceClass === "string"
    ) return v as FailureLimit;
  } catch { /* not JSON */ }
  return null;
}

/** One worker's view of a sweep's failure limits. */
export class FailureLimits {
  readonly #kv: KV;
  readonly #scope: DeviceScope;

  constructor(kv: KV, scope: DeviceScope) {
    this.#kv = kv;
    this.#scope = scope;
  }

  /** Opens the bucket of `sweepId`, or returns null if the coordinator did not create one. */
  static async open(
    nc: NatsConnection,
    sweepId: string,
    scope: DeviceScope,
  ): Promise<FailureLimits | null> {
    try {
      const kv = await new Kvm(nc).open(limitsBucket(sweepId));
      await kv.status(); // fails when the bucket does not exist
      return new FailureLimits(kv, scope);
    } catch {
      return null;
    }
  }

  /** The current limit of `c`'s group on this scope, if any. */
  async limit(c: Case): Promise<FailureLimit | null> {
    return (await this.#entry(limitKey(c, this.#scope))).limit;
  }

  /** The stored limit (null if absent or malformed) and the key's revision (0 if absent). */
  async #entry(key: string): Promise<{ limit: FailureLimit | null; revision: number }> {
    const e = await this.#kv.get(key);
    if (!e) return { limit: null, revision: 0 };
    return {
      limit: e.operation === "PUT" ? parseFailureLimit(e.value) : null,
      revision: e.revision,
    };
  }

  /**
   * The skipped result for `c` when a smaller length of its group failed on this scope
   * (same fields as a local sweep's skip: `status`, `skipped: true`, `oomAt`, `error`),
   * else null.
   */
  async skip(c: Case): Promise<CaseResult | null> {
    const found = await this.limit(c);
    if (!found) return null;
    const tracker = new FailureTracker();
    const { status, seqLen } = found;
    tracker.record({
      status,
      case: { ...c, seqLen },
      ...(status === "oom" ? { oomAt: seqLen } : {}),
    } as CaseResult);
    const r = tracker.skip(c);
    if (!r) return null;
    const where = this.#scope.deviceClass ? ` on device class ${this.#scope.deviceClass}` : "";
    return { ...r, error: `${r.error}${where}` };
  }

  /**
   * Records a result: an `oom` or `timeout` that was really run lowers its group's limit
   * (compare-and-set; retried on conflicts). Returns whether the stored limit changed.
   */
  async record(r: CaseResult, workerId?: string): Promise<boolean> {
    if ((r.status !== "oom" && r.status !== "timeout") || r.skipped === true) return false;
    const seqLen = r.status === "oom" && typeof r.oomAt === "number" ? r.oomAt : r.case.seqLen;
    const key = limitKey(r.case, this.#scope);
    const value: FailureLimit = {
      v: 1,
      status: r.status,
      seqLen,
      caseId: r.id,
      ...(workerId ? { workerId } : {}),
      deviceClass: this.#scope.deviceClass,
    };
    const data = JSON.stringify(value);
    for (let attempt = 0; attempt < 20; attempt++) {
      const cur = await this.#entry(key);
      if (cur.limit && cur.limit.seqLen <= seqLen) return false;
      try {
        if (cur.revision > 0) await this.#kv.update(key, data, cur.revision);
        else await this.#kv.create(key, data);
        return true;
      } catch (e) {
        // Another writer got there first (wrong last sequence / key exists): read again.
        if (!/wrong last sequence|exists/i.test((e as Error).message)) throw e;
      }
    }
    throw new Error(`failure limit ${key}: gave up after 20 conflicting writes`);
  }
}
