/**
 * The order in which a sweep hands out its cases (harness.md §3), for both executors.
 *
 * A case's group is the case without its length (model, pass, backend, preset, batch,
 * attention, framework, …): {@link groupKey}. Orders:
 *
 * - `"ascending"` ({@link orderAscending}): groups in the order they first appear, each in
 *   ascending length. The local executor's order: one worker gains nothing from
 *   reordering, while ascending lengths are what make skip-after-OOM work.
 * - `"grouped"` ({@link orderGroupedInterleaved}): every group in ascending length, groups
 *   interleaved round by round, the group with the most estimated cost left first. The
 *   default of a distributed sweep: concurrent workers get different groups (a length
 *   rarely runs while a smaller one of its group is still undecided, which would run it
 *   for nothing), and the heaviest groups' long chains start first (a shorter makespan).
 * - `"largest-first"` ({@link orderLargestFirst}): the most expensive case first. Best
 *   balance on paper, but it starts with exactly the cases most likely to run out of
 *   memory and so defeats skip-after-OOM: for sweeps without memory limits.
 * - `"given"`: as listed.
 *
 * Cost ({@link caseCost}): the analytic FLOPs of the case's pass, else length × batch.
 *
 * @module
 */
import { canonicalJson, withoutDefaultFramework } from "../case/id.ts";
import { passFlops } from "../flops.ts";
import type { Case } from "../results.ts";

/** The orders a sweep can hand out its cases in (see the module doc). */
export const SWEEP_ORDERS = ["grouped", "ascending", "largest-first", "given"] as const;
/** One of {@link SWEEP_ORDERS}. */
export type SweepOrder = (typeof SWEEP_ORDERS)[number];

/**
 * The key of a case's group: the case without its length (and label), the default
 * framework normalised as in case ids (a result's re-parsed case carries it).
 */
export function groupKey(c: Case): string {
  const { seqLen: _n, label: _l, ...rest } = c;
  return canonicalJson(withoutDefaultFramework(rest));
}

/** Estimated cost of a case: analytic FLOPs of its pass, else length × batch. */
export function caseCost(c: Case): number {
  return passFlops(c) ?? c.seqLen * c.batch;
}

/** Cases by group, groups in order of first appearance, each group in ascending length. */
function groupsAscending(cases: readonly Case[]): Case[][] {
  const groups = new Map<string, Case[]>();
  for (const c of cases) {
    const k = groupKey(c);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(c);
  }
  return [...groups.values()].map((g) => [...g].sort((a, b) => a.seqLen - b.seqLen));
}

/** Groups by first appearance, ascending length inside (the local order). */
export function orderAscending(cases: readonly Case[]): Case[] {
  return groupsAscending(cases).flat();
}

/** The most expensive case ({@link caseCost}) first. */
export function orderLargestFirst(cases: readonly Case[]): Case[] {
  return [...cases].sort((a, b) => caseCost(b) - caseCost(a));
}

/**
 * Every group in ascending length, groups interleaved by longest remaining chain first. At
 * each step it takes, among the groups' next cases, the one whose group has the most
 * estimated cost left (this case and the larger ones after it), skipping groups that had
 * a case among the last `gap` taken; when every group was that recent, the least recent.
 */
export function orderGroupedInterleaved(cases: readonly Case[], gap = 4): Case[] {
  const chains = groupsAscending(cases).map((sorted) => {
    // tails[i]: estimated cost of sorted[i..] (what is left of the chain from i on)
    const tails = sorted.map(caseCost);
    for (let i = tails.length - 2; i >= 0; i--) tails[i] += tails[i + 1];
    return { sorted, tails, next: 0, last: -Infinity };
  });
  const out: Case[] = [];
  while (out.length < cases.length) {
    let best: (typeof chains)[number] | undefined;
    let oldest: (typeof chains)[number] | undefined;
    for (const ch of chains) {
      if (ch.next >= ch.sorted.length) continue;
      if (!oldest || ch.last < oldest.last) oldest = ch;
      if (out.length - ch.last <= gap) continue;
      if (!best || ch.tails[ch.next] > best.tails[best.next]) best = ch;
    }
    const pick = best ?? oldest!;
    out.push(pick.sorted[pick.next++]);
    pick.last = out.length - 1;
  }
  return out;
}

/**
 * `cases` in `order` (see the module doc).
 * @throws Error naming the value of an unknown order.
 */
export function orderCases(cases: readonly Case[], order: SweepOrder): Case[] {
  switch (order) {
    case "grouped":
      return orderGroupedInterleaved(cases);
    case "ascending":
      return orderAscending(cases);
    case "largest-first":
      return orderLargestFirst(cases);
    case "given":
      return [...cases];
    default:
      throw new Error(
        `order: expected one of ${SWEEP_ORDERS.join(", ")}, got ${JSON.stringify(order)}`,
      );
  }
}
