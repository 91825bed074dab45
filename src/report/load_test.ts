import assert from "node:assert/strict";
import { loadResults, parseResults, ResultsFileError } from "./load.ts";
import { fixtureSweep } from "./testdata/fixture.ts";

Deno.test("parseResults accepts the fixture and keeps extra fields", () => {
  const sweep = fixtureSweep();
  const parsed = parseResults(JSON.stringify(sweep));
  assert.equal(parsed.results.length, sweep.results.length);
  assert.deepEqual(parsed.scaling, sweep.scaling);
  const train = parsed.results.find((r) => r.id === "train-nbody-se3-hyena-5")!;
  assert.equal(train.testMse, 0.02);
  assert.equal((train.curve as unknown[]).length, 3);
});

Deno.test("parseResults: invalid JSON names the file", () => {
  assert.throws(
    () => parseResults("{oops", "x/results.json"),
    (e) => e instanceof ResultsFileError && /^x\/results\.json: not valid JSON/.test(e.message),
  );
});

Deno.test("parseResults: a wrong field is named with its value", () => {
  const sweep = fixtureSweep();
  (sweep.results[5].case as { seqLen: unknown }).seqLen = "abc";
  assert.throws(
    () => parseResults(JSON.stringify(sweep), "r.json"),
    { message: 'r.json: results[5].case.seqLen: expected number, got "abc"' },
  );
  assert.throws(
    () => parseResults(JSON.stringify({ ...sweep, results: undefined }), "r.json"),
    { message: "r.json: results: expected array, got nothing" },
  );
  assert.throws(
    () => parseResults("[1, 2]", "r.json"),
    { message: "r.json: (top level): expected object, got [1,2]" },
  );
  const bad = fixtureSweep();
  (bad.results[0] as { status: string }).status = "great";
  assert.throws(
    () => parseResults(JSON.stringify(bad), "r.json"),
    /results\[0\]\.status: .*"great"/,
  );
});

Deno.test("loadResults: a missing file is a ResultsFileError", async () => {
  await assert.rejects(
    () => loadResults("/nonexistent/results.json"),
    {
      name: "ResultsFileError",
      message: "/nonexistent/results.json: cannot read it (no such file)",
    },
  );
});
