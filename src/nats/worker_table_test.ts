import assert from "node:assert/strict";
import type { CaseResult } from "../results.ts";
import type { WorkerEvent } from "./protocol.ts";
import { MAX_WORKERS, WorkerTable } from "./worker_table.ts";

const ev = (workerId: string, type: WorkerEvent["type"], extra: Partial<WorkerEvent> = {}) =>
  ({
    v: 1,
    type,
    workerId,
    host: "h",
    pid: Number(workerId.replace(/\D/g, "")) || 1,
    backend: "cpu",
    device: "cpu",
    rssBytes: 1,
    time: new Date().toISOString(),
    ...extra,
  }) as WorkerEvent;

Deno.test("WorkerTable keeps the most recently heard MAX_WORKERS and says so once", () => {
  const t = new WorkerTable(() => true, 100);
  let overflows = 0;
  for (let i = 0; i < MAX_WORKERS + 44; i++) {
    if (t.heard(ev(`w${i}`, "announce")).overflowed) overflows++;
  }
  assert.equal(overflows, 1);
  const rows = t.rows();
  assert.equal(rows.length, MAX_WORKERS);
  assert.equal(rows[0].workerId, "w44", "the least recently heard were evicted");
  // A real worker heartbeats: it comes back, and is the most recent.
  t.heard(ev("w0", "heartbeat"));
  assert.equal(t.rows().at(-1)!.workerId, "w0");
  assert.equal(t.rows().length, MAX_WORKERS);
  assert.ok(t.lastHeard > 0);
});

Deno.test("WorkerTable timeline: cases of the sweep only, bounded, closed by their result", () => {
  const t = new WorkerTable((id) => id.startsWith("case"), 2, {
    timeline: [{ caseId: "case0", workerId: "w1", startedAt: "t0" }],
  });
  assert.equal(
    t.heard(ev("w1", "started", { caseId: "case1", delivery: 2 })).started?.caseId,
    "case1",
  );
  assert.equal(t.heard(ev("w1", "started", { caseId: "forged" })).started, undefined);
  assert.equal(t.heard(ev("w2", "started", { caseId: "case2" })).started, undefined, "bounded");
  assert.equal(t.rows().find((w) => w.workerId === "w1")!.caseId, "forged");
  t.heard(ev("w1", "finished", { caseId: "case1" }));
  assert.equal(t.rows().find((w) => w.workerId === "w1")!.caseId, undefined, "idle after finished");
  t.finished({ id: "case1", status: "ok", finishedAt: "t9" } as CaseResult);
  assert.deepEqual(t.timeline.map((e) => [e.caseId, e.status ?? null]), [
    ["case0", null],
    ["case1", "ok"],
  ]);
  assert.equal(t.announced([1, 2, 99]), 2);
});
