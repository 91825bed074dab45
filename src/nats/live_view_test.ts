import assert from "node:assert/strict";
import { parseCase } from "../case/schema.ts";
import { syntheticResult } from "./fake_runner.ts";
import { createLiveView, formatEta, formatWorkerLine, sanitize } from "./live_view.ts";
import type { WorkerEvent } from "./protocol.ts";

const worker = (extra: Partial<WorkerEvent> = {}): WorkerEvent => ({
  v: 1,
  type: "heartbeat",
  workerId: "w1",
  host: "gpu-box",
  pid: 42,
  backend: "tensorflow",
  device: "gpu 1",
  rssBytes: 300 * 2 ** 20,
  memFreeBytes: 12 * 2 ** 30,
  memTotalBytes: 24 * 2 ** 30,
  time: new Date().toISOString(),
  ...extra,
});

Deno.test("sanitize strips terminal control characters from untrusted strings", () => {
  assert.equal(sanitize("evil\u001b[2Jhost\r\n"), "evil?[2Jhost??");
  assert.equal(sanitize("x".repeat(100), 10), "xxxxxxxxx…");
});

Deno.test("formatWorkerLine shows host, device, backend, memory and the current case", () => {
  const line = formatWorkerLine(worker({ caseId: "abc123", delivery: 2 }), Date.now());
  assert.equal(
    line,
    "gpu-box:42 gpu 1 [tensorflow] rss 300.0 MiB free 12.0 GiB/24.0 GiB running abc123 (#2)",
  );
  const stale = formatWorkerLine(
    worker({ time: new Date(Date.now() - 60_000).toISOString() }),
    Date.now(),
    15_000,
  );
  assert.match(stale, /idle — silent 60 s$/);
});

Deno.test("live view without a terminal prints workers joining/leaving and each finished or failed case", () => {
  const out: string[] = [];
  const view = createLiveView({ tty: false, write: (l) => out.push(l) });
  const c = parseCase({ model: "se3-hyena", pass: "forward", seqLen: 64 });
  view.onEvent({ type: "queued", total: 2, queued: 2, alreadyDone: 0, alreadyQueued: 0 });
  view.onEvent({ type: "worker", worker: worker({ type: "announce" }) });
  view.onEvent({ type: "worker", worker: worker({ caseId: "abc" }) });
  view.onEvent({
    type: "case-finished",
    result: {
      ...syntheticResult(c, "ok", 12.5),
      worker: { host: "gpu-box", device: "", backend: "" },
    },
    done: 1,
    total: 2,
  });
  view.onEvent({
    type: "case-failed",
    caseId: "def",
    reason: "gave up after 3 deliveries",
    done: 2,
    total: 2,
  });
  view.onEvent({
    type: "worker",
    worker: worker({ type: "finished", caseId: "abc", status: "ok" }),
  });
  assert.match(view.workerLines()[0], / idle$/, "a finished case is not shown as running");
  view.onEvent({ type: "worker", worker: worker({ type: "bye" }) });
  view.stop();
  assert.match(out[0], /^worker joined: gpu-box:42 gpu 1 \[tensorflow\]/);
  assert.match(out[1], /^\[1\/2\] \w+ ok 12\.5 ms on gpu-box$/);
  assert.equal(out[2], "[2/2] def failed: gave up after 3 deliveries");
  assert.match(out[3], /^worker left: /);
  assert.equal(out.length, 4, "heartbeats of a known worker print nothing");
  assert.match(view.workerLines()[0], /^\(left\) gpu-box:42 /);
});

Deno.test("live view: failed cases count as done (the bar reaches 100%), ran failures are counted and printed, ETA from this run's pace", () => {
  let t = 0;
  const out: string[] = [];
  const c = (seqLen: number) => parseCase({ model: "se3-hyena", pass: "forward", seqLen });
  const labels = new Map([["id-a", "se3-hyena forward N=64"]]);
  const view = createLiveView({
    tty: true, // no bars are drawn on a non-terminal stream; the state is what we check
    write: (l) => out.push(l),
    now: () => t,
    caseLabel: (id) => labels.get(id),
    formatResult: (r) => `${r.status} N=${r.case.seqLen}`,
  });
  try {
    view.onEvent({ type: "server", url: "nats://127.0.0.1:1", embedded: true });
    view.onEvent({ type: "queued", total: 4, queued: 4, alreadyDone: 0, alreadyQueued: 0 });
    assert.deepEqual(view.progress(), { done: 0, total: 4, failed: 0, eta: "…" });
    view.onEvent({ type: "worker", worker: worker({ type: "started", caseId: "id-a" }) });
    assert.match(view.workerLines()[0], /running se3-hyena forward N=64$/, "cases by name");
    t = 10_000;
    view.onEvent({
      type: "case-finished",
      result: syntheticResult(c(64), "ok", 1),
      done: 1,
      total: 4,
    });
    assert.deepEqual(view.progress(), { done: 1, total: 4, failed: 0, eta: "30s" });
    t = 20_000;
    view.onEvent({
      type: "case-finished",
      result: { ...syntheticResult(c(128), "oom", 0), oomAt: 128 },
      done: 2,
      total: 4,
    });
    view.onEvent({
      type: "case-finished",
      result: { ...syntheticResult(c(256), "oom", 0), oomAt: 128, skipped: true },
      done: 3,
      total: 4,
    });
    view.onEvent({ type: "case-failed", caseId: "id-b", reason: "gave up", done: 4, total: 4 });
    assert.deepEqual(view.progress(), { done: 4, total: 4, failed: 2, eta: "0s" });
    // A new run (scaling study): workers of the previous one are forgotten, the ETA restarts.
    view.onEvent({ type: "server", url: "nats://127.0.0.1:2", embedded: true });
    assert.deepEqual(view.workerLines(), []);
    view.onEvent({ type: "queued", total: 4, queued: 4, alreadyDone: 0, alreadyQueued: 0 });
    assert.equal(view.progress().eta, "…");
  } finally {
    view.stop();
  }
});

Deno.test("live view without a terminal prints each result with the given formatter, and names cases", () => {
  const out: string[] = [];
  const c = parseCase({ model: "se3-hyena", pass: "forward", seqLen: 64 });
  const view = createLiveView({
    tty: false,
    write: (l) => out.push(l),
    caseLabel: (id) => (id === "x1" ? "se3-hyena forward N=64" : undefined),
    formatResult: (r) => `${r.status.padEnd(7)} N=${r.case.seqLen}\u001b[2J`,
  });
  view.onEvent({ type: "queued", total: 2, queued: 2, alreadyDone: 0, alreadyQueued: 0 });
  view.onEvent({ type: "case-finished", result: syntheticResult(c, "ok", 1), done: 1, total: 2 });
  view.onEvent({ type: "case-failed", caseId: "x1", reason: "gave up", done: 2, total: 2 });
  view.stop();
  assert.deepEqual(out, [
    "[1/2] ok      N=64?[2J",
    "[2/2] se3-hyena forward N=64 failed: gave up",
  ]);
});

Deno.test("formatEta", () => {
  assert.equal(formatEta(0), "0s");
  assert.equal(formatEta(59.4), "59s");
  assert.equal(formatEta(187), "3m07s");
});
