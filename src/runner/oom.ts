/**
 * Recognising "ran out of memory" among errors and child-process deaths.
 *
 * Running out of memory is a result (status `oom`), not a crash. It shows up as:
 * - `RangeError: Array buffer allocation failed` / `Invalid typed array length` (JS heap
 *   or ArrayBuffer limits, cpu backend);
 * - `Cannot allocate Wasm memory` / `Cannot enlarge memory` (wasm memory growth refused);
 * - `RuntimeError: Aborted()` on the wasm backend: the tfjs wasm module aborts when
 *   `malloc` fails at its 4 GiB ceiling (it is built without assertions, so the message
 *   says nothing more; an abort in that module has no other cause we know of);
 * - `RuntimeError: memory access out of bounds` on the wasm backend: a trap of the tfjs
 *   wasm module when an allocation did not fit its 32-bit, 4 GiB address space (a failed
 *   `malloc` whose null result is then written through, or a byte size past 2³² that
 *   wrapped around). Seen in training at N = 256 and for the materialized attention's
 *   [B, N, N, 3] tensor at N = 32768 (12.9 GB requested) while the heap held only
 *   ~200 MiB, so no heap-size threshold can tell it apart; the module's kernels index
 *   within the buffers they were given, so a trap there has no other cause we know of.
 * - V8's fatal `Fatal JavaScript out of memory` / `JavaScript heap out of memory` on
 *   stderr, after which the process dies (SIGTRAP/SIGABRT: exit code 133/134);
 * - the kernel OOM killer, or our parent's memory budget: SIGKILL (exit 137).
 *
 * @module
 */

const OOM_MESSAGE =
  /array buffer allocation failed|cannot allocate wasm memory|cannot enlarge memory|invalid typed array length|invalid array length|out of memory|allocation failed|abort\(oom\)|aborted\(oom\)|\boom\b/i;

/** A negative array length is a bug (a bad shape), never memory: `Invalid typed array length: -4`. */
const NEGATIVE_LENGTH = /invalid typed array length: -\d/i;

/** Whether an error message says memory ran out. */
export function isOomMessage(message: string): boolean {
  return OOM_MESSAGE.test(message) && !NEGATIVE_LENGTH.test(message);
}

/**
 * Whether `error` counts as out of memory only because it is a wasm trap (see the module
 * doc): the inference is then stated beside the message in the result.
 */
export function isInferredWasmOom(error: unknown, backend: string): boolean {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return isOomError(error, backend) && !isOomMessage(message);
}

/** Appended to the error of an `oom` result classified only because it is a wasm trap. */
export const WASM_TRAP_NOTE = "wasm trap without an allocation message, counted as out of memory";

/** Wasm traps that mean the 4 GiB heap could not hold an allocation (see the module doc). */
const WASM_OOM_TRAP = /Aborted\(|memory access out of bounds/i;

/**
 * Whether an error thrown while running a case on `backend` means memory ran out.
 * On wasm, any `Aborted(` runtime error and the `memory access out of bounds` trap count
 * (see the module doc); on other backends they do not.
 */
export function isOomError(error: unknown, backend: string): boolean {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (isOomMessage(message)) return true;
  return backend === "wasm" && WASM_OOM_TRAP.test(message);
}

/** Whether a child's stderr shows a fatal V8/wasm out-of-memory. */
export function isOomStderr(stderr: string): boolean {
  return /Fatal JavaScript out of memory|JavaScript heap out of memory|Fatal process out of memory|Cannot allocate Wasm memory|Array buffer allocation failed/i
    .test(stderr);
}
