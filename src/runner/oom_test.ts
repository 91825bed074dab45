import assert from "node:assert/strict";
import { isOomError, isOomMessage, isOomStderr } from "./oom.ts";

Deno.test("allocation failures are recognised as out of memory", () => {
  assert.ok(isOomError(new RangeError("Array buffer allocation failed"), "cpu"));
  assert.ok(isOomError(new RangeError("Invalid typed array length: 5000000000"), "cpu"));
  assert.ok(isOomError(new Error("Cannot allocate Wasm memory for new instance"), "wasm"));
  assert.ok(isOomMessage("RuntimeError: Aborted(OOM)"));
  // tfjs-wasm aborts without a message when malloc fails at its 4 GiB ceiling
  const abort = new Error("Aborted(). Build with -sASSERTIONS for more info.");
  assert.ok(isOomError(abort, "wasm"));
  assert.ok(!isOomError(abort, "cpu"));
  assert.ok(!isOomError(new TypeError("x is undefined"), "wasm"));
  assert.ok(!isOomError(new Error("shape mismatch [2,3] vs [3,2]"), "cpu"));
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
