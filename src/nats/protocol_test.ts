import assert from "node:assert/strict";
import { BACKENDS } from "../backend.ts";
import { caseId } from "../case/id.ts";
import { parseCase } from "../case/schema.ts";
import { syntheticResult } from "./fake_runner.ts";
import {
  checkSweepId,
  encodeResultMessage,
  encodeWorkMessage,
  MAX_RESULT_MESSAGE_BYTES,
  MAX_WORK_MESSAGE_BYTES,
  parseResultMessage,
  parseWorkerEvent,
  parseWorkMessage,
  streamNames,
  subjects,
  sweepIdOfWorkStream,
  WORK_BACKENDS,
} from "./protocol.ts";

const enc = (v: unknown) => new TextEncoder().encode(typeof v === "string" ? v : JSON.stringify(v));
const aCase = parseCase({ model: "se3-hyena", pass: "forward", seqLen: 128 });

Deno.test("WORK_BACKENDS mirrors BACKENDS of src/backend.ts, plus the torch route", () => {
  assert.deepEqual([...WORK_BACKENDS], [...BACKENDS, "torch"]);
});

Deno.test("subjects and streams are namespaced per sweep; bad sweep ids are refused", () => {
  const s = subjects("fig5-a");
  assert.equal(s.work("wasm"), "se3h.fig5-a.work.wasm");
  assert.equal(s.result("abc"), "se3h.fig5-a.results.abc");
  assert.equal(s.worker("w1"), "se3h.fig5-a.workers.w1");
  assert.deepEqual(streamNames("fig5-a"), {
    work: "SE3H_fig5-a_WORK",
    results: "SE3H_fig5-a_RESULTS",
  });
  assert.equal(sweepIdOfWorkStream("SE3H_fig5-a_WORK"), "fig5-a");
  assert.equal(sweepIdOfWorkStream("SE3H_fig5-a_RESULTS"), undefined);
  for (const bad of ["", "a.b", "a*", "a>", "a b", "x".repeat(65)]) {
    assert.throws(() => checkSweepId(bad), /sweepId: expected 1-64 characters/);
  }
});

Deno.test("parseWorkMessage accepts a well-formed case and returns the validated case", () => {
  const id = caseId(aCase);
  const p = parseWorkMessage(encodeWorkMessage("s", id, aCase), "s");
  assert.ok(p.ok);
  assert.equal(p.value.id, id);
  assert.deepEqual(p.value.case, aCase);
});

Deno.test("parseWorkMessage rejects oversized, non-JSON, wrong-envelope, invalid and mismatched messages", () => {
  const id = caseId(aCase);
  const reasons = (data: Uint8Array) => {
    const p = parseWorkMessage(data, "s");
    assert.ok(!p.ok, "should be rejected");
    return p.reason;
  };
  assert.match(
    reasons(new Uint8Array(MAX_WORK_MESSAGE_BYTES + 1)),
    /^oversized: 65537 bytes > limit 65536/,
  );
  assert.match(reasons(enc("{not json")), /^not JSON/);
  assert.match(reasons(new Uint8Array([0xff, 0xfe])), /^not JSON/);
  assert.match(reasons(enc([1, 2])), /expected a JSON object, got array/);
  assert.match(reasons(enc({ v: 2, sweepId: "s", id, case: aCase })), /^v: expected 1, got 2/);
  assert.match(
    reasons(enc({ v: 1, sweepId: "other", id, case: aCase })),
    /^sweepId: expected "s", got "other"/,
  );
  assert.match(
    reasons(enc({ v: 1, sweepId: "s", id: "a.b", case: aCase })),
    /^id: expected a case id/,
  );
  assert.match(
    reasons(enc({ v: 1, sweepId: "s", id, case: { ...aCase, seqLen: -3 } })),
    /^case: .*seqLen: expected an integer ≥ 1, got -3/,
  );
  assert.match(
    reasons(enc({ v: 1, sweepId: "s", id: "0000000000000000", case: aCase })),
    new RegExp(`^id: expected ${id} \\(the case's id\\), got 0000000000000000`),
  );
});

Deno.test("encodeWorkMessage refuses a case that would be oversized", () => {
  const big = { ...aCase, pass: "train" as const, notes: "x".repeat(MAX_WORK_MESSAGE_BYTES) };
  assert.throws(() => encodeWorkMessage("s", "id", big), /over the 65536-byte limit/);
});

Deno.test("parseResultMessage: only a well-formed result whose id is its subject's and its case's", () => {
  const id = caseId(aCase);
  const good = syntheticResult(aCase, "ok", 3);
  const subj = subjects("s").result(id);
  const ok = parseResultMessage(enc(good), subj);
  assert.ok(ok.ok && ok.value.id === id);
  const reasons: [unknown, RegExp][] = [
    ["garbage", /not JSON/],
    [[good], /expected an object/],
    [{ ...good, id: "x.y" }, /id: expected a case id/],
    [
      { ...good, status: "great" },
      /status: expected one of ok\|oom\|timeout\|error\|failed\|skipped, got "great"/,
    ],
    [{ ...good, case: { ...aCase, seqLen: 64 } }, /case: its id is \w+, not the result's id/],
    [{ ...good, case: null }, /case: expected an object/],
    [
      { ...good, timeMs: { ...good.timeMs, median: "fast" } },
      /timeMs.median: expected a finite number, got "fast"/,
    ],
    [{ ...good, memory: { peakBytes: "1" } }, /memory.peakBytes/],
    [{ ...good, worker: null }, /worker: expected an object/],
    [{ ...good, error: 3 }, /error: expected a string/],
  ];
  for (const [msg, re] of reasons) {
    const p = parseResultMessage(enc(msg), subj);
    assert.ok(
      !p.ok && re.test(p.reason),
      `${JSON.stringify(msg).slice(0, 60)}: ${!p.ok && p.reason}`,
    );
  }
  // The subject names another case: rejected (it would otherwise stand for the wrong case).
  const other = parseResultMessage(enc(good), subjects("s").result("0123456789abcdef"));
  assert.ok(!other.ok && /the subject's case id/.test(other.reason));
  // Oversized: rejected unread; the encoder refuses to produce one.
  const big = { ...good, samples: "x".repeat(MAX_RESULT_MESSAGE_BYTES) };
  const p = parseResultMessage(enc(big), subj);
  assert.ok(!p.ok && /oversized: \d+ bytes > limit 262144/.test(p.reason));
  assert.throws(() => encodeResultMessage(big), /over the 262144-byte limit/);
});

Deno.test("parseWorkerEvent validates untrusted input", () => {
  const ev = {
    v: 1,
    type: "heartbeat",
    workerId: "w-1",
    host: "h",
    pid: 1,
    backend: "any",
    device: "cpu",
    rssBytes: 1,
    time: new Date().toISOString(),
  };
  assert.ok(parseWorkerEvent(enc(ev)).ok);
  assert.ok(!parseWorkerEvent(enc({ ...ev, workerId: "w.1" })).ok);
  assert.ok(!parseWorkerEvent(enc({ ...ev, type: "rm -rf" })).ok);
  assert.ok(!parseWorkerEvent(enc({ ...ev, pid: "1" })).ok);
  assert.ok(!parseWorkerEvent(enc({ ...ev, host: "h".repeat(300) })).ok);
  assert.ok(!parseWorkerEvent(enc({ ...ev, caseId: "a b" })).ok);
});
