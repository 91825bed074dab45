import assert from "node:assert/strict";
import { caseId } from "../case/id.ts";
import type { Case, CaseResult } from "../results.ts";
import {
  type CaseRunner,
  FailureTracker,
  groupKey,
  orderAscending,
  orderLargestFirst,
  runLocalSweep,
} from "./local.ts";

const mk = (model: string, pass: string, seqLen: number, extra: Partial<Case> = {}): Case => ({
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
  ...extra,
});

/** A runner double: oom for the transformer at N ≥ oomFrom, timeout for hyena backward at N ≥ timeoutFrom. */
function fakeRunner(calls: Case[], oomFrom = 256, timeoutFrom = Infinity): CaseRunner {
  return (c) => {
    calls.push(c);
    const status = c.model === "equivariant-transformer" && c.seqLen >= oomFrom
      ? "oom"
      : c.pass === "backward" && c.seqLen >= timeoutFrom
      ? "timeout"
      : "ok";
    return Promise.resolve({
      id: caseId(c),
      case: c,
      status,
      timeMs: status === "ok" ? { median: 1, mean: 1, min: 1, max: 1, p10: 1, p90: 1, n: 3 } : null,
      memory: { peakBytes: null, rssPeakBytes: null, deviceBytes: null },
      flops: null,
      worker: { host: "h", device: "d", backend: c.backend },
      ...(status === "oom" ? { oomAt: c.seqLen } : {}),
    } as CaseResult);
  };
}

const lengths = [512, 64, 128, 256, 1024];
const cases = ["se3-hyena", "equivariant-transformer"].flatMap((m) =>
  ["forward", "backward"].flatMap((p) => lengths.map((n) => mk(m, p, n)))
);

Deno.test("orderAscending groups by everything but length and sorts lengths up", () => {
  const ordered = orderAscending(cases);
  assert.equal(ordered.length, cases.length);
  assert.deepEqual(ordered.slice(0, 5).map((c) => c.seqLen), [64, 128, 256, 512, 1024]);
  assert.equal(new Set(ordered.slice(0, 5).map(groupKey)).size, 1);
  assert.equal(
    groupKey(mk("se3-hyena", "forward", 8, { label: "a" })),
    groupKey(mk("se3-hyena", "forward", 99)),
  );
});

Deno.test("orderLargestFirst puts the most expensive case first", () => {
  const o = orderLargestFirst(cases);
  assert.equal(o[0].seqLen, 1024);
  assert.equal(o[0].model, "equivariant-transformer");
  assert.equal(o[0].pass, "backward");
});

Deno.test("skip-after-OOM: larger lengths of the same model/pass are recorded oom, not run", async () => {
  const calls: Case[] = [];
  const seen: CaseResult[] = [];
  const results = await runLocalSweep(cases, {
    runner: fakeRunner(calls),
    onResult: (r) => void seen.push(r),
  });
  assert.equal(results.length, cases.length);
  assert.deepEqual(seen, results);
  const t = results.filter((r) =>
    r.case.model === "equivariant-transformer" && r.case.pass === "forward"
  );
  assert.deepEqual(t.map((r) => [r.case.seqLen, r.status, r.skipped ?? false]), [
    [64, "ok", false],
    [128, "ok", false],
    [256, "oom", false],
    [512, "skipped", true],
    [1024, "skipped", true],
  ]);
  assert.equal(t[3].oomAt, 256);
  assert.match(t[3].error!, /skipped: .*ran out of memory at seqLen 256/);
  // runner not called for skipped cases: 10 hyena + 2 × 3 transformer
  assert.equal(calls.length, 16);
  assert.ok(results.filter((r) => r.case.model === "se3-hyena").every((r) => r.status === "ok"));
});

Deno.test("a timeout skips the larger lengths of its group as timeout", async () => {
  const calls: Case[] = [];
  const results = await runLocalSweep(cases.filter((c) => c.model === "se3-hyena"), {
    runner: fakeRunner(calls, Infinity, 256),
  });
  const b = results.filter((r) => r.case.pass === "backward");
  assert.deepEqual(b.map((r) => r.status), ["ok", "ok", "timeout", "skipped", "skipped"]);
  assert.deepEqual(b.map((r) => r.skipped === true), [false, false, false, true, true]);
});

Deno.test("resume: recorded cases are not run again, and their OOMs still skip", async () => {
  const first: Case[] = [];
  const earlier = await runLocalSweep(cases.slice(0, 8), { runner: fakeRunner(first) });
  const oomEarlier = await fakeRunner([])(mk("equivariant-transformer", "forward", 256), {});
  const calls: Case[] = [];
  const results = await runLocalSweep(cases, {
    runner: fakeRunner(calls),
    done: [...earlier, oomEarlier],
  });
  const ids = new Set([...earlier, oomEarlier].map((r) => r.id));
  assert.ok(calls.every((c) => !ids.has(caseId(c))));
  assert.equal(results.length, cases.length - ids.size);
  const skipped = results.filter((r) => r.skipped);
  assert.ok(
    skipped.some((r) => r.case.model === "equivariant-transformer" && r.case.pass === "forward"),
  );
});

Deno.test("FailureTracker ignores ok and error results", () => {
  const t = new FailureTracker();
  const c = mk("se3-hyena", "forward", 64);
  t.record({
    id: "x",
    case: c,
    status: "error",
    timeMs: null,
    memory: { peakBytes: null, rssPeakBytes: null, deviceBytes: null },
    flops: null,
    worker: { host: "", device: "", backend: "" },
  });
  assert.equal(t.skip(mk("se3-hyena", "forward", 128)), null);
});

Deno.test("runLocalSweep with real child processes: oom and hang are recorded, the sweep goes on", async () => {
  const env = { SE3_HYENA_TEST_FAULTS: "1" };
  const sweep = [
    mk("se3-hyena", "forward", 64, { fault: "oom" }),
    mk("se3-hyena", "forward", 128, { fault: "oom" }),
    mk("se3-hyena", "forward", 64, { fault: "hang", timeoutMs: 1500 }),
    mk("se3-hyena", "forward", 64, { fault: "noop" }),
  ];
  const results = await runLocalSweep(sweep, { env });
  assert.deepEqual(
    results.map((r) => [r.case.fault, r.case.seqLen, r.status, r.skipped === true]),
    [
      ["oom", 64, "oom", false],
      ["oom", 128, "skipped", true],
      ["hang", 64, "timeout", false],
      ["noop", 64, "ok", false],
    ],
  );
});

Deno.test("groupKey: a case with the default framework filled in is in the same group", () => {
  const c = mk("se3-hyena", "forward", 64);
  assert.equal(groupKey({ ...c, framework: "tfjs" }), groupKey(c));
  assert.notEqual(groupKey({ ...c, framework: "torch", device: "cpu" }), groupKey(c));
});
