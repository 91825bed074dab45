import assert from "node:assert/strict";
import type { CaseResult, Environment } from "../results.ts";
import { RESULTS_CSV, ResultsFile, ResultsWriteError } from "./results_file.ts";

const env: Environment = {
  host: "h",
  os: "linux",
  cpus: 2,
  memoryBytes: 1,
  deno: "2",
  v8: "1",
  typescript: "5",
  tfjs: "4.22.0",
  gitCommit: null,
};
const row = (id: string, status: CaseResult["status"]): CaseResult => ({
  id,
  case: {
    model: "se3-hyena",
    pass: "forward",
    seqLen: 8,
    batch: 1,
    preset: "tiny",
    backend: "cpu",
    dtype: "float32",
    repeats: 1,
    warmup: 0,
    budgetMs: 0,
    timeoutMs: 1,
    seed: 0,
  },
  status,
  timeMs: null,
  memory: { peakBytes: null, rssPeakBytes: null, deviceBytes: null },
  flops: null,
  worker: { host: "h", device: "d", backend: "cpu" },
});

Deno.test("ResultsFile writes results.json and results.csv after every row, keyed by id", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const f = await ResultsFile.create(`${dir}/s1`, {
      sweepId: "s1",
      preset: "tiny",
      environment: env,
    });
    await f.add(row("a", "ok"));
    await f.add(row("b", "oom"));
    await f.add(row("a", "error")); // replaces a
    const json = JSON.parse(await Deno.readTextFile(`${dir}/s1/results.json`));
    assert.equal(json.sweepId, "s1");
    assert.deepEqual(json.results.map((r: CaseResult) => [r.id, r.status]), [["a", "error"], [
      "b",
      "oom",
    ]]);
    const csv = (await Deno.readTextFile(`${dir}/s1/${RESULTS_CSV}`)).trim().split("\r\n");
    assert.equal(csv.length, 3);
    assert.ok(csv[0].startsWith("id,"));

    const again = await ResultsFile.open(`${dir}/s1`);
    assert.equal(again.data.results.length, 2);
    assert.equal(again.get("b")?.status, "oom");
    await assert.rejects(() => ResultsFile.open(`${dir}/nope`), /resume: cannot read/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ResultsFile.verify re-reads the file; a failed write names the path and keeps the old file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const f = await ResultsFile.create(`${dir}/s2`, { sweepId: "s2", environment: env });
    await f.add(row("a", "ok"));
    await f.verify(["a"]);
    // Someone else's (or a torn) file: verify notices.
    await Deno.writeTextFile(f.jsonPath, JSON.stringify({ sweepId: "s2", results: [] }));
    await assert.rejects(() => f.verify(["a"]), /re-reading .*results\.json: row a is missing/);
    await f.flush();
    await f.verify(["a"]);
    // A folder that cannot be written: ResultsWriteError naming the file; the old one stays.
    if (Deno.uid() !== 0) {
      await Deno.chmod(`${dir}/s2`, 0o500);
      try {
        await assert.rejects(
          () => f.add(row("b", "ok")),
          (e: Error) =>
            e instanceof ResultsWriteError && /writing .*s2\/results\.json/.test(e.message),
        );
      } finally {
        await Deno.chmod(`${dir}/s2`, 0o700);
      }
      const disk = JSON.parse(await Deno.readTextFile(f.jsonPath));
      assert.deepEqual(disk.results.map((r: CaseResult) => r.id), ["a"]);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
