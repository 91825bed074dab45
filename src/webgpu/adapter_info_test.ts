import assert from "node:assert/strict";
import {
  requireWebgpuAdapter,
  summarizeAdapter,
  WEBGPU_INSTALL_HINT,
  webgpuAdapterSummary,
} from "./adapter_info.ts";

/** A fake adapter with the fields `summarizeAdapter` reads. */
function fakeAdapter(info: Record<string, unknown>): GPUAdapter {
  class Limits {
    get maxStorageBufferBindingSize() {
      return 1 << 27;
    }
    get maxComputeWorkgroupsPerDimension() {
      return 65535;
    }
  }
  return {
    info,
    limits: new Limits(),
    features: new Set(["timestamp-query", "shader-f16"]),
  } as unknown as GPUAdapter;
}

Deno.test("summarizeAdapter names an NVIDIA Vulkan adapter and reads getter limits", () => {
  const s = summarizeAdapter(fakeAdapter({
    vendor: "4318",
    device: "8961",
    architecture: "",
    description: "NVIDIA H100 80GB HBM3",
    isFallbackAdapter: false,
  }));
  assert.equal(s.vendor, "NVIDIA");
  assert.equal(s.vendorId, "4318");
  assert.equal(s.name, "NVIDIA H100 80GB HBM3");
  assert.equal(s.isFallbackAdapter, false);
  assert.equal(s.limits.maxStorageBufferBindingSize, 1 << 27);
  assert.equal(s.limits.maxComputeWorkgroupsPerDimension, 65535);
  assert.deepEqual(s.features, ["shader-f16", "timestamp-query"]);
});

Deno.test("summarizeAdapter flags llvmpipe as a fallback even without isFallbackAdapter", () => {
  const s = summarizeAdapter(fakeAdapter({ vendor: "65541", description: "llvmpipe (LLVM 15)" }));
  assert.equal(s.vendor, "Mesa");
  assert.ok(s.isFallbackAdapter);
  const noName = summarizeAdapter(fakeAdapter({ vendor: "4318", device: "1" }));
  assert.equal(noName.name, "NVIDIA 1");
  assert.ok(!noName.isFallbackAdapter);
});

Deno.test("requireWebgpuAdapter explains how to install a driver when there is no adapter", async () => {
  const nav = globalThis.navigator as unknown as { gpu?: unknown };
  Object.defineProperty(nav, "gpu", {
    value: { requestAdapter: () => Promise.resolve(null) },
    configurable: true,
  });
  try {
    assert.equal(await webgpuAdapterSummary(), undefined);
    await assert.rejects(() => requireWebgpuAdapter(), /returned null.*mesa-vulkan-drivers/s);
  } finally {
    // Removes the own property; the real getter on Navigator.prototype shows again.
    delete nav.gpu;
  }
  assert.match(WEBGPU_INSTALL_HINT, /apt-get install -y mesa-vulkan-drivers/);
});

Deno.test("this machine has a WebGPU adapter (lavapipe in CI)", async () => {
  const s = await requireWebgpuAdapter();
  assert.ok(s.name.length > 0, "adapter has a name");
  assert.ok(s.limits.maxStorageBufferBindingSize > 0, "limits are read");
});
