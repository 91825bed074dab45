import assert from "node:assert/strict";
import { tf, useBackend } from "../src/backend.ts";
import { createModel } from "../src/models/create_model.ts";
import { disposeInputs, randomInputs } from "../src/models/testing.ts";
import { makeStep, profileStep } from "./profile_model.ts";

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`profileStep: per-kernel rows of a backward step, kernel restored [${backend}]`, async () => {
    await useBackend(backend);
    const kernel = tf.getKernel("BatchMatMul", backend);
    const model = createModel({ kind: "se3-hyena", preset: "tiny", seed: 1 });
    const inputs = randomInputs(model, 1, 9, 2);
    const before = tf.memory().numTensors;
    try {
      const p = await profileStep(makeStep(model, inputs, "backward", {}));
      const keys = p.rows.map((r) => r.key);
      for (const k of ["BatchMatMul", "BatchMatMul[tA]", "BatchMatMul[tB]"]) {
        assert.ok(keys.includes(k), `${k} in ${keys.join(", ")}`);
      }
      assert.ok(p.rows.every((r, i) => i === 0 || p.rows[i - 1].ms >= r.ms), "sorted by ms");
      assert.ok(p.rows.every((r) => r.count > 0 && r.bytes >= 0));
      assert.ok(p.kernelMs > 0 && p.wallMs > 0 && p.peakBytes > 0);
      const byShape = await profileStep(makeStep(model, inputs, "forward", {}), "shape");
      assert.ok(byShape.rows.some((r) => r.key.startsWith("BatchMatMul [[9,")), "shapes in keys");
      assert.equal(tf.getKernel("BatchMatMul", backend)?.kernelFunc, kernel?.kernelFunc);
      assert.equal(tf.memory().numTensors, before);
    } finally {
      disposeInputs(inputs);
      model.dispose();
    }
  });
}

Deno.test("profile_model --interleave: alternating steps give the per-pair ratio; needs --pass both", async () => {
  const run = (...args: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("./profile_model.ts", import.meta.url).pathname, ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
  const tiny = ["--preset", "tiny", "--n", "9", "--backend", "cpu", "--warmup", "0"];
  const ok = await run(...tiny, "--interleave", "--repeats", "3");
  const out = new TextDecoder().decode(ok.stdout);
  assert.equal(ok.code, 0, new TextDecoder().decode(ok.stderr));
  assert.match(out, /forward: median \d+ ms wall \(\d+, \d+, \d+\)/);
  assert.match(out, /backward \/ forward, interleaved: median of 3 pairs \d+\.\d\d/);
  assert.doesNotMatch(out, /leaked/);
  const bad = await run(...tiny, "--interleave", "--pass", "forward");
  assert.equal(bad.code, 2);
  assert.match(new TextDecoder().decode(bad.stderr), /--interleave needs --pass both, got forward/);
});
