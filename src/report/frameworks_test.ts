import assert from "node:assert/strict";
import { analyse, HYENA, TRANSFORMER } from "./analysis.ts";
import { counterparts, frameworkRatios } from "./frameworks.ts";
import { fixtureSweep } from "./testdata/fixture.ts";
import {
  CHECKPOINT_N,
  frameworksSweep,
  FW_LENGTHS,
  SAME_N,
  tfjsMs,
  TORCH_SPEEDUP,
  torchMs,
} from "./testdata/frameworks.ts";

const close = (a: number, b: number, eps = 1e-9) =>
  assert.ok(Math.abs(a - b) <= eps * Math.max(1, Math.abs(b)), `${a} ≠ ${b}`);

Deno.test("frameworkRatios: tfjs ÷ torch per (model, attention, pass, N), CIs and verdict", () => {
  const rows = frameworkRatios(analyse(frameworksSweep()));
  const tag = (r: (typeof rows)[number]) =>
    `${r.model} ${r.pass} ${r.seqLen}${r.primary.series.checkpoint ? " ckpt" : ""}`;
  assert.deepEqual(rows.map(tag), [
    ...FW_LENGTHS.map((n) => `${HYENA} forward ${n}`),
    ...FW_LENGTHS.map((n) => `${HYENA} backward ${n}`),
    `${HYENA} backward ${CHECKPOINT_N} ckpt`,
    ...FW_LENGTHS.map((n) => `${TRANSFORMER} forward ${n}`),
    ...FW_LENGTHS.map((n) => `${TRANSFORMER} backward ${n}`),
  ]);
  for (const r of rows) {
    assert.equal(r.primary.series.platform, "tfjs");
    assert.equal(r.other.series.platform, "torch:cpu");
    const m = r.model as typeof HYENA;
    const p = r.pass as "forward" | "backward";
    close(r.ratio, tfjsMs(m, p, r.seqLen) / torchMs(m, p, r.seqLen));
    // ±3% CIs: the range is ratio × [0.97/1.03, 1.03/0.97].
    close(r.range![0], r.ratio * 0.97 / 1.03);
    close(r.range![1], r.ratio * 1.03 / 0.97);
    const same = m === TRANSFORMER && p === "forward" && r.seqLen === SAME_N;
    assert.equal(r.verdict, same ? "within-noise" : "other-faster", tag(r));
    if (!same) close(r.ratio, TORCH_SPEEDUP[m]);
  }
  // The checkpointed tfjs row is compared with PyTorch's plain one (nothing else ran there).
  const ckpt = rows.find((r) => r.seqLen === CHECKPOINT_N)!;
  assert.equal(ckpt.other.series.checkpoint, false);
});

Deno.test("frameworkRatios: a matching checkpointed row is preferred; one framework gives none", () => {
  const sweep = frameworksSweep();
  const plain = sweep.results.find((r) =>
    r.case.framework === "torch" && r.case.seqLen === CHECKPOINT_N
  )!;
  const slow = structuredClone(plain);
  slow.id += "-ckpt";
  slow.case.checkpoint = true;
  slow.timeMs!.median *= 2;
  slow.timeMs!.medianCI = [slow.timeMs!.median * 0.97, slow.timeMs!.median * 1.03];
  sweep.results.push(slow);
  const at = frameworkRatios(analyse(sweep)).filter((r) => r.seqLen === CHECKPOINT_N);
  assert.equal(at.length, 1);
  assert.equal(at[0].other.series.checkpoint, true);
  close(at[0].ratio, TORCH_SPEEDUP[HYENA] / 2);
  assert.deepEqual(frameworkRatios(analyse(fixtureSweep())), []);
});

Deno.test("counterparts: the other framework's comparison of the headline's case", () => {
  const a = analyse(frameworksSweep());
  const [other, ...rest] = counterparts(a, a.headline!);
  assert.equal(rest.length, 0);
  assert.equal(other.pass, "forward");
  assert.equal(other.hyena.platform, "torch:cpu");
  assert.equal(other.transformer.platform, "torch:cpu");
  assert.deepEqual(counterparts(analyse(fixtureSweep()), analyse(fixtureSweep()).headline!), []);
});
