import assert from "node:assert/strict";
import { PAPER_CLAIMS, PAPER_FIG5 } from "./paper.ts";

/** `shared/reference/paper-results.md`, beside the repository or inside it. */
async function readReference(): Promise<string | null> {
  for (const rel of ["../../../shared/", "../../shared/"]) {
    const url = new URL(`${rel}reference/paper-results.md`, import.meta.url);
    try {
      return await Deno.readTextFile(url);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  return null;
}

Deno.test("PAPER_FIG5 is internally consistent (speed-up and memory ratio)", () => {
  assert.equal(PAPER_FIG5.length, 8);
  for (const r of PAPER_FIG5) {
    assert.ok(Math.abs(r.transformerMs / r.hyenaMs - r.speedup) < 0.02, `speed-up at ${r.seqLen}`);
    assert.ok(
      Math.abs(r.transformerGB / r.hyenaGB - r.memoryRatio) / r.memoryRatio < 0.05,
      `memory ratio at ${r.seqLen}`,
    );
  }
  assert.equal(PAPER_FIG5.at(-1)!.seqLen, PAPER_CLAIMS.atSeqLen);
});

Deno.test("PAPER_FIG5 matches the table in shared/reference/paper-results.md", async (t) => {
  const md = await readReference();
  if (md === null) {
    // The reference lives outside the repository; CI lays it beside the clone.
    await t.step({ name: "reference file not found beside the repository", ignore: true, fn() {} });
    return;
  }
  const lines = md.split("\n").filter((l) => /^\|\s*[\d,]+\s*\|/.test(l));
  const table = lines.slice(0, 8).map((l) =>
    l.split("|").slice(1, -1).map((c) => Number(c.trim().replace(/,/g, "")))
  );
  assert.deepEqual(
    table,
    PAPER_FIG5.map((r) => [
      r.seqLen,
      r.transformerMs,
      r.hyenaMs,
      r.speedup,
      r.transformerGB,
      r.hyenaGB,
      r.memoryRatio,
    ]),
  );
});
