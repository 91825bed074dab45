import assert from "node:assert/strict";
import { CASE_DEFAULTS, CaseError, MAX_TOKENS, parseCase, TEST_FAULTS_ENV } from "./schema.ts";

/** Asserts that parsing throws a CaseError whose message contains every fragment. */
function rejects(input: unknown, ...fragments: string[]) {
  assert.throws(() => parseCase(input), (e: unknown) => {
    assert.ok(e instanceof CaseError, `expected CaseError, got ${e}`);
    for (const f of fragments) {
      assert.ok(e.message.includes(f), `message ${JSON.stringify(e.message)} lacks ${f}`);
    }
    return true;
  });
}

Deno.test("parseCase fills defaults", () => {
  const c = parseCase({ model: "se3-hyena", pass: "forward", seqLen: 64 });
  assert.equal(c.batch, CASE_DEFAULTS.batch);
  assert.equal(c.backend, "wasm");
  assert.equal(c.preset, "paper-runtime");
  assert.equal(c.dtype, "float32");
  assert.equal(c.repeats, 5);
  assert.equal(c.attention, undefined);
});

Deno.test("parseCase gives the transformer materialized attention by default", () => {
  const c = parseCase({ model: "equivariant-transformer", pass: "backward", seqLen: 8 });
  assert.equal(c.attention, "materialized");
  assert.equal(parseCase({ ...c, attention: "gram" }).attention, "gram");
});

Deno.test("parseCase rejects bad fields naming field and value", () => {
  rejects({ model: "unet", pass: "forward", seqLen: 8 }, "model:", '"unet"');
  rejects({ model: "se3-hyena", pass: "forward", seqLen: -3 }, "seqLen:", "-3");
  rejects({ model: "se3-hyena", pass: "forward", seqLen: 1.5 }, "seqLen:", "integer", "1.5");
  rejects({ model: "se3-hyena", pass: "forward", seqLen: "64" }, "seqLen:", "number", '"64"');
  rejects(
    { model: "se3-hyena", pass: "forward", seqLen: MAX_TOKENS * 2 },
    "seqLen:",
    String(MAX_TOKENS * 2),
  );
  rejects({ model: "se3-hyena", pass: "sideways", seqLen: 8 }, "pass:", '"sideways"');
  rejects({ model: "se3-hyena", pass: "forward", seqLen: 8, backend: "gpu" }, "backend:", '"gpu"');
  rejects({ model: "se3-hyena", pass: "forward", seqLen: 8, repeats: 0 }, "repeats:", "0");
  rejects({ model: "se3-hyena", pass: "forward" }, "seqLen:", "missing");
  rejects({ model: "se3-hyena", pass: "forward", seqLen: 2 ** 20, batch: 1024 }, "batch:", "1024");
  rejects("se3-hyena", "(case)", '"se3-hyena"');
  rejects(null, "(case)");
});

Deno.test("parseCase rejects unknown fields of measured cases (typos)", () => {
  rejects(
    { model: "se3-hyena", pass: "forward", seqLen: 8, seqlen: 16 },
    "seqlen:",
    "unknown field",
    "16",
  );
});

Deno.test("parseCase rejects attention on a model without attention", () => {
  rejects(
    { model: "se3-hyena", pass: "forward", seqLen: 8, attention: "gram" },
    "attention:",
    '"gram"',
  );
});

Deno.test("parseCase passes extra fields of training cases through", () => {
  const c = parseCase({
    model: "se3-hyena",
    pass: "train",
    seqLen: 32,
    preset: "recall",
    task: "recall",
    epochs: 3,
  });
  assert.equal(c.task, "recall");
  assert.equal(c.epochs, 3);
  assert.equal(c.pass, "train");
});

Deno.test("the fault test field is accepted only with SE3_HYENA_TEST_FAULTS=1", () => {
  const input = { model: "se3-hyena", pass: "forward", seqLen: 8, fault: "hang" };
  const saved = Deno.env.get(TEST_FAULTS_ENV);
  try {
    Deno.env.delete(TEST_FAULTS_ENV);
    rejects(input, "fault:", '"hang"', TEST_FAULTS_ENV);
    Deno.env.set(TEST_FAULTS_ENV, "1");
    assert.equal(parseCase(input).fault, "hang");
    rejects({ ...input, fault: "explode" }, "fault:", '"explode"');
  } finally {
    if (saved === undefined) Deno.env.delete(TEST_FAULTS_ENV);
    else Deno.env.set(TEST_FAULTS_ENV, saved);
  }
});

Deno.test("parseCase: framework and device", () => {
  const base = { model: "se3-hyena", pass: "forward", seqLen: 64 };
  assert.equal(parseCase(base).framework, "tfjs");
  assert.equal(parseCase(base).device, undefined);
  assert.equal(parseCase({ ...base, framework: "torch" }).device, "cpu");
  assert.equal(parseCase({ ...base, framework: "torch", device: "cuda" }).device, "cuda");
  assert.throws(
    () => parseCase({ ...base, framework: "jax" }),
    /framework: expected one of tfjs, torch, got "jax"/,
  );
  assert.throws(
    () => parseCase({ ...base, device: "cuda" }),
    /device: only applies to framework "torch"/,
  );
  assert.throws(
    () => parseCase({ ...base, framework: "torch", device: "tpu" }),
    /device: expected one of cpu, cuda/,
  );
  assert.throws(
    () => parseCase({ ...base, model: "hyena", framework: "torch" }),
    /model: framework torch implements se3-hyena, equivariant-transformer only/,
  );
  const flash = { ...base, model: "equivariant-transformer", attention: "flash" };
  assert.throws(
    () => parseCase({ ...flash, backend: "webgpu" }),
    /attention: flash has TensorFlow.js kernels on backends cpu and wasm only, not webgpu/,
  );
  assert.equal(parseCase({ ...flash, backend: "wasm" }).attention, "flash");
  assert.equal(parseCase({ ...flash, backend: "cpu" }).attention, "flash");
  assert.equal(parseCase({ ...flash, framework: "torch", backend: "webgpu" }).attention, "flash");
});

Deno.test("parseCase: checkpoint (backward, equivariant models; false keeps the case id)", async () => {
  const { caseId } = await import("./id.ts");
  const base = { model: "se3-hyena", pass: "backward", seqLen: 64 };
  assert.equal(parseCase({ ...base, checkpoint: true }).checkpoint, true);
  assert.equal("checkpoint" in parseCase({ ...base, checkpoint: false }), false);
  assert.equal(caseId(parseCase({ ...base, checkpoint: false })), caseId(parseCase(base)));
  assert.notEqual(caseId(parseCase({ ...base, checkpoint: true })), caseId(parseCase(base)));
  rejects({ ...base, checkpoint: "yes" }, "checkpoint:", "true or false", '"yes"');
  rejects({ ...base, pass: "forward", checkpoint: true }, "checkpoint:", "backward");
  rejects({ ...base, model: "hyena", checkpoint: true }, "checkpoint:", "se3-hyena");
  rejects({ ...base, framework: "torch", checkpoint: true }, "checkpoint:", "tfjs");
});

Deno.test("parseCase: threads is an optional integer from 1 to 65, errors name the value", () => {
  const base = { model: "se3-hyena", pass: "forward", seqLen: 64 };
  assert.equal(parseCase(base).threads, undefined);
  assert.equal(parseCase({ ...base, threads: 1 }).threads, 1);
  assert.equal(parseCase({ ...base, threads: 65 }).threads, 65);
  assert.equal(parseCase({ ...base, framework: "torch", threads: 2 }).threads, 2);
  for (
    const [threads, message] of [
      [0, "threads: expected an integer ≥ 1, got 0"],
      [66, "threads: expected an integer ≤ 65, got 66"],
      [1.5, "threads: expected an integer, got 1.5"],
      ["2", 'threads: expected a number, got "2"'],
    ] as const
  ) {
    assert.throws(() => parseCase({ ...base, threads }), (e: Error) => {
      assert.ok(e instanceof CaseError);
      assert.match(e.message, new RegExp(message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
      return true;
    });
  }
});
