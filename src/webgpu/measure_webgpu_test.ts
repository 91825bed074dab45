/**
 * The runner on `webgpu` (Mesa's lavapipe in CI): a case during which WebGPU raised an
 * uncaptured error is not reported `ok` (tfjs does not throw; the failing commands are
 * dropped, so the times would be of work that never ran). Fails, with install
 * instructions, when this machine has no WebGPU adapter.
 */
import assert from "node:assert/strict";
import { tf, useBackend } from "../backend.ts";
import type { Case } from "../results.ts";
import { type BenchModel, measureCase, type ModelModule } from "../runner/measure.ts";
import { requireWebgpuAdapter } from "./adapter_info.ts";

/** A one-variable model; with `fail`, its first apply provokes a WebGPU validation error. */
function models(fail: boolean): ModelModule {
  return {
    PRESETS: { tiny: { D: 4 } },
    createModel(): BenchModel {
      const a = tf.variable(tf.scalar(0.5));
      let failed = false;
      return {
        apply({ x, f }) {
          if (fail && !failed) {
            failed = true;
            const device = (tf.backend() as unknown as { device: GPUDevice }).device;
            device.createBuffer({ size: 4, usage: 0 }); // usage 0 is invalid: uncaptured error
          }
          return { x: tf.mul(x, a), f: tf.mul(f, a) };
        },
        trainableVariables: [a],
        parameterCount: () => 1,
        dispose: () => a.dispose(),
      };
    },
  };
}

const base: Case = {
  model: "se3-hyena",
  pass: "forward",
  seqLen: 16,
  batch: 1,
  preset: "tiny",
  backend: "webgpu",
  dtype: "float32",
  repeats: 3,
  warmup: 1,
  budgetMs: 0,
  timeoutMs: 60_000,
  seed: 0,
};

Deno.test("measureCase (webgpu): an uncaptured WebGPU error makes the case an error, not ok", async () => {
  await requireWebgpuAdapter();
  await useBackend("webgpu");
  const good = await measureCase(base, { modelModule: models(false) });
  assert.equal(good.status, "ok", good.error);
  const bad = await measureCase(base, { modelModule: models(true) });
  assert.equal(bad.status, "error");
  assert.match(bad.error!, /^webgpu: \d+ uncaptured error\(s\) during the case/);
  assert.ok(bad.timeMs !== null, "numbers kept");
  // The next case starts clean.
  const again = await measureCase(base, { modelModule: models(false) });
  assert.equal(again.status, "ok", again.error);
});
