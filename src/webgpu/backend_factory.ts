/**
 * Our factory for TensorFlow.js's `webgpu` backend, replacing the package's own.
 *
 * Why: tfjs-backend-webgpu 4.22 requests a device with only a few raised limits and
 * leaves `maxStorageBuffersPerShaderStage` at WebGPU's default of 8. Programs with more
 * storage bindings (e.g. `AddN` of 8 tensors: 8 inputs + 1 output) then fail to compile,
 * the invalid pipeline invalidates the whole command buffer it was recorded in, and every
 * other dispatch batched with it silently produces nothing (zeros/stale data). This was
 * the cause of wrong model outputs on webgpu (on lavapipe and on Vulkan/GL alike).
 *
 * This factory requests every adapter limit the backend relies on at the adapter's
 * maximum, and reports uncaptured WebGPU errors (validation, out-of-memory) loudly instead
 * of letting them pass silently; {@link webgpuErrors} lists them for tests.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { requestAdapter, WEBGPU_INSTALL_HINT } from "./adapter_info.ts";

/** The limits requested at the adapter's maximum. */
const RAISED_LIMITS = [
  "maxComputeWorkgroupStorageSize",
  "maxComputeWorkgroupsPerDimension",
  "maxStorageBufferBindingSize",
  "maxBufferSize",
  "maxComputeWorkgroupSizeX",
  "maxComputeWorkgroupSizeY",
  "maxComputeWorkgroupSizeZ",
  "maxComputeInvocationsPerWorkgroup",
  "maxStorageBuffersPerShaderStage",
  "maxBindingsPerBindGroup",
  "maxUniformBufferBindingSize",
] as const;

/** Uncaptured WebGPU errors seen on devices made by this factory (oldest first, at most 100). */
const errors: string[] = [];

/** The uncaptured WebGPU errors seen so far (validation, out-of-memory, internal). */
export function webgpuErrors(): readonly string[] {
  return errors;
}

/** Forgets the errors collected so far (tests call this before a check). */
export function clearWebgpuErrors(): void {
  errors.length = 0;
}

/**
 * Creates the device tfjs's `WebGPUBackend` runs on: features as tfjs asks for them, and
 * the limits above raised to the adapter's values.
 *
 * @throws Error with install instructions when there is no adapter.
 */
export async function requestWebgpuDevice(
  powerPreference: GPUPowerPreference = "high-performance",
): Promise<{ adapter: GPUAdapter; device: GPUDevice }> {
  const adapter = await requestAdapter(powerPreference);
  if (!adapter) {
    throw new Error(`WebGPU: navigator.gpu.requestAdapter() returned null. ${WEBGPU_INSTALL_HINT}`);
  }
  const requiredFeatures: GPUFeatureName[] = [];
  for (const f of ["timestamp-query", "bgra8unorm-storage"] as GPUFeatureName[]) {
    if (adapter.features.has(f)) requiredFeatures.push(f);
  }
  const requiredLimits: Record<string, number> = {};
  const limits = adapter.limits as unknown as Record<string, number>;
  for (const name of RAISED_LIMITS) {
    if (typeof limits[name] === "number") requiredLimits[name] = limits[name];
  }
  const device = await adapter.requestDevice({ requiredFeatures, requiredLimits });
  device.addEventListener("uncapturederror", (event) => {
    const message = (event as GPUUncapturedErrorEvent).error?.message ?? String(event);
    if (errors.length < 100) errors.push(message);
    if (errors.length <= 5) console.error(`WebGPU error (results may be wrong): ${message}`);
  });
  return { adapter, device };
}

/**
 * Registers our factory as TensorFlow.js's `webgpu` backend (replacing the package's),
 * importing `@tensorflow/tfjs-backend-webgpu` for its `WebGPUBackend` class and kernels.
 * Call before the backend is first initialised; calling again is a no-op.
 */
export async function registerWebgpuBackend(): Promise<void> {
  const webgpu = await import("@tensorflow/tfjs-backend-webgpu");
  if (registered) return;
  registered = true;
  const powerPreference: GPUPowerPreference = tf.env().getBool("WEBGPU_USE_LOW_POWER_GPU")
    ? "low-power"
    : "high-performance";
  if (tf.engine().registryFactory["webgpu"]) tf.removeBackend("webgpu");
  tf.registerBackend("webgpu", async () => {
    const { adapter, device } = await requestWebgpuDevice(powerPreference);
    const info = (adapter as unknown as { info?: unknown }).info;
    // deno-lint-ignore no-explicit-any
    return new webgpu.WebGPUBackend(device, info as any);
  }, 3);
}

let registered = false;
