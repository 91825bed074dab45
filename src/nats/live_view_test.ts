import assert from "node:assert/strict";
import { parseCase } from "../case/schema.ts";
import { syntheticResult } from "./fake_runner.ts";
import { createLiveView, formatWorkerLine, sanitize } from "./live_view.ts";
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
    "gpu-box gpu 1 [tensorflow] rss 300 MiB free 12.0/24.0 GiB running abc123 (#2)",
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
  assert.match(out[0], /^worker joined: gpu-box gpu 1 \[tensorflow\]/);
  assert.match(out[1], /^\[1\/2\] \w+ ok 12\.5 ms on gpu-box$/);
  assert.equal(out[2], "[2/2] def failed: gave up after 3 deliveries");
  assert.match(out[3], /^worker left: /);
  assert.equal(out.length, 4, "heartbeats of a known worker print nothing");
  assert.match(view.workerLines()[0], /^\(left\) gpu-box/);
});
