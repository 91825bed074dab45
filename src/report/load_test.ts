import assert from "node:assert/strict";
import { loadResults, parseResults, reportFolder, ResultsFileError } from "./load.ts";
import { fixtureSweep } from "./testdata/fixture.ts";
import { statusCounts } from "./render.ts";
import { smallSweep } from "./testdata/small_sweep.ts";

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

Deno.test("parseResults: skipped rows stay skipped; old 'oom' + skipped: true become skipped", () => {
  const sweep = smallSweep([
    { model: "t", n: 64, ms: 1 },
    { model: "t", n: 128, status: "oom" },
    { model: "t", n: 256, status: "skipped" },
    { model: "t", n: 512, oldSkip: true },
  ]);
  const r = parseResults(JSON.stringify(sweep));
  assert.deepEqual(r.results.map((x) => x.status), ["ok", "oom", "skipped", "skipped"]);
  assert.equal(statusCounts(r), "1 ok, 1 oom, 2 skipped");
});

Deno.test("loadResults: a folder means its results.json; reportFolder is that folder", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/results.json`, JSON.stringify(fixtureSweep()));
    assert.equal((await loadResults(dir)).sweepId, "fixture-a");
    assert.equal((await loadResults(`${dir}/`)).sweepId, "fixture-a");
    assert.equal(await reportFolder(`${dir}/`), dir);
    assert.equal(await reportFolder(`${dir}/results.json`), dir);
    assert.equal(await reportFolder("results.json"), ".");
    await assert.rejects(loadResults(`${dir}/nothing`), ResultsFileError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
