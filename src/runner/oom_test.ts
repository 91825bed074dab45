import assert from "node:assert/strict";
import { isInferredWasmOom, isOomError, isOomMessage, isOomStderr } from "./oom.ts";

Deno.test("allocation failures are recognised as out of memory", () => {
  assert.ok(isOomError(new RangeError("Array buffer allocation failed"), "cpu"));
  assert.ok(isOomError(new RangeError("Invalid typed array length: 5000000000"), "cpu"));
  assert.ok(isOomError(new Error("Cannot allocate Wasm memory for new instance"), "wasm"));
  assert.ok(isOomMessage("RuntimeError: Aborted(OOM)"));
  // tfjs-wasm aborts without a message when malloc fails at its 4 GiB ceiling
  const abort = new Error("Aborted(). Build with -sASSERTIONS for more info.");
  assert.ok(isOomError(abort, "wasm"));
  assert.ok(!isOomError(abort, "cpu"));
  assert.ok(isInferredWasmOom(abort, "wasm"));
  assert.ok(!isInferredWasmOom(new RangeError("Array buffer allocation failed"), "wasm"));
  assert.ok(!isOomError(new TypeError("x is undefined"), "wasm"));
  assert.ok(!isOomError(new Error("shape mismatch [2,3] vs [3,2]"), "cpu"));
  // A negative length is a bad shape, not memory.
  assert.ok(!isOomError(new RangeError("Invalid typed array length: -12"), "cpu"));
  assert.ok(isOomError(new RangeError("Invalid array length"), "cpu"));
});

Deno.test("fatal V8 out-of-memory on stderr is recognised", () => {
  assert.ok(isOomStderr("#\n# Fatal JavaScript out of memory: Reached heap limit\n#"));
  assert.ok(
    isOomStderr(
      "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory",
    ),
  );
  assert.ok(!isOomStderr("error: Uncaught TypeError: foo"));
});

Deno.test("wasm trap 'memory access out of bounds' (4 GiB heap exhausted) is out of memory", () => {
  // The trap as V8 raises it from the tfjs wasm module, and as a child's message carries it.
  const trap = new WebAssembly.RuntimeError("memory access out of bounds");
  assert.equal(`${trap.name}: ${trap.message}`, "RuntimeError: memory access out of bounds");
  assert.ok(isOomError(trap, "wasm"));
  assert.ok(isOomError("RuntimeError: memory access out of bounds", "wasm"));
  // Only the wasm backend's heap traps like this; elsewhere it stays an error.
  assert.ok(!isOomError(trap, "cpu"));
  assert.ok(!isOomError(trap, "webgpu"));
  assert.ok(!isOomMessage(trap.message));
  // Other wasm traps are bugs, not memory.
  assert.ok(!isOomError(new WebAssembly.RuntimeError("unreachable"), "wasm"));
  assert.ok(!isOomError(new WebAssembly.RuntimeError("integer divide by zero"), "wasm"));
});
