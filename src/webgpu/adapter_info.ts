/**
 * What WebGPU adapter this process gets: name, vendor, architecture, limits, features and
 * whether it is a fallback (software) adapter such as Mesa's lavapipe (llvmpipe).
 *
 * Deno exposes WebGPU without a flag (2.x); on Linux it needs a Vulkan driver.
 *
 * @module
 */

/** How to get a WebGPU adapter on Debian/Ubuntu when there is none. */
export const WEBGPU_INSTALL_HINT =
  "Deno's WebGPU needs a Vulkan driver. On Debian/Ubuntu install Mesa's (software " +
  "lavapipe works without a GPU): `apt-get install -y mesa-vulkan-drivers`; with an " +
  "NVIDIA GPU the driver's Vulkan ICD plus the loader (`libvulkan1`). Check with " +
  "`deno eval 'console.log(await navigator.gpu?.requestAdapter())'`.";

/** PCI vendor ids reported by Vulkan adapters, and the Mesa software vendor id. */
const VENDORS: Record<number, string> = {
  0x10de: "NVIDIA",
  0x1002: "AMD",
  0x1022: "AMD",
  0x8086: "Intel",
  0x13b5: "ARM",
  0x5143: "Qualcomm",
  0x106b: "Apple",
  0x10005: "Mesa",
};

/** A summary of a WebGPU adapter. */
export interface WebgpuAdapterSummary {
  /** A human name: the driver's description, else `vendor device`. */
  name: string;
  /** The vendor's name where known (e.g. "NVIDIA", "Mesa"), else the raw vendor string. */
  vendor: string;
  /** The raw vendor string the runtime reports (Deno: the PCI vendor id in decimal). */
  vendorId: string;
  /** The architecture string (often empty on Vulkan). */
  architecture: string;
  /** The device string (Deno: the PCI device id in decimal). */
  device: string;
  /** The driver's description (e.g. "NVIDIA H100 80GB HBM3", "llvmpipe (LLVM 15…)"). */
  description: string;
  /** Whether this is a fallback adapter (software rendering, e.g. lavapipe). */
  isFallbackAdapter: boolean;
  /** The adapter's limits (all numeric fields of `GPUSupportedLimits`). */
  limits: Record<string, number>;
  /** The adapter's optional features. */
  features: string[];
}

/** The subset of `GPUAdapterInfo` we read (fields vary across runtimes). */
interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

/** Options of {@link webgpuAdapterSummary}. */
export interface AdapterQueryOptions {
  /** Power preference passed to `requestAdapter`. Default "high-performance" (as tfjs does). */
  powerPreference?: GPUPowerPreference;
}

/** Summarises `adapter` (no device is created). */
export function summarizeAdapter(adapter: GPUAdapter): WebgpuAdapterSummary {
  const info = ((adapter as unknown as { info?: AdapterInfoLike }).info ?? {}) as AdapterInfoLike;
  const vendorId = info.vendor ?? "";
  const vendorNumber = /^\d+$/.test(vendorId) ? Number(vendorId) : NaN;
  const vendor = VENDORS[vendorNumber] ?? vendorId;
  const description = info.description ?? "";
  const limits: Record<string, number> = {};
  // GPUSupportedLimits exposes its fields as prototype getters.
  for (
    let o: object | null = adapter.limits;
    o && o !== Object.prototype;
    o = Object.getPrototypeOf(o)
  ) {
    for (const key of Object.getOwnPropertyNames(o)) {
      const value = (adapter.limits as unknown as Record<string, unknown>)[key];
      if (typeof value === "number" && !(key in limits)) limits[key] = value;
    }
  }
  const isFallbackAdapter = Boolean(
    info.isFallbackAdapter ??
      (adapter as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter ??
      /llvmpipe|lavapipe|swiftshader/i.test(description),
  );
  return {
    name: description || `${vendor} ${info.device ?? ""}`.trim() || "unknown WebGPU adapter",
    vendor,
    vendorId,
    architecture: info.architecture ?? "",
    device: info.device ?? "",
    description,
    isFallbackAdapter,
    limits,
    features: [...adapter.features].map(String).sort(),
  };
}

/**
 * `navigator.gpu.requestAdapter`, with `XDG_RUNTIME_DIR` pointed at a private temporary
 * folder when it is unset (Mesa's Vulkan drivers otherwise print
 * "XDG_RUNTIME_DIR is invalid or not set" on every process). `null` without WebGPU.
 */
export async function requestAdapter(
  powerPreference: GPUPowerPreference = "high-performance",
): Promise<GPUAdapter | null> {
  const gpu = (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu;
  if (!gpu) return null;
  if (!Deno.env.get("XDG_RUNTIME_DIR")) {
    Deno.env.set("XDG_RUNTIME_DIR", await Deno.makeTempDir({ prefix: "se3h-xdg-" }));
  }
  return await gpu.requestAdapter({ powerPreference });
}

/**
 * The adapter `navigator.gpu.requestAdapter` returns here, summarised; `undefined` when
 * this runtime has no WebGPU or no adapter (no Vulkan driver).
 */
export async function webgpuAdapterSummary(
  options: AdapterQueryOptions = {},
): Promise<WebgpuAdapterSummary | undefined> {
  const adapter = await requestAdapter(options.powerPreference ?? "high-performance");
  return adapter ? summarizeAdapter(adapter) : undefined;
}

/**
 * Like {@link webgpuAdapterSummary}, but throws when there is no adapter.
 *
 * @throws Error explaining how to install a Vulkan driver ({@link WEBGPU_INSTALL_HINT}).
 */
export async function requireWebgpuAdapter(
  options: AdapterQueryOptions = {},
): Promise<WebgpuAdapterSummary> {
  const hasGpu = Boolean((globalThis.navigator as { gpu?: GPU } | undefined)?.gpu);
  const summary = await webgpuAdapterSummary(options);
  if (summary) return summary;
  throw new Error(
    hasGpu
      ? `WebGPU: navigator.gpu.requestAdapter() returned null (no Vulkan driver found). ${WEBGPU_INSTALL_HINT}`
      : `WebGPU: this runtime has no navigator.gpu. ${WEBGPU_INSTALL_HINT}`,
  );
}
