import assert from "node:assert/strict";
import { parseCase } from "../case/schema.ts";
import { caseId } from "../case/id.ts";
import { ResultsSink } from "../sweep/engine.ts";
import { emptyResult } from "../runner/result.ts";
import { Watchdog, type WatchdogOptions } from "./watchdog.ts";

const cases = [64, 128].map((n) =>
  parseCase({ model: "se3-hyena", pass: "forward", seqLen: n, backend: "cpu" })
);
const base = (sink: ResultsSink, logs: string[]): WatchdogOptions => ({
  sink,
  pollMs: 5,
  noWorkerWarnMs: 0,
  lastHeard: () => 0,
  lostSince: () => undefined,
  busy: () => Promise.resolve(1),
  giveUp: () => Promise.resolve(),
  workerCommand: "deno task worker --sweep s",
  sweepId: "s",
  log: (m) => logs.push(m),
  failures: [],
});

Deno.test("Watchdog gives up only after two idle polls in a row, and ends when every case has a result", async () => {
  const sink = new ResultsSink(cases);
  const busy = [1, 0, 1, 0, 0]; // idle, busy again, then idle twice
  let polls = 0;
  let gaveUpAt = -1;
  await new Watchdog({
    ...base(sink, []),
    busy: () => Promise.resolve(busy[Math.min(polls++, busy.length - 1)]),
    giveUp: () => {
      gaveUpAt = polls;
      for (const c of sink.pending()) sink.record(emptyResult(c, "failed", { error: "gave up" }));
      return Promise.resolve();
    },
  }).run();
  assert.equal(gaveUpAt, 5);
  assert.ok(sink.complete);
});

Deno.test("Watchdog: an unreachable server never counts as idle; a failure stops the wait", async () => {
  const sink = new ResultsSink(cases);
  let rejectFailure!: (e: Error) => void;
  const failure = new Promise<never>((_, r) => (rejectFailure = r));
  let polls = 0;
  const w = new Watchdog({
    ...base(sink, []),
    busy: () => {
      if (++polls === 5) rejectFailure(new Error("sweep aborted"));
      return Promise.reject(new Error("unreachable"));
    },
    giveUp: () => Promise.reject(new Error("must not give up")),
    failures: [failure],
  });
  await assert.rejects(w.run(), /sweep aborted/);
});

Deno.test("Watchdog reminders (fake clock): server unreachable every 10 s, else no worker heard", async () => {
  const sink = new ResultsSink(cases);
  const logs: string[] = [];
  let clock = 1_000_000;
  let lost: number | undefined = clock - 2_000; // lost 2 s before the wait began
  const steps = [
    () => (clock += 5_000), // 7 s: nothing yet
    () => (clock += 4_000), // 11 s after the loss, 9 s after the start: still nothing
    () => (clock += 1_000), // 12 s, 10 s after the start: the first reminder
    () => (clock += 5_000), // 5 s after it: nothing
    () => (clock += 5_000), // 10 s after it: the second
    () => (lost = undefined), // reconnected
    () => (clock += 29_000), // 29 s without a worker since the last reminder: nothing
    () => (clock += 1_000), // 30 s: the worker reminder
    () => cases.forEach((c) => sink.record(emptyResult(c, "ok"))),
  ];
  let step = 0;
  await new Watchdog({
    ...base(sink, logs),
    noWorkerWarnMs: 30_000,
    now: () => clock,
    lostSince: () => lost,
    busy: () => (steps[step++]?.(), Promise.resolve(1)),
  }).run();
  assert.equal(logs.length, 3, logs.join("\n"));
  assert.match(logs[0], /nats-server has been unreachable for 12 s; still waiting .*--resume s/);
  assert.match(logs[1], /unreachable for 22 s/);
  assert.match(
    logs[2],
    /no worker has been heard from for 50 s and 2 cases are waiting; start one with: deno task worker --sweep s/,
  );
});

Deno.test("Watchdog.wake looks at the queue at once (a max-deliveries advisory)", async () => {
  const sink = new ResultsSink(cases);
  let polls = 0;
  const w: Watchdog = new Watchdog({
    ...base(sink, []),
    pollMs: 60_000,
    busy: () => {
      polls++;
      if (polls === 1) setTimeout(() => w.wake(), 1);
      else for (const c of sink.pending()) sink.record(emptyResult(c, "ok"));
      return Promise.resolve(1);
    },
  });
  setTimeout(() => w.wake(), 1);
  const t = performance.now();
  await w.run();
  assert.ok(performance.now() - t < 10_000, "did not wait for the poll interval");
  assert.equal(polls, 2);
  assert.ok(sink.has(caseId(cases[0])));
});
