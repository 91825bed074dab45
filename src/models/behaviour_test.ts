/**
 * The models are not trivially equivariant (outputs depend on the inputs; token 0 sees the
 * last token through the global context), chunking changes nothing, materialized and gram
 * transformers agree, and nothing leaks after apply or a gradient step.
 */
import assert from "node:assert/strict";
import { tf } from "../backend.ts";
import { testOnBackends } from "../clifford/testing.ts";
import { createModel } from "./create_model.ts";
import type { ModelInputs, ModelKind } from "./equivariant_model.ts";
import { relativeError } from "./rotation.ts";
import { disposeInputs, randomInputs } from "./testing.ts";

const KINDS: ModelKind[] = ["se3-hyena", "equivariant-transformer"];

/** Max |a − b| over the elements of token `i` of `[B, N, w]` tensors (sample 0). */
function tokenChange(a: tf.Tensor3D, b: tf.Tensor3D, i: number): number {
  return tf.tidy(() => {
    const w = a.shape[2];
    const d = tf.sub(tf.slice(a, [0, i, 0], [1, 1, w]), tf.slice(b, [0, i, 0], [1, 1, w]));
    return tf.max(tf.abs(d)).dataSync()[0];
  });
}

for (const kind of KINDS) {
  testOnBackends(
    `${kind}: outputs depend on inputs; token 0 sees a change of the last token only`,
    () => {
      const model = createModel({ kind, preset: "tiny", vectorInputs: 1, seed: 2 });
      const inputs = randomInputs(model, 1, 12, 9);
      tf.tidy(() => {
        const y = model.apply(inputs);
        // x̂ is not just x, and f̂ depends on the features.
        assert.ok(relativeError(y.x, inputs.x) > 1e-3, "x̂ equals x");
        const other = { ...inputs, f: tf.add(inputs.f, 1) as tf.Tensor3D };
        assert.ok(relativeError(model.apply(other).f, y.f) > 1e-3, "f̂ ignores f");
        // Change only the last token (its scalar features, then its position).
        const n = 12;
        const mask = tf.reshape(tf.oneHot(tf.tensor1d([n - 1], "int32"), n), [1, n, 1]);
        const lastF: ModelInputs = {
          ...inputs,
          f: tf.add(inputs.f, tf.mul(mask, 0.7)) as tf.Tensor3D,
        };
        const lastX: ModelInputs = {
          ...inputs,
          x: tf.add(inputs.x, tf.mul(mask, tf.tensor1d([0.5, -0.3, 0.2]))) as tf.Tensor3D,
        };
        for (const changed of [lastF, lastX]) {
          const z = model.apply(changed);
          const df = tokenChange(z.f, y.f, 0), dx = tokenChange(z.x, y.x, 0);
          assert.ok(df > 1e-6, `token 0's f̂ unchanged (${df})`);
          assert.ok(dx > 1e-6, `token 0's x̂ unchanged (${dx})`);
        }
      });
      disposeInputs(inputs);
      model.dispose();
    },
  );

  testOnBackends(`${kind}: tokenChunk on and off give the same outputs`, () => {
    const model = createModel({ kind, preset: "tiny", vectorInputs: 1, seed: 3 });
    const inputs = randomInputs(model, 2, 13, 4);
    tf.tidy(() => {
      const y = model.apply(inputs);
      for (const tokenChunk of [1, 5, 26, 64]) {
        const z = model.apply(inputs, { tokenChunk });
        const ex = relativeError(z.x, y.x), ef = relativeError(z.f, y.f);
        assert.ok(ex < 1e-5 && ef < 1e-5, `tokenChunk ${tokenChunk}: x ${ex}, f ${ef}`);
      }
    });
    disposeInputs(inputs);
    model.dispose();
  });

  testOnBackends(
    `${kind}: no leaks after apply and a gradient step; gradients finite and reach the weights`,
    () => {
      const model = createModel({ kind, preset: "tiny", vectorInputs: 1, seed: 5 });
      const inputs = randomInputs(model, 1, 10, 6);
      const before = tf.memory().numTensors;
      const y1 = model.apply(inputs);
      tf.dispose([y1.x, y1.f]);
      const y2 = model.apply(inputs, { tokenChunk: 4 });
      tf.dispose([y2.x, y2.f]);
      assert.equal(tf.memory().numTensors, before, "apply leaked");
      const { value, grads } = tf.variableGrads(() => {
        const y = model.apply(inputs, { tokenChunk: 3 });
        return tf.add(tf.mean(tf.square(y.x)), tf.mean(tf.square(y.f))) as tf.Scalar;
      }, model.trainableVariables);
      assert.ok(Number.isFinite(value.dataSync()[0]));
      const gs = Object.values(grads);
      // Only the final MVLinear weights of output grades that are never read get no gradient:
      // grades 2, 3 of the embedding, φ, ξ and block MLP; grades 1, 2, 3 of the gating MLP γ.
      const layers = model.config.layers;
      assert.equal(
        gs.length,
        model.trainableVariables.length - (2 * (1 + 3 * layers) + 3 * layers),
      );
      assert.ok(gs.every((g) => g.dataSync().every(Number.isFinite)), "non-finite gradient");
      const nonzero = gs.filter((g) => tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]) > 0).length;
      // Inputs to every Clifford MLP hold grades 0 and 1 only, and grade 2 first appears in the
      // geometric product, so per MLP 12 variables always get a zero gradient: the first
      // MVLinear's grade-2/3 weights (2), MVSiLU's α, β of grades 2/3 (4), the product's
      // left/right grade-2/3 weights (4) and σ of grades 2/3 (2). Every other gradient is live.
      const mlps = 1 + 4 * layers;
      assert.equal(nonzero, gs.length - 12 * mlps, `${nonzero}/${gs.length} gradients non-zero`);
      tf.dispose([value, ...gs]);
      assert.equal(tf.memory().numTensors, before, "gradient step leaked");
      disposeInputs(inputs);
      model.dispose();
    },
  );
}

testOnBackends("equivariant-transformer: materialized, gram and flash models agree", () => {
  const opts = {
    kind: "equivariant-transformer",
    preset: "tiny",
    vectorInputs: 1,
    seed: 11,
  } as const;
  const mat = createModel(opts);
  const gram = createModel({ ...opts, attention: "gram" });
  const blocked = createModel({ ...opts, attention: "gram", attentionBlock: 3 });
  const flash = createModel({ ...opts, attention: "flash" });
  const inputs = randomInputs(mat, 1, 10, 12);
  tf.tidy(() => {
    const y = mat.apply(inputs);
    for (const other of [gram, blocked, flash]) {
      const z = other.apply(inputs);
      const ex = relativeError(z.x, y.x), ef = relativeError(z.f, y.f);
      assert.ok(ex < 1e-4 && ef < 1e-4, `x ${ex}, f ${ef}`);
    }
  });
  disposeInputs(inputs);
  for (const m of [mat, gram, blocked, flash]) m.dispose();
});
