import assert from "node:assert/strict";
import { parseCase } from "../case/schema.ts";
import { caseId } from "../case/id.ts";
import type { CaseResult } from "../results.ts";
import { ResultsSink, type SweepEvent } from "../sweep/engine.ts";
import { Collector } from "./collector.ts";
import { syntheticResult } from "./fake_runner.ts";
import { encodeResultMessage, subjects } from "./protocol.ts";

const cases = [64, 128].map((n) =>
  parseCase({ model: "se3-hyena", pass: "forward", seqLen: n, backend: "cpu" })
);
const subj = subjects("s1");
const enc = (r: unknown) => new TextEncoder().encode(JSON.stringify(r));

Deno.test("Collector: only a valid result of a case of this sweep, under its own subject, counts", () => {
  const logs: string[] = [];
  const sink = new ResultsSink(cases);
  const col = new Collector(
    "s1",
    sink,
    (e: SweepEvent) => e.type === "log" && logs.push(e.message),
  );
  const [a, b] = cases.map(caseId);
  const ok = syntheticResult(cases[0], "ok", 1);
  const other = syntheticResult(
    parseCase({ model: "se3-hyena", pass: "forward", seqLen: 4096, backend: "cpu" }),
    "ok",
    1,
  );
  assert.equal(col.accept(enc("garbage"), subj.result(a)), false);
  assert.equal(col.accept(encodeResultMessage(ok), subj.result(b)), false, "id ≠ subject");
  assert.equal(col.accept(encodeResultMessage(other), subj.result(other.id)), false, "foreign");
  assert.equal(col.accept(enc({ ...ok, timeMs: { median: "x" } }), subj.result(a)), false);
  assert.equal(col.accept(new Uint8Array(2 ** 20), subj.result(a)), false, "oversized");
  assert.equal(sink.size, 0);
  assert.equal(col.ignored, 5);
  assert.equal(logs.length, 5);
  assert.match(logs[2], /is not a case of sweep s1/);

  // A valid one is recorded with the sweep's own case object; a second one changes nothing.
  assert.equal(col.accept(encodeResultMessage(ok), subj.result(a)), true);
  assert.equal(sink.get(a)!.case, cases[0], "the sweep's object, not the message's copy");
  const late = { ...syntheticResult(cases[0], "error", 1), error: "late" } as CaseResult;
  assert.equal(col.accept(encodeResultMessage(late), subj.result(a)), true, "has a result");
  assert.equal(sink.get(a)!.status, "ok", "the first valid result wins");

  // Logging stops after 20 ignored messages.
  for (let i = 0; i < 30; i++) col.accept(enc("x"), subj.result(b));
  assert.equal(logs.length, 20);
  assert.match(logs[19], /further ones are not logged/);
});
