/**
 * `deno task test`: installs what the tests need (system packages via apt when root),
 * runs the static checks (`deno check`, `deno lint`, `deno fmt --check`, each counted as
 * one test), then the whole `deno test` suite, and ends with the line
 * `N passed, N failed`.
 *
 * Extra arguments are passed to `deno test` (e.g. a file or `--filter`), and then the
 * static checks are skipped.
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
let passed = 0;
let failed = 0;

/** Runs `deno <args>` in the repository root; stdout is teed and returned. */
async function deno(args: string[]): Promise<{ code: number; out: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: root,
    stdout: "piped",
    stderr: "inherit",
    stdin: "null",
  }).spawn();
  let out = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    await Deno.stdout.write(chunk);
    out = (out + decoder.decode(chunk, { stream: true })).slice(-8192);
  }
  return { code: (await child.status).code, out };
}

if (Deno.args.length === 0) {
  const checks: [string, string[]][] = [
    ["deno check", ["check", "mod.ts", "src/", "workers/", "bench/", "scripts/"]],
    ["deno lint", ["lint"]],
    ["deno fmt --check", ["fmt", "--check"]],
  ];
  for (const [name, args] of checks) {
    const { code } = await deno(args);
    console.log(`static check: ${name} ... ${code === 0 ? "ok" : "FAILED"}`);
    if (code === 0) passed++;
    else failed++;
  }
}

const { code, out } = await deno(["test", "-A", "--no-check", ...Deno.args]);
// deno: "ok | 12 passed (3 steps) | 0 failed (4s)" or "FAILED | 10 passed | 2 failed (5s)"
// deno-lint-ignore no-control-regex
const plain = out.replace(/\x1b\[[0-9;]*m/g, "");
const m = [...plain.matchAll(/(\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed/g)].at(-1);
passed += m ? Number(m[1]) : 0;
failed += m ? Number(m[3]) : 0;
if (code !== 0 && !(m && Number(m[3]) > 0)) failed++; // a crash before the summary
console.log(`\n${passed} passed, ${failed} failed`);
Deno.exit(failed > 0 ? 1 : 0);
