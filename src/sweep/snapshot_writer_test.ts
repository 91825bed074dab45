import assert from "node:assert/strict";
import type { Environment, SweepResults } from "../results.ts";
import { ResultsFile } from "./results_file.ts";
import { SnapshotWriter } from "./snapshot_writer.ts";

const env = { host: "h" } as unknown as Environment;

Deno.test("SnapshotWriter: one write at a time, coalesced, the latest state on disk", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = await ResultsFile.create(dir, { sweepId: "s", environment: env });
    let n = 0;
    let snapshots = 0;
    const writer = new SnapshotWriter({
      file,
      snapshot: () => (snapshots++, { ...file.data, n } as SweepResults),
    });
    for (n = 1; n <= 20; n++) writer.saveSoon();
    n = 20;
    await writer.settle();
    assert.ok(snapshots < 20, `coalesced: ${snapshots} snapshots for 20 saves`);
    assert.equal(JSON.parse(await Deno.readTextFile(file.jsonPath)).n, 20);
    await writer.finish([]);
    assert.equal(writer.error, undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SnapshotWriter: a failed write stops the sweep with the described error", async () => {
  const dir = await Deno.makeTempDir();
  const file = await ResultsFile.create(`${dir}/sweep`, { sweepId: "s", environment: env });
  await Deno.remove(dir, { recursive: true }); // every later write fails
  const told: Error[] = [];
  const writer = new SnapshotWriter({
    file,
    snapshot: () => file.data,
    describeFailure: (e) => new Error(`${e.message}; resume with --resume s`),
    onFailure: (e) => told.push(e),
  });
  writer.saveSoon();
  await assert.rejects(writer.failed, /writing .*results\.json.*; resume with --resume s/);
  writer.saveSoon(); // a second failure is not reported again
  await writer.settle();
  assert.equal(told.length, 1);
  await assert.rejects(writer.finish([]), /resume with --resume s/);
});
