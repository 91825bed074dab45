/**
 * Deno.bench of the two models on wasm: `deno bench -A bench/model_bench.ts`.
 *
 * Groups:
 * - `forward N=1024` (paper-runtime, batch 1): SE(3)-Hyena, equivariant transformer with
 *   `materialized` attention (the paper's baseline, the group's baseline), with `gram` and
 *   with `flash`.
 * - `backward N=256` (nbody preset): forward + gradients of every trainable variable.
 * - The SE(3)-Hyena and backward cases again with the Clifford layers' tf-ops reference
 *   formulations instead of the fused geometric-product and MVSiLU kernels
 *   (`… (tf-ops Clifford)`, `setFusedKernels(false)`), and a group
 *   `geometric product M=4096 C=128` timing the product core alone, forward and
 *   forward + backward, fused vs reference.
 *
 * For lengths up to 2²⁰ and fitted exponents run `deno task sweep --local --preset exponents`.
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
import type { Multivector } from "../src/clifford/algebra.ts";
import { setFusedKernels } from "../src/clifford/fused_kernels.ts";
import { fusedGeometricProduct } from "../src/clifford/geometric_product_op.ts";
import {
  type GeometricProductInputs,
  geometricProductReference,
} from "../src/clifford/geometric_product_reference.ts";

interface BenchCase {
  name: string;
  group: string;
  baseline?: boolean;
  model: CreateModelOptions;
  n: number;
  backward: boolean;
  /** Use the fused Clifford kernels (default true; false = the tf-ops references). */
  fused?: boolean;
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
    name: "transformer flash",
    group: "forward N=1024",
    model: { kind: "equivariant-transformer", preset: "paper-runtime", attention: "flash" },
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
// The SE(3)-Hyena and backward cases again with the tf-ops Clifford layers.
for (const c of CASES.filter((c) => c.name === "se3-hyena" || c.group.startsWith("backward"))) {
  CASES.push({ ...c, name: `${c.name} (tf-ops Clifford)`, baseline: false, fused: false });
}

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
      setFusedKernels(c.fused ?? true);
      b.start();
      run(prepared.model, prepared.inputs, c.backward);
      b.end();
      setFusedKernels(true);
    },
  });
}

// The product core alone: (l + P(x, n(r))) / √2 at M = 4096 tokens, C = 128 channels.
const GP_M = 4096, GP_C = 128;
let gpInputs: { inputs: GeometricProductInputs; list: tf.Tensor[]; u: tf.Tensor[] } | undefined;
function productInputs() {
  // Built once (untimed) and kept until the process exits.
  return gpInputs ??= (() => {
    const mv = (seed: number) =>
      Array.from(
        { length: 8 },
        (_, b) => tf.randomNormal([GP_M, GP_C], 0, 1, "float32", seed + b) as tf.Tensor2D,
      );
    const inputs: GeometricProductInputs = {
      x: mv(0),
      l: mv(10),
      r: mv(20),
      pathWeights: tf.randomNormal([GP_C, 20], 0, 0.5, "float32", 30) as tf.Tensor2D,
      sigma: [0, 1, 2, 3].map((g) =>
        tf.randomNormal([GP_C], 0, 1, "float32", 40 + g) as tf.Tensor1D
      ),
    };
    const list = [...inputs.x, ...inputs.l, ...inputs.r, inputs.pathWeights, ...inputs.sigma];
    return { inputs, list, u: mv(50) };
  })();
}
const PRODUCTS: [string, (i: GeometricProductInputs) => Multivector][] = [
  ["fused", fusedGeometricProduct],
  ["reference", geometricProductReference],
];
for (const backward of [false, true]) {
  for (const [name, op] of PRODUCTS) {
    Deno.bench({
      name: `${name} ${backward ? "forward + backward" : "forward"}`,
      group: `geometric product M=${GP_M} C=${GP_C}${backward ? " backward" : ""}`,
      baseline: name === "reference",
      n: 10,
      warmup: 2,
      fn(b) {
        const { inputs, list, u } = productInputs();
        b.start();
        tf.tidy(() => {
          if (!backward) return op(inputs).forEach((t) => t.dataSync());
          const grads = tf.grads((...t: tf.Tensor[]) => {
            const y = op({
              x: t.slice(0, 8) as Multivector,
              l: t.slice(8, 16) as Multivector,
              r: t.slice(16, 24) as Multivector,
              pathWeights: t[24] as tf.Tensor2D,
              sigma: t.slice(25) as tf.Tensor1D[],
            });
            return tf.addN(y.map((yb, n) => tf.sum(tf.mul(yb, u[n])))) as tf.Scalar;
          })(list);
          grads.forEach((g) => g.dataSync());
        });
        b.end();
      },
    });
  }
}
