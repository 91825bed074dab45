/**
 * `deno task test`: installs what the tests need (system packages via apt when root),
 * runs the whole `deno test` suite, and ends with the line `N passed, N failed`.
 *
 * Extra arguments are passed to `deno test` (e.g. a file or `--filter`).
 *
 * @module
 */
import { ensureSystemDeps, TEST_DEPS } from "./system_deps.ts";

try {
  await ensureSystemDeps(TEST_DEPS);
} catch (e) {
  console.error(`error: ${(e as Error).message}`);
  console.log("0 passed, 1 failed");
  Deno.exit(1);
}

const root = new URL("..", import.meta.url).pathname;
const args = ["test", "-A", "--no-check", ...(Deno.args.length ? Deno.args : [])];
const child = new Deno.Command(Deno.execPath(), {
  args,
  cwd: root,
  stdout: "piped",
  stderr: "inherit",
  stdin: "null",
}).spawn();

// Tee the output and keep the tail to find deno's summary line.
let tail = "";
const decoder = new TextDecoder();
for await (const chunk of child.stdout) {
  await Deno.stdout.write(chunk);
  tail = (tail + decoder.decode(chunk, { stream: true })).slice(-8192);
}
const { code } = await child.status;

// deno: "ok | 12 passed (3 steps) | 0 failed (4s)" or "FAILED | 10 passed | 2 failed (5s)"
// deno-lint-ignore no-control-regex
const plain = tail.replace(/\x1b\[[0-9;]*m/g, "");
const m = [...plain.matchAll(/(\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed/g)].at(-1);
const passed = m ? Number(m[1]) : 0;
let failed = m ? Number(m[3]) : 0;
if (code !== 0 && failed === 0) failed = 1; // a crash or type error before the summary
console.log(`\n${passed} passed, ${failed} failed`);
Deno.exit(code);
