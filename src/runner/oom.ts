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
 * - V8's fatal `Fatal JavaScript out of memory` / `JavaScript heap out of memory` on
 *   stderr, after which the process dies (SIGTRAP/SIGABRT: exit code 133/134);
 * - the kernel OOM killer, or our parent's memory budget: SIGKILL (exit 137).
 *
 * @module
 */

const OOM_MESSAGE =
  /array buffer allocation failed|cannot allocate wasm memory|cannot enlarge memory|invalid typed array length|invalid array length|out of memory|allocation failed|abort\(oom\)|aborted\(oom\)|\boom\b/i;

/** Whether an error message says memory ran out. */
export function isOomMessage(message: string): boolean {
  return OOM_MESSAGE.test(message);
}

/**
 * Whether an error thrown while running a case on `backend` means memory ran out.
 * On wasm, any `Aborted(` runtime error counts (see the module doc).
 */
export function isOomError(error: unknown, backend: string): boolean {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (isOomMessage(message)) return true;
  return backend === "wasm" && /Aborted\(/.test(message);
}

/** Whether a child's stderr shows a fatal V8/wasm out-of-memory. */
export function isOomStderr(stderr: string): boolean {
  return /Fatal JavaScript out of memory|JavaScript heap out of memory|Fatal process out of memory|Cannot allocate Wasm memory|Array buffer allocation failed/i
    .test(stderr);
}
