import assert from "node:assert/strict";
import {
  PAPER_CLAIMS,
  PAPER_FIG4,
  PAPER_FIG4_LENGTHS,
  PAPER_FIG5,
  PAPER_TABLE1,
  paperTrainMse,
} from "./paper.ts";

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

/** The rows of the markdown table that follows the line starting with `header`. */
function tableAfter(md: string, header: string): string[][] {
  const lines = md.split("\n");
  const at = lines.findIndex((l) => l.startsWith(header));
  assert.ok(at >= 0, `table "${header}" in the reference`);
  const rows: string[][] = [];
  for (const l of lines.slice(at + 2)) {
    if (!l.startsWith("|")) break;
    rows.push(l.split("|").slice(1, -1).map((c) => c.trim()));
  }
  return rows;
}

const MODEL_OF: Record<string, string> = {
  "Transformer": "transformer",
  "Hyena": "hyena",
  "equivariant transformer": "equivariant-transformer",
  "SE(3)-Hyena": "se3-hyena",
};

Deno.test("PAPER_FIG4 and PAPER_TABLE1 match shared/reference/paper-results.md", async (t) => {
  const md = await readReference();
  if (md === null) {
    await t.step({ name: "reference file not found beside the repository", ignore: true, fn() {} });
    return;
  }
  for (
    const [task, header] of [
      ["recall-fixed", "| fixed vocabulary"],
      ["recall-random", "| random vocabulary"],
    ] as const
  ) {
    const rows = tableAfter(md, header);
    assert.equal(rows.length, 4);
    for (const [name, ...values] of rows) {
      const model = MODEL_OF[name] as keyof (typeof PAPER_FIG4)[typeof task];
      assert.deepEqual([...PAPER_FIG4[task][model]], values.map(Number), `${task} ${name}`);
    }
  }
  const table1 = tableAfter(md, "| method | test MSE |");
  assert.equal(table1.length, 5);
  for (const [name, value] of table1) {
    const key = name.startsWith("linear motion") ? "linearMotion" : MODEL_OF[name];
    assert.equal(PAPER_TABLE1[key as keyof typeof PAPER_TABLE1], Number(value), name);
  }
});

Deno.test("paperTrainMse: Figure 4 by task, model and length; Table 1 for 5 particles", () => {
  assert.deepEqual(PAPER_FIG4_LENGTHS, [32, 64, 128, 256]);
  assert.equal(paperTrainMse("recall-random", "se3-hyena", 128), 0.00193);
  assert.equal(paperTrainMse("recall-fixed", "equivariant-transformer", 32), 0.0124);
  assert.equal(paperTrainMse("recall-fixed", "se3-hyena", 100), null);
  assert.equal(paperTrainMse("nbody", "hyena", 5), 0.015);
  assert.equal(paperTrainMse("nbody", "hyena", 6), null);
  assert.equal(paperTrainMse("other", "hyena", 32), null);
  assert.equal(paperTrainMse("recall-fixed", "mlp", 32), null);
});
