/**
 * Backend selection: one place that knows which TensorFlow.js backends exist,
 * how to load them, and what each one needs.
 *
 * - `cpu`: plain JavaScript, unbounded by the wasm heap, slow matmuls.
 * - `wasm`: XNNPACK; fast matmuls; a wasm32 heap capped at 4 GiB (a real memory budget).
 * - `webgpu`: WGSL kernels through Deno's WebGPU (Vulkan/Metal/DX12, or Mesa's software Vulkan).
 * - `tensorflow`: `@tensorflow/tfjs-node-gpu`, else `@tensorflow/tfjs-node`, imported only when asked for.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
// Gradient functions: tfjs-core's own registration module (dist/register_all_gradients) is
// unloadable in Deno (extensionless ESM imports); the @tensorflow/tfjs bundle registers them.
import "@tensorflow/tfjs";

export { tf };

/** The backends this project knows. */
export const BACKENDS = ["cpu", "wasm", "webgpu", "tensorflow"] as const;
/** A backend name. */
export type BackendName = (typeof BACKENDS)[number];

/** Hooks run after a backend becomes active (kernel registration lives beside each kernel). */
const onActivate: Array<(name: BackendName) => void | Promise<void>> = [];

/** Registers a hook run every time `useBackend` activates a backend (used by kernel modules). */
export function onBackendActivated(hook: (name: BackendName) => void | Promise<void>): void {
  onActivate.push(hook);
}

/** Whether `name` is one of {@link BACKENDS}. */
export function isBackendName(name: unknown): name is BackendName {
  return typeof name === "string" && (BACKENDS as readonly string[]).includes(name);
}

let tensorflowLoaded: string | undefined;

/** Loads tfjs-node(-gpu) on demand; returns the package that was loaded. */
async function loadTensorflow(): Promise<string> {
  if (tensorflowLoaded) return tensorflowLoaded;
  const errors: string[] = [];
  for (const pkg of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
    try {
      // A computed specifier keeps the import lazy and out of the module graph.
      const specifier = `npm:${pkg}@${tf.version_core}`;
      await import(specifier);
      if (tf.findBackend("tensorflow")) {
        tensorflowLoaded = pkg;
        return pkg;
      }
      errors.push(`${pkg}: loaded but registered no 'tensorflow' backend`);
    } catch (e) {
      errors.push(`${pkg}: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  throw new Error(
    `backend "tensorflow" needs @tensorflow/tfjs-node-gpu (CUDA) or @tensorflow/tfjs-node (CPU), ` +
      `and neither could be loaded. Install one where its native library can be downloaded, e.g.\n` +
      `  deno install --allow-scripts=npm:@tensorflow/tfjs-node-gpu npm:@tensorflow/tfjs-node-gpu@${tf.version_core}\n` +
      `Details: ${errors.join("; ")}`,
  );
}

/** Loads the webgpu backend on demand (its module touches `navigator.gpu` at import time). */
async function loadWebgpu(): Promise<void> {
  const gpu = (globalThis.navigator as { gpu?: unknown } | undefined)?.gpu;
  if (!gpu) {
    throw new Error(`backend "webgpu" needs WebGPU (navigator.gpu), which this runtime lacks`);
  }
  const { requestAdapter } = await import("./webgpu/adapter_info.ts");
  if (!(await requestAdapter("high-performance"))) {
    throw new Error(
      `backend "webgpu": navigator.gpu.requestAdapter() returned null (no Vulkan driver); ` +
        `install one, e.g. \`apt-get install -y mesa-vulkan-drivers\` (software lavapipe)`,
    );
  }
  // Our factory (not the package's): it raises device limits tfjs leaves at WebGPU defaults,
  // which otherwise silently drop whole command buffers (see src/webgpu/backend_factory.ts).
  const { registerWebgpuBackend } = await import("./webgpu/backend_factory.ts");
  await registerWebgpuBackend();
}

/**
 * Makes `name` the active TensorFlow.js backend and waits until it is ready.
 *
 * @param name one of `cpu`, `wasm`, `webgpu`, `tensorflow`.
 * @throws Error naming the value when the backend is unknown or cannot be loaded.
 */
export async function useBackend(name: BackendName): Promise<void> {
  if (!isBackendName(name)) {
    throw new Error(
      `backend: unknown backend ${JSON.stringify(name)}; expected one of ${BACKENDS.join(", ")}`,
    );
  }
  if (name === "tensorflow") await loadTensorflow();
  if (name === "webgpu") await loadWebgpu();
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`backend: could not initialise backend "${name}"`);
  await tf.ready();
  for (const hook of onActivate) await hook(name);
}

/** The active backend's name. */
export function currentBackend(): BackendName {
  return tf.getBackend() as BackendName;
}
