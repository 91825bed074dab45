import * as mod from "./mod.ts";

Deno.test("mod.ts: the public API runs end to end on wasm (both models, fftConv)", async () => {
  await mod.useBackend("wasm");
  const { tf } = mod;
  const before = tf.memory().numTensors;
  for (const kind of ["se3-hyena", "equivariant-transformer"] as const) {
    const model = mod.createModel({ kind, preset: "tiny", seed: 1 });
    const x = tf.randomNormal([1, 12, 3], 0, 1, "float32", 1) as mod.tf.Tensor3D;
    const f = tf.randomNormal([1, 12, 4], 0, 1, "float32", 2) as mod.tf.Tensor3D;
    const out = model.apply({ x, f });
    if (out.x.shape.join() !== "1,12,3" || out.f.shape.join() !== "1,12,4") {
      throw new Error(`${kind}: unexpected output shapes ${out.x.shape} ${out.f.shape}`);
    }
    tf.dispose([x, f, out.x, out.f]);
    model.dispose();
  }
  const a = tf.ones([1, 5, 2]) as mod.tf.Tensor3D;
  const y = mod.fftConv(a, a);
  const got = await y.data();
  // circular convolution of ones with ones: every entry is N = 5
  if (!Array.from(got).every((v) => Math.abs(v - 5) < 1e-5)) throw new Error(`fftConv: ${got}`);
  tf.dispose([a, y]);
  if (tf.memory().numTensors !== before) {
    throw new Error(`leaked ${tf.memory().numTensors - before} tensors`);
  }
});

Deno.test("mod.ts: a bad case is rejected naming the field and value", () => {
  let message = "";
  try {
    mod.parseCase({ model: "se3-hyena", pass: "forward", seqLen: -3 });
  } catch (e) {
    message = (e as Error).message;
  }
  if (!message.includes("seqLen") || !message.includes("-3")) {
    throw new Error(`unexpected message: ${JSON.stringify(message)}`);
  }
});
