import assert from "node:assert/strict";
import { caseId } from "./id.ts";
import { expandLengths, expandSweep, loadSweep, parseSweepFile } from "./expand.ts";
import { CaseError } from "./schema.ts";

Deno.test("expandLengths: lists, doubling and linspace", () => {
  assert.deepEqual(expandLengths(7), [7]);
  assert.deepEqual(expandLengths([3, 5]), [3, 5]);
  assert.deepEqual(expandLengths({ doubling: [64, 1000] }), [64, 128, 256, 512]);
  assert.deepEqual(expandLengths({ linspace: [10, 20000, 8] }), [
    10,
    2866,
    5721,
    8577,
    11433,
    14289,
    17144,
    20000,
  ]);
  assert.throws(() => expandLengths({ doubling: [0, 8] }), /seqLen: .*got 0/);
});

Deno.test("expandSweep: cartesian product of list fields, defaults, comments ignored", () => {
  const file = parseSweepFile({
    name: "t",
    $comment: "ignored",
    defaults: { preset: "tiny", backend: "cpu" },
    grid: [{
      $comment: "x",
      model: ["se3-hyena", "equivariant-transformer"],
      pass: ["forward", "backward"],
      seqLen: [8, 16],
    }],
  });
  const sweep = expandSweep(file);
  assert.equal(sweep.cases.length, 8);
  assert.ok(sweep.cases.every((c) => c.preset === "tiny" && c.backend === "cpu"));
  assert.equal(new Set(sweep.cases.map(caseId)).size, 8);
});

Deno.test("expandSweep: overrides filter and replace, duplicates kept once", () => {
  const file = parseSweepFile({
    name: "t",
    grid: [
      {
        model: ["se3-hyena", "equivariant-transformer"],
        pass: ["forward", "backward"],
        seqLen: [8, 16],
      },
      { model: "se3-hyena", pass: "forward", seqLen: 8 },
    ],
  });
  assert.equal(expandSweep(file).cases.length, 8);
  const s = expandSweep(file, {
    models: ["se3-hyena"],
    passes: ["forward"],
    lengths: [32],
    backend: "cpu",
    timeoutMs: 5,
  });
  assert.equal(s.cases.length, 1);
  assert.deepEqual([s.cases[0].seqLen, s.cases[0].backend, s.cases[0].timeoutMs], [32, "cpu", 5]);
  assert.throws(
    () => expandSweep(file, { models: ["hyena"] }),
    /no case left after filtering by models hyena/,
  );
});

Deno.test("expandSweep: a bad case names its grid entry, field and value", () => {
  const file = parseSweepFile({
    name: "t",
    grid: [{ model: "se3-hyena", pass: "forward", seqLen: 8, batch: -2 }],
  });
  assert.throws(
    () => expandSweep(file),
    (e: unknown) => e instanceof CaseError && /grid\[0\].*batch:.*-2/.test(e.message),
  );
});

Deno.test("parseSweepFile rejects malformed files naming the field", () => {
  assert.throws(() => parseSweepFile({ name: "bad name!", grid: [] }), /name:.*"bad name!"/);
  assert.throws(
    () =>
      parseSweepFile({
        name: "t",
        grid: [{ model: "se3-hyena", pass: "forward", seqLen: "long" }],
      }),
    /grid\.0\.seqLen/,
  );
  assert.throws(() => parseSweepFile({ name: "t", grid: [], extra: 1 }), /extra: unknown field/);
});

Deno.test("built-in presets load and validate", async () => {
  const quick = await loadSweep("quick");
  assert.ok(quick.cases.length > 8);
  assert.ok(quick.memoryBudgetBytes! > 0);
  const models = new Set(quick.cases.map((c) => c.model));
  const passes = new Set(quick.cases.map((c) => c.pass));
  assert.deepEqual([...models].sort(), ["equivariant-transformer", "se3-hyena"]);
  assert.deepEqual([...passes].sort(), ["backward", "forward"]);
  assert.equal(Math.min(...quick.cases.map((c) => c.seqLen)), 64);

  const fig5 = await loadSweep("paper-fig5");
  const t = fig5.cases.filter((c) => c.model === "equivariant-transformer").map((c) => c.seqLen);
  assert.deepEqual(t, [10, 2866, 5721, 8577, 11433, 14289, 17144, 20000]);
  const h = fig5.cases.filter((c) => c.model === "se3-hyena").map((c) => c.seqLen);
  assert.equal(Math.max(...h), 2 ** 22);
  assert.ok(
    fig5.cases.every((c) => c.pass === "forward" && c.batch === 1 && c.preset === "paper-runtime"),
  );

  assert.equal((await loadSweep("tiny")).cases.length, 8);
  assert.ok((await loadSweep("example")).cases.length > 0);
  await assert.rejects(() => loadSweep("nope"), /unknown preset "nope"/);
});

Deno.test("training presets load by name (issue 6)", async () => {
  const expected: Record<string, { cases: number; tasks: string[]; lengths: number[] }> = {
    "recall-small": { cases: 16, tasks: ["recall-fixed", "recall-random"], lengths: [32, 64] },
    "nbody-small": { cases: 4, tasks: ["nbody"], lengths: [5] },
    "recall-paper": {
      cases: 32,
      tasks: ["recall-fixed", "recall-random"],
      lengths: [32, 64, 128, 256],
    },
    "nbody-paper": { cases: 4, tasks: ["nbody"], lengths: [5] },
  };
  for (const [name, want] of Object.entries(expected)) {
    const sweep = await loadSweep(name);
    assert.equal(sweep.name, name);
    assert.equal(sweep.cases.length, want.cases, `${name}: cases`);
    assert.ok(sweep.cases.every((c) => c.pass === "train"), `${name}: every case trains`);
    assert.deepEqual(
      [...new Set(sweep.cases.map((c) => c.model))].sort(),
      ["equivariant-transformer", "hyena", "se3-hyena", "transformer"],
      `${name}: models`,
    );
    assert.deepEqual([...new Set(sweep.cases.map((c) => String(c.task)))].sort(), want.tasks);
    assert.deepEqual(
      [...new Set(sweep.cases.map((c) => c.seqLen))].sort((a, b) => a - b),
      want.lengths,
    );
  }
  // The paper presets carry the paper's settings.
  const paper = await loadSweep("recall-paper");
  assert.ok(paper.cases.every((c) => c.epochs === 300 && c.trainSize === 2600 && c.lr === 1e-3));
  const nbody = await loadSweep("nbody-paper");
  assert.ok(nbody.cases.every((c) => c.epochs === 300 && c.batch === 100 && c.lr === 1e-4));
});

Deno.test("expandSweep: defaultBackend fills only unpinned cases; maxSeqLen drops longer ones", () => {
  const file = parseSweepFile({
    name: "t",
    grid: [
      { model: "se3-hyena", pass: "forward", seqLen: [64, 128, 256] },
      { model: "se3-hyena", pass: "backward", seqLen: 64, backend: "cpu" },
    ],
  });
  const s = expandSweep(file, { defaultBackend: "webgpu", maxSeqLen: 128 });
  assert.deepEqual(
    s.cases.map((c) => `${c.pass}:${c.seqLen}:${c.backend}`),
    ["forward:64:webgpu", "forward:128:webgpu", "backward:64:cpu"],
  );
  // --backend wins over both
  const all = expandSweep(file, { backend: "wasm", defaultBackend: "webgpu" });
  assert.ok(all.cases.every((c) => c.backend === "wasm"));
  assert.throws(() => expandSweep(file, { maxSeqLen: 32 }), /max length 32/);
});

Deno.test("expandSweep: framework and device overrides; the frameworks preset has both", async () => {
  const file = parseSweepFile({
    name: "f",
    defaults: { preset: "tiny" },
    grid: [
      { model: "se3-hyena", pass: "forward", seqLen: [8, 16] },
      { model: "se3-hyena", pass: "forward", framework: "torch", device: "cuda", seqLen: 8 },
    ],
  });
  const plain = expandSweep(file);
  assert.deepEqual(plain.cases.map((c) => `${c.framework}/${c.device}`), [
    "tfjs/undefined",
    "tfjs/undefined",
    "torch/cuda",
  ]);
  const torch = expandSweep(file, { framework: "torch", device: "cpu" });
  assert.deepEqual(torch.cases.map((c) => `${c.framework}/${c.device}/${c.seqLen}`), [
    "torch/cpu/8",
    "torch/cpu/16",
  ]); // the third case became a duplicate of the first
  const tfjs = expandSweep(file, { framework: "tfjs" });
  assert.ok(tfjs.cases.every((c) => c.framework === "tfjs" && c.device === undefined));
  const both = await loadSweep("frameworks");
  assert.deepEqual([...new Set(both.cases.map((c) => c.framework))].sort(), ["tfjs", "torch"]);
});

Deno.test("the cpu-peer preset expands to exactly the cases of issue 9's table", async () => {
  const sweep = await loadSweep("cpu-peer");
  const table: string[] = [];
  for (const fw of ["tfjs", "torch"]) {
    for (const pass of ["forward", "backward"]) {
      for (const n of [1024, 4096, 8580, 16384]) table.push(`${fw} se3-hyena - ${pass} ${n}`);
    }
    for (const attention of ["materialized", "gram"]) {
      for (const n of [1024, 4096, 8580]) {
        table.push(`${fw} equivariant-transformer ${attention} forward ${n}`);
      }
    }
    for (const n of [1024, 4096]) {
      table.push(`${fw} equivariant-transformer materialized backward ${n}`);
    }
  }
  const got = sweep.cases.map((c) =>
    `${c.framework} ${c.model} ${c.attention ?? "-"} ${c.pass} ${c.seqLen}`
  );
  assert.deepEqual([...got].sort(), [...table].sort());
  assert.equal(got.length, 32);
  for (const c of sweep.cases) {
    assert.equal(c.preset, "paper-runtime");
    assert.equal(c.batch, 1);
    assert.equal(c.backend, "wasm");
    assert.equal(c.device, c.framework === "torch" ? "cpu" : undefined);
    const checkpointed = c.framework === "tfjs" && c.model === "se3-hyena" &&
      c.pass === "backward" && c.seqLen === 16384;
    assert.equal(c.checkpoint, checkpointed ? true : undefined, `${c.framework} ${c.seqLen}`);
  }
});
