/**
 * Memory limits shared by the parent (isolated.ts) and the child (measure.ts), kept free
 * of imports so that a sweep's or worker's parent process does not load TensorFlow.js.
 *
 * @module
 */

/** The tfjs wasm heap's hard ceiling (emscripten's getHeapMax: 4 GiB − 64 KiB). */
export const WASM_HEAP_MAX_BYTES = 4294901760;
/** Environment variable through which the parent tells the child its memory budget. */
export const MEMORY_BUDGET_ENV = "SE3_HYENA_MEMORY_BUDGET";
