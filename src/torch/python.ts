/**
 * The Python side of the `torch` framework: which interpreter runs the PyTorch child
 * (`python/child.py`), and the environment it runs in.
 *
 * Interpreter ({@link resolvePython}): the `--python PATH` option, else
 * `SE3_HYENA_PYTHON`, else `/usr/bin/python3` when Debian's `python3-torch` is installed
 * (the package scripts/system_deps.ts installs; a `python3` earlier on PATH, e.g. a
 * virtual environment without torch, would not have it), else the `python3` on PATH.
 *
 * Environment ({@link torchChildEnv}), because fair CPU timing needs a fast BLAS and
 * allocator (Debian's torch calls the reference BLAS through `libblas.so.3` unless an
 * optimised one is the alternative; glibc malloc made it 2–3× slower here than jemalloc):
 * - `LD_PRELOAD` = Debian's `libjemalloc.so.2` when installed (appended to an existing one);
 * - `LD_LIBRARY_PATH` starts with OpenBLAS's OpenMP build directory when installed, so
 *   `libblas.so.3` resolves to OpenBLAS whatever the system alternative says;
 * - `OMP_NUM_THREADS` / `OPENBLAS_NUM_THREADS` = the CPU count, unless already set;
 * - `MALLOC_CONF=dirty_decay_ms:-1,muzzy_decay_ms:-1` with jemalloc, unless set: freed pages
 *   stay mapped for reuse (as PyTorch's CUDA caching allocator keeps device memory, and as
 *   the wasm heap keeps ours). jemalloc's default hands large freed blocks back to the
 *   kernel at once, so every step page-faults its activations in again; on this VM that
 *   made filling a fresh 32 MiB tensor take 235 ms instead of 1.6 ms and the SE(3)-Hyena
 *   forward at N = 1,024 (paper-runtime) ~1.3 s instead of ~0.1 s (measured 2026-12-02);
 * - `OMP_WAIT_POLICY=PASSIVE` unless set: idle OpenMP threads sleep instead of spinning.
 *   With spinning threads a case on a loaded machine (load 8 on 2 cores, measured) took
 *   2,065 ms instead of 89 ms; on an idle machine `ACTIVE` may be slightly faster.
 * The child reports what it actually loaded (from /proc/self/maps) and its thread count in
 * the result's `torch` field; nothing is assumed.
 *
 * @module
 */

/** Environment variable naming the Python interpreter of the torch child. */
export const PYTHON_ENV = "SE3_HYENA_PYTHON";
/** Debian's python3 (with `python3-torch`). */
export const DEBIAN_PYTHON = "/usr/bin/python3";
/** jemalloc options of the torch child: freed pages are kept for reuse, never purged. */
export const JEMALLOC_RETAIN = "dirty_decay_ms:-1,muzzy_decay_ms:-1";
/** Debian's jemalloc (package libjemalloc2). */
export const JEMALLOC_PATHS = [
  "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2",
  "/usr/lib/aarch64-linux-gnu/libjemalloc.so.2",
];
/** Debian's OpenBLAS, OpenMP build (package libopenblas0-openmp). */
export const OPENBLAS_DIRS = [
  "/usr/lib/x86_64-linux-gnu/openblas-openmp",
  "/usr/lib/aarch64-linux-gnu/openblas-openmp",
];
/** The PyTorch child entry. */
export const TORCH_CHILD_PATH = decodeURIComponent(
  new URL("../../python/child.py", import.meta.url).pathname,
);

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/** The interpreter of the torch child (see the module doc). */
export function resolvePython(explicit?: string): string {
  if (explicit) return explicit;
  const fromEnv = env(PYTHON_ENV);
  if (fromEnv) return fromEnv;
  if (exists(DEBIAN_PYTHON) && exists("/usr/lib/python3/dist-packages/torch")) {
    return DEBIAN_PYTHON;
  }
  return "python3";
}

/** Whether `python` can import torch (runs it once; false when it cannot start). */
export async function torchAvailable(python: string): Promise<boolean> {
  try {
    const { code } = await new Deno.Command(python, {
      args: ["-c", "import torch"],
      stdout: "null",
      stderr: "null",
      stdin: "null",
    }).output();
    return code === 0;
  } catch {
    return false;
  }
}

/**
 * The torch child's environment additions (see the module doc), given the current
 * environment `base` (default: this process's).
 */
export function torchChildEnv(
  base: Record<string, string | undefined> = Deno.env.toObject(),
): Record<string, string> {
  const out: Record<string, string> = {};
  const jemalloc = JEMALLOC_PATHS.find(exists);
  if (jemalloc && !(base.LD_PRELOAD ?? "").includes("jemalloc")) {
    out.LD_PRELOAD = base.LD_PRELOAD ? `${base.LD_PRELOAD}:${jemalloc}` : jemalloc;
  }
  if (jemalloc && base.MALLOC_CONF === undefined) out.MALLOC_CONF = JEMALLOC_RETAIN;
  const blas = OPENBLAS_DIRS.find(exists);
  if (blas) {
    out.LD_LIBRARY_PATH = base.LD_LIBRARY_PATH ? `${blas}:${base.LD_LIBRARY_PATH}` : blas;
  }
  const threads = String(navigator.hardwareConcurrency || 1);
  if (!base.OMP_NUM_THREADS) out.OMP_NUM_THREADS = threads;
  if (!base.OPENBLAS_NUM_THREADS) out.OPENBLAS_NUM_THREADS = threads;
  if (!base.OMP_WAIT_POLICY) out.OMP_WAIT_POLICY = "PASSIVE";
  return out;
}

/**
 * Makes sure torch cases can run: PyTorch importable by the interpreter (installing
 * Debian's python3-torch when missing, with apt as root, else an error that says how), and
 * OpenBLAS / jemalloc for fair CPU timing (installed when missing and possible; otherwise a
 * warning: the results record what was loaded).
 *
 * @param python the `--python` option, if any.
 * @param cpu whether any torch case runs on the CPU (else BLAS and allocator do not matter,
 *   and nothing is installed for them: GPU machines are often offline).
 * @throws Error naming the interpreter when PyTorch cannot be imported.
 */
export async function ensureTorchRuntime(
  python?: string,
  cpu = true,
  log: (line: string) => void = console.error,
): Promise<void> {
  const { ensureSystemDeps, TORCH_DEPS } = await import("../../scripts/system_deps.ts");
  const interpreter = resolvePython(python);
  if (!(await torchAvailable(interpreter))) {
    if (python !== undefined) {
      throw new Error(`--python: ${interpreter} cannot import torch`);
    }
    await ensureSystemDeps(TORCH_DEPS.slice(0, 1));
    if (!(await torchAvailable(resolvePython()))) {
      throw new Error(
        `torch: ${resolvePython()} cannot import torch; give one that can with --python PATH`,
      );
    }
  }
  if (!cpu) return;
  try {
    await ensureSystemDeps(TORCH_DEPS.slice(1));
  } catch (e) {
    log(`warning: torch CPU timing without a fast BLAS/allocator: ${(e as Error).message}`);
  }
}
