/**
 * The PyTorch attention forms on their own (python/se3_torch/context.py): `gram` and
 * `flash` (several uneven row and key blocks, checkpointed when gradients are needed)
 * equal `materialized` within 1e-5 relative, outputs and input gradients (float64, N = 203).
 */
import assert from "node:assert/strict";
import { resolvePython, torchAvailable } from "./python.ts";

const python = resolvePython();
const ignore = !(await torchAvailable(python));
if (ignore) console.error(`SKIPPED: PyTorch is not importable by ${python}`);
const SCRIPT = new URL("../../python/testdata/attention_check.py", import.meta.url).pathname;

Deno.test({
  name: "torch attention: gram and flash equal materialized (outputs and gradients)",
  ignore,
  fn: async () => {
    const { code, stdout, stderr } = await new Deno.Command(python, {
      args: [SCRIPT, "203"],
      env: { OMP_NUM_THREADS: "1" },
    }).output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    const text = new TextDecoder().decode(stdout);
    const r = JSON.parse(text);
    for (const form of ["gram", "flash", "flashNoGrad"]) {
      for (const [k, v] of Object.entries(r[form])) {
        assert.ok((v as number) <= 1e-5, `${form} ${k}: ${text}`);
      }
    }
  },
});
