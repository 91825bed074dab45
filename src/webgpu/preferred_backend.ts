/**
 * Which backend to use by default on this machine: `tensorflow` when tfjs-node(-gpu) is
 * installed with its native library, else `webgpu` when a real (non-fallback) GPU adapter
 * exists, else `wasm`. Software WebGPU (lavapipe) is never preferred: wasm is faster there.
 *
 * @module
 */
import { type WebgpuAdapterSummary, webgpuAdapterSummary } from "./adapter_info.ts";

/** A backend {@link preferredBackend} can pick. */
export type PreferredBackend = "tensorflow" | "webgpu" | "wasm";

/** Options of {@link preferredBackend}; the defaults probe this machine. */
export interface PreferredBackendOptions {
  /** Whether tfjs-node(-gpu) can be imported. Default: {@link tfjsNodeImportable}. */
  tensorflowAvailable?: () => boolean | Promise<boolean>;
  /** The WebGPU adapter, if any. Default: {@link webgpuAdapterSummary}. */
  adapter?: () => Promise<WebgpuAdapterSummary | undefined>;
}

/** The repository root (where node_modules lives), from this module's location. */
const REPO_ROOT = new URL("../../", import.meta.url);

/** Whether a directory holds a built tfjs-node native binding (`lib/napi-v*\/tfjs_binding.node`). */
function hasBinding(packageDir: string): boolean {
  try {
    for (const entry of Deno.readDirSync(`${packageDir}/lib`)) {
      if (!entry.isDirectory || !entry.name.startsWith("napi-v")) continue;
      try {
        Deno.statSync(`${packageDir}/lib/${entry.name}/tfjs_binding.node`);
        return true;
      } catch {
        // no binding in this napi folder
      }
    }
  } catch {
    // no such package
  }
  return false;
}

/**
 * The tfjs-node package (`@tensorflow/tfjs-node-gpu` first, then `@tensorflow/tfjs-node`)
 * installed with its native binding under `root`/node_modules, or undefined. Looks only
 * at the file system: it never downloads anything.
 *
 * @param root the folder holding node_modules; default the repository root.
 */
export function tfjsNodeInstalled(root: string | URL = REPO_ROOT): string | undefined {
  const base = root instanceof URL ? root.pathname : root;
  const modules = `${base.replace(/\/$/, "")}/node_modules`;
  for (const pkg of ["tfjs-node-gpu", "tfjs-node"]) {
    const dirs = [`${modules}/@tensorflow/${pkg}`];
    try {
      for (const entry of Deno.readDirSync(`${modules}/.deno`)) {
        if (entry.name.startsWith(`@tensorflow+${pkg}@`)) {
          dirs.push(`${modules}/.deno/${entry.name}/node_modules/@tensorflow/${pkg}`);
        }
      }
    } catch {
      // no Deno-managed node_modules
    }
    if (dirs.some(hasBinding)) return `@tensorflow/${pkg}`;
  }
  return undefined;
}

/**
 * Whether tfjs-node(-gpu) is installed with its native library and imports without error
 * (the import is only tried when the binding is on disk, so this never downloads).
 */
export async function tfjsNodeImportable(): Promise<boolean> {
  const pkg = tfjsNodeInstalled();
  if (!pkg) return false;
  try {
    const tfCore = await import("@tensorflow/tfjs-core");
    const specifier = `npm:${pkg}@${tfCore.version_core}`;
    await import(specifier);
    return true;
  } catch {
    return false;
  }
}

/**
 * The best backend for this machine: `tensorflow` if tfjs-node is importable, else
 * `webgpu` if a real non-fallback WebGPU adapter exists, else `wasm`.
 */
export async function preferredBackend(
  options: PreferredBackendOptions = {},
): Promise<PreferredBackend> {
  const tensorflow = options.tensorflowAvailable ?? tfjsNodeImportable;
  if (await tensorflow()) return "tensorflow";
  const adapter = await (options.adapter ?? webgpuAdapterSummary)().catch(() => undefined);
  if (adapter && !adapter.isFallbackAdapter) return "webgpu";
  return "wasm";
}
