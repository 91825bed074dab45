import assert from "node:assert/strict";
import type { WebgpuAdapterSummary } from "./adapter_info.ts";
import { preferredBackend, tfjsNodeInstalled } from "./preferred_backend.ts";

/** A minimal adapter summary. */
function adapter(isFallbackAdapter: boolean): WebgpuAdapterSummary {
  return {
    name: isFallbackAdapter ? "llvmpipe" : "NVIDIA H100",
    vendor: isFallbackAdapter ? "Mesa" : "NVIDIA",
    vendorId: "",
    architecture: "",
    device: "",
    description: "",
    isFallbackAdapter,
    limits: {},
    features: [],
  };
}

Deno.test("preferredBackend: tensorflow first, then a real GPU adapter, else wasm", async () => {
  const none = () => Promise.resolve(undefined);
  assert.equal(
    await preferredBackend({
      tensorflowAvailable: () => true,
      adapter: () => Promise.resolve(adapter(false)),
    }),
    "tensorflow",
  );
  assert.equal(
    await preferredBackend({
      tensorflowAvailable: () => false,
      adapter: () => Promise.resolve(adapter(false)),
    }),
    "webgpu",
  );
  assert.equal(
    await preferredBackend({
      tensorflowAvailable: () => false,
      adapter: () => Promise.resolve(adapter(true)),
    }),
    "wasm",
    "a fallback (software) adapter is not preferred",
  );
  assert.equal(await preferredBackend({ tensorflowAvailable: () => false, adapter: none }), "wasm");
  assert.equal(
    await preferredBackend({
      tensorflowAvailable: () => false,
      adapter: () => Promise.reject(new Error("boom")),
    }),
    "wasm",
    "an adapter query that throws means no webgpu",
  );
});

Deno.test("tfjsNodeInstalled finds a built binding in Deno's node_modules layout only", () => {
  const root = Deno.makeTempDirSync();
  try {
    assert.equal(tfjsNodeInstalled(root), undefined);
    const pkg =
      `${root}/node_modules/.deno/@tensorflow+tfjs-node@4.22.0/node_modules/@tensorflow/tfjs-node`;
    Deno.mkdirSync(`${pkg}/lib/napi-v8`, { recursive: true });
    assert.equal(tfjsNodeInstalled(root), undefined, "a package without its binding is not usable");
    Deno.writeTextFileSync(`${pkg}/lib/napi-v8/tfjs_binding.node`, "");
    assert.equal(tfjsNodeInstalled(root), "@tensorflow/tfjs-node");
    const gpu = `${root}/node_modules/@tensorflow/tfjs-node-gpu/lib/napi-v9`;
    Deno.mkdirSync(gpu, { recursive: true });
    Deno.writeTextFileSync(`${gpu}/tfjs_binding.node`, "");
    assert.equal(tfjsNodeInstalled(root), "@tensorflow/tfjs-node-gpu", "the GPU package wins");
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("preferredBackend on this machine returns a known backend", async () => {
  assert.ok(["tensorflow", "webgpu", "wasm"].includes(await preferredBackend()));
});
