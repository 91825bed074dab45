/**
 * Deno.bench of the two models on wasm: `deno bench -A bench/model_bench.ts`.
 *
 * Groups:
 * - `forward N=1024` (paper-runtime, batch 1): SE(3)-Hyena, equivariant transformer with
 *   `materialized` attention (the paper's baseline, the group's baseline) and with `gram`.
 * - `backward N=256` (nbody preset): forward + gradients of every trainable variable.
 *
 * For lengths up to 2²⁰ and fitted exponents see `bench/model_scaling.ts`.
 *
 * @module
 */
import { tf, useBackend } from "../src/backend.ts";
import {
  createModel,
  type CreateModelOptions,
  type EquivariantModel,
} from "../src/models/create_model.ts";
import type { ModelInputs } from "../src/models/equivariant_model.ts";
import { randomInputs } from "../src/models/testing.ts";

interface BenchCase {
  name: string;
  group: string;
  baseline?: boolean;
  model: CreateModelOptions;
  n: number;
  backward: boolean;
}

const CASES: BenchCase[] = [
  {
    name: "se3-hyena",
    group: "forward N=1024",
    model: { kind: "se3-hyena", preset: "paper-runtime" },
    n: 1024,
    backward: false,
  },
  {
    name: "transformer materialized",
    group: "forward N=1024",
    baseline: true,
    model: { kind: "equivariant-transformer", preset: "paper-runtime" },
    n: 1024,
    backward: false,
  },
  {
    name: "transformer gram",
    group: "forward N=1024",
    model: { kind: "equivariant-transformer", preset: "paper-runtime", attention: "gram" },
    n: 1024,
    backward: false,
  },
  {
    name: "se3-hyena",
    group: "backward N=256",
    model: { kind: "se3-hyena", preset: "nbody" },
    n: 256,
    backward: true,
  },
  {
    name: "transformer materialized",
    group: "backward N=256",
    baseline: true,
    model: { kind: "equivariant-transformer", preset: "nbody" },
    n: 256,
    backward: true,
  },
];

/** One pass; reads back a scalar so the work is finished before the clock stops. */
function run(model: EquivariantModel, inputs: ModelInputs, backward: boolean): void {
  tf.tidy(() => {
    const loss = () => {
      const y = model.apply(inputs);
      return tf.add(tf.mean(tf.square(y.x)), tf.mean(tf.square(y.f))) as tf.Scalar;
    };
    if (!backward) return void loss().dataSync();
    const { value, grads } = tf.variableGrads(loss, model.trainableVariables);
    value.dataSync();
    tf.dispose(Object.values(grads));
  });
}

await useBackend("wasm");
for (const c of CASES) {
  let prepared: { model: EquivariantModel; inputs: ModelInputs } | undefined;
  Deno.bench({
    name: c.name,
    group: c.group,
    baseline: c.baseline ?? false,
    n: 5,
    warmup: 1,
    fn(b) {
      // Model and inputs are built once per case (untimed) and kept until the process exits.
      prepared ??= (() => {
        const model = createModel(c.model);
        return { model, inputs: randomInputs(model, 1, c.n, 1) };
      })();
      b.start();
      run(prepared.model, prepared.inputs, c.backward);
      b.end();
    },
  });
}
