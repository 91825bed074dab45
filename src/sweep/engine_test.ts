import assert from "node:assert/strict";
import { caseId } from "../case/id.ts";
import type { Case, CaseResult } from "../results.ts";
import { emptyResult } from "../runner/result.ts";
import {
  type ExecutionContext,
  groupKey,
  orderCases,
  ResultsSink,
  runSweep,
  type SweepEvent,
  type SweepExecutor,
} from "./engine.ts";
import { type CaseRunner, localExecutor } from "./local.ts";

const mk = (model: string, pass: string, seqLen: number): Case => ({
  model: model as Case["model"],
  pass: pass as Case["pass"],
  seqLen,
  batch: 1,
  preset: "tiny",
  backend: "cpu",
  dtype: "float32",
  repeats: 3,
  warmup: 1,
  budgetMs: 0,
  timeoutMs: 60_000,
  seed: 0,
});
const row = (c: Case, status: CaseResult["status"], extra: Partial<CaseResult> = {}) =>
  ({
    ...emptyResult(c, status, status === "ok" ? {} : { error: status }),
    ...(status === "ok"
      ? { timeMs: { median: 1, mean: 1, min: 1, max: 1, p10: 1, p90: 1, n: 1 } }
      : {}),
    ...extra,
  }) as CaseResult;

const lengths = [512, 64, 256, 128];
const cases = ["se3-hyena", "equivariant-transformer"].flatMap((m) =>
  ["forward", "backward"].flatMap((p) => lengths.map((n) => mk(m, p, n)))
);

/** A fake executor: records what it was given, then a result per case from `outcome`. */
function fakeExecutor(
  seen: Case[][],
  outcome: (c: Case, ctx: ExecutionContext) => void = (c, ctx) => ctx.sink.record(row(c, "ok")),
): SweepExecutor {
  return {
    execute(todo, ctx) {
      seen.push([...todo]);
      for (const c of todo) outcome(c, ctx);
      return Promise.resolve();
    },
  };
}

Deno.test("engine orders the pending cases: ascending, grouped, largest-first, given", async () => {
  for (const order of ["ascending", "grouped", "largest-first", "given"] as const) {
    const seen: Case[][] = [];
    await runSweep({ sink: new ResultsSink(cases), executor: fakeExecutor(seen), order });
    const got = seen[0];
    assert.equal(got.length, cases.length, order);
    assert.deepEqual(new Set(got.map(caseId)), new Set(cases.map(caseId)));
    const byGroup = Map.groupBy(got, groupKey);
    if (order === "given") assert.deepEqual(got, cases);
    if (order === "largest-first") {
      const t = got[0];
      assert.equal(`${t.model} ${t.pass} ${t.seqLen}`, "equivariant-transformer backward 512");
    }
    if (order === "ascending" || order === "grouped") {
      for (const g of byGroup.values()) {
        assert.deepEqual(g.map((c) => c.seqLen), [64, 128, 256, 512]);
      }
    }
    if (order === "ascending") assert.equal(new Set(got.slice(0, 4).map(groupKey)).size, 1);
    if (order === "grouped") {
      // Interleaved: the first four cases come from four different groups, heaviest first.
      assert.equal(new Set(got.slice(0, 4).map(groupKey)).size, 4);
      assert.equal(got[0].model, "equivariant-transformer");
      assert.equal(got[0].pass, "backward");
    }
  }
  assert.throws(() => orderCases(cases, "random" as "given"), /order: .*got "random"/);
});

Deno.test("engine skip-after-OOM (local executor, fake runner): larger lengths are skipped, not run", async () => {
  const ran: Case[] = [];
  const runner: CaseRunner = (c) => {
    ran.push(c);
    const oom = c.model === "equivariant-transformer" && c.seqLen >= 128;
    return Promise.resolve(row(c, oom ? "oom" : "ok", oom ? { oomAt: c.seqLen } : {}));
  };
  const sink = new ResultsSink(cases);
  await runSweep({ sink, executor: localExecutor({ runner }), order: "ascending" });
  assert.ok(sink.complete);
  const t = sink.rows().filter((r) => r.case.model === "equivariant-transformer");
  assert.deepEqual(
    t.map((r) => [r.case.pass, r.case.seqLen, r.status, r.oomAt ?? null]),
    [
      ["forward", 512, "skipped", 128],
      ["forward", 64, "ok", null],
      ["forward", 256, "skipped", 128],
      ["forward", 128, "oom", 128],
      ["backward", 512, "skipped", 128],
      ["backward", 64, "ok", null],
      ["backward", 256, "skipped", 128],
      ["backward", 128, "oom", 128],
    ],
  );
  assert.equal(ran.length, cases.length - 4);
  assert.ok(t.filter((r) => r.status === "skipped").every((r) => r.skipped === true));
});

Deno.test("engine sink: first valid result wins; a real result replaces 'failed'; unknown cases refused", async () => {
  const [a, b, c] = cases;
  const events: SweepEvent[] = [];
  const sink = new ResultsSink([a, b, c]);
  const accepted: boolean[] = [];
  await runSweep({
    sink,
    order: "given",
    onEvent: (e) => {
      events.push(e);
      throw new Error("a broken view"); // must not break the sweep
    },
    executor: {
      execute(_todo, ctx) {
        accepted.push(
          ctx.sink.record(row(a, "ok")),
          ctx.sink.record(row(a, "error")), // duplicate: refused
          ctx.sink.record(row(b, "failed")),
          ctx.sink.record(row(b, "failed")), // still a duplicate
          ctx.sink.record(row(b, "ok")), // the slow worker's real result replaces failed
          ctx.sink.record(row(mk("se3-hyena", "forward", 4096), "ok")), // not a case of the sweep
          ctx.sink.record(row(c, "oom", { oomAt: 1 })),
        );
        return Promise.resolve();
      },
    },
  });
  assert.deepEqual(accepted, [true, false, true, false, true, false, true]);
  assert.deepEqual(sink.rows().map((r) => r.status), ["ok", "ok", "oom"]);
  assert.equal(sink.refusal(row(a, "ok")), "duplicate");
  assert.equal(sink.refusal(row(mk("se3-hyena", "forward", 4096), "ok")), "unknown case");
  assert.deepEqual(events.map((e) => e.type), [
    "case-finished",
    "case-failed",
    "case-finished",
    "case-finished",
  ]);
  const last = events.at(-1)!;
  assert.ok(last.type === "case-finished" && last.done === 3 && last.total === 3);
});

Deno.test("engine resume: recorded cases are not handed out again; foreign rows are kept", async () => {
  const earlier = [row(cases[0], "ok"), row(cases[1], "oom", { oomAt: 64 })];
  const foreign = row(mk("se3-hyena", "forward", 8192), "ok");
  const sink = new ResultsSink(cases, [...earlier, foreign]);
  assert.equal(sink.size, 2);
  const seen: Case[][] = [];
  await runSweep({ sink, executor: fakeExecutor(seen), order: "given" });
  assert.deepEqual(seen[0], cases.slice(2));
  const rows = sink.rows();
  assert.equal(rows.length, cases.length + 1);
  assert.deepEqual(rows.slice(0, 2), earlier); // the earlier rows as they were
  assert.deepEqual(rows.at(-1), foreign);
  // Resuming a finished sweep hands out nothing.
  const again: Case[][] = [];
  await runSweep({ sink: new ResultsSink(cases, rows), executor: fakeExecutor(again) });
  assert.deepEqual(again, [[]]);
});

Deno.test("engine resume (local executor): an earlier OOM still skips the larger lengths", async () => {
  const group = cases.filter((c) => c.model === "se3-hyena" && c.pass === "forward");
  const c64 = group.find((c) => c.seqLen === 64)!;
  const ran: Case[] = [];
  const runner: CaseRunner = (c) => (ran.push(c), Promise.resolve(row(c, "ok")));
  const sink = new ResultsSink(group, [row(c64, "oom", { oomAt: 64 })]);
  const events: SweepEvent[] = [];
  await runSweep({
    sink,
    executor: localExecutor({ runner }),
    order: "ascending",
    onEvent: (e) => events.push(e),
  });
  assert.deepEqual(ran, []);
  assert.deepEqual(sink.rows().map((r) => r.status), ["skipped", "oom", "skipped", "skipped"]);
  const q = events.find((e) => e.type === "queued");
  assert.ok(q?.type === "queued" && q.alreadyDone === 1 && q.queued === 3 && q.total === 4);
});

Deno.test("local executor reports like a distributed worker: case-started and the 'local' worker", async () => {
  const events: SweepEvent[] = [];
  const runner: CaseRunner = (c) => Promise.resolve(row(c, "ok"));
  await runSweep({
    sink: new ResultsSink(cases.slice(0, 2)),
    executor: localExecutor({ runner }),
    order: "given",
    onEvent: (e) => events.push(e),
  });
  assert.deepEqual(events.map((e) => e.type), [
    "queued",
    "case-started",
    "worker",
    "worker",
    "case-finished",
    "case-started",
    "worker",
    "worker",
    "case-finished",
  ]);
  const w = events.find((e) => e.type === "worker");
  assert.ok(w?.type === "worker" && w.worker.workerId === "local" && w.worker.pid === Deno.pid);
});
