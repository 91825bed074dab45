/**
 * The PyTorch models (python/se3_torch) against the TypeScript ones: the same seeded
 * weights (exported in creation order, python/se3_torch/weights.py), the same inputs
 * (N = 37, one extra vector input), both in float32, for presets tiny and paper-runtime:
 * - outputs x̂, f̂, the loss and the whole gradient (every parameter's, concatenated) agree
 *   within 1e-5 relative (‖torch − ts‖ / ‖ts‖);
 * - each parameter's own gradient within {@link PER_TENSOR_TOLERANCE}: a few of the gating
 *   MLP's gradients are small sums with cancellation, where float32 itself is that far off:
 *   TypeScript against PyTorch in float64 differs by up to 1.6e-5 on them (measured).
 */
import assert from "node:assert/strict";
import { tf, useBackend } from "../backend.ts";
import { createModel, type ModelKind, type PresetName } from "../models/create_model.ts";
import type { AttentionMode } from "../models/attention.ts";
import { disposeInputs, randomInputs } from "../models/testing.ts";
import { resolvePython, torchAvailable } from "./python.ts";

const CROSSCHECK_PY = new URL("../../python/testdata/crosscheck.py", import.meta.url).pathname;
const TOLERANCE = 1e-5;
const PER_TENSOR_TOLERANCE = 1e-4;
const python = resolvePython();
const torchMissing = !(await torchAvailable(python));
if (torchMissing) {
  console.error(
    `SKIPPED: PyTorch is not importable by ${python} (install python3-torch: ` +
      `deno run -A scripts/system_deps.ts test)`,
  );
}

const exported = (t: tf.Tensor) => ({ shape: t.shape, data: Array.from(t.dataSync()) });

async function crossCheck(kind: ModelKind, preset: PresetName, attention?: AttentionMode) {
  await useBackend("cpu");
  const model = createModel({ kind, preset, vectorInputs: 1, attention, seed: 3 });
  const inputs = randomInputs(model, 1, 37, 11);
  try {
    const out = model.apply(inputs);
    const { value, grads } = tf.variableGrads(() =>
      tf.tidy(() => {
        const o = model.apply(inputs);
        return tf.add(tf.mean(tf.square(o.x)), tf.mean(tf.square(o.f))) as tf.Scalar;
      }), model.trainableVariables);
    const spec = {
      kind,
      preset,
      attention,
      m: 1,
      weights: model.trainableVariables.map(exported),
      inputs: { x: exported(inputs.x), f: exported(inputs.f), w: exported(inputs.w!) },
      outputs: { x: exported(out.x), f: exported(out.f) },
      loss: value.dataSync()[0],
      // A variable the loss does not reach (the grade-2/3 weights of a final MVLinear: only
      // grades 0 and 1 are read) has no gradient in TensorFlow.js: zeros, as in PyTorch.
      grads: model.trainableVariables.map((v) =>
        grads[v.name]
          ? exported(grads[v.name])
          : { shape: v.shape, data: new Array(v.size).fill(0) }
      ),
    };
    tf.dispose([out.x, out.f, value, ...Object.values(grads)]);
    const child = new Deno.Command(python, {
      args: [CROSSCHECK_PY],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: { OMP_NUM_THREADS: "1" },
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(JSON.stringify(spec)));
    await writer.close();
    const { code, stdout, stderr } = await child.output();
    const text = new TextDecoder().decode(stdout);
    assert(code === 0, `crosscheck.py exited ${code}: ${new TextDecoder().decode(stderr)}`);
    const r = JSON.parse(text);
    assert(r.parameters === model.trainableVariables.length, text);
    const what = `${kind} ${preset} ${attention ?? ""}`;
    for (const field of ["x", "f", "loss", "allGrads"]) {
      assert(r[field] <= TOLERANCE, `${what}: ${field} above ${TOLERANCE}: ${text}`);
    }
    assert(
      r.grads <= PER_TENSOR_TOLERANCE,
      `${what}: a gradient above ${PER_TENSOR_TOLERANCE}: ${text}`,
    );
  } finally {
    disposeInputs(inputs);
    model.dispose();
  }
}

for (const preset of ["tiny", "paper-runtime"] as const) {
  const cases: [ModelKind, AttentionMode | undefined][] = [
    ["se3-hyena", undefined],
    ["equivariant-transformer", "materialized"],
    ["equivariant-transformer", "gram"],
    ["equivariant-transformer", "flash"],
  ];
  for (const [kind, attention] of cases) {
    Deno.test({
      name: `torch cross-check: ${kind}${attention ? ` (${attention})` : ""}, ${preset}, N = 37`,
      ignore: torchMissing,
      fn: () => crossCheck(kind, preset, attention),
    });
  }
}
