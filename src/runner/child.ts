/**
 * Child-process entry of the isolated runner: reads one case as JSON on stdin, measures
 * it, writes exactly one line on stdout, the {@link CaseResult} as JSON, and exits 0.
 *
 * Everything else the libraries print goes to stderr (console.log/info/debug are
 * redirected before any module that might print is loaded), so stdout stays parseable.
 * The case is validated again here (a parent is not trusted blindly, and the `fault`
 * test field is only accepted with `SE3_HYENA_TEST_FAULTS=1` in this process).
 *
 * Run: `deno run -A src/runner/child.ts < case.json`
 *
 * With `SE3H_EXIT_ON_STDIN_CLOSE=1` (set by src/runner/isolated.ts) the case is the first
 * line of stdin, and the child exits with code 86 as soon as stdin reaches end of file:
 * its parent closed it, or died (the kernel closes the pipe), so nobody waits for the
 * result.
 *
 * @module
 */
import type { CaseResult } from "../results.ts";

/** Writes the result line and exits. */
async function emit(result: CaseResult): Promise<never> {
  const line = new TextEncoder().encode(JSON.stringify(result) + "\n");
  let written = 0;
  while (written < line.length) written += await Deno.stdout.write(line.subarray(written));
  Deno.exit(0);
}

if (import.meta.main) {
  const toStderr = (...args: unknown[]) => console.error(...args);
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;

  let text: string;
  if (Deno.env.get("SE3H_EXIT_ON_STDIN_CLOSE") === "1") {
    const reader = Deno.stdin.readable.getReader();
    const decoder = new TextDecoder();
    text = "";
    let eof = false;
    while (!text.includes("\n") && !eof) {
      const { value, done } = await reader.read();
      if (value) text += decoder.decode(value, { stream: true });
      eof = done;
    }
    text = text.slice(0, text.includes("\n") ? text.indexOf("\n") : undefined);
    // Watch the rest: end of file means the parent is gone.
    (async () => {
      try {
        while (!(await reader.read()).done) { /* nothing else is sent */ }
      } catch { /* closed */ }
      console.error("child: stdin closed (the parent is gone): exiting");
      Deno.exit(86);
    })();
  } else {
    text = await new Response(Deno.stdin.readable).text();
  }
  const { parseCase } = await import("../case/schema.ts");
  const { caseId } = await import("../case/id.ts");
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    await emit({
      id: "invalid",
      case: {} as CaseResult["case"],
      status: "error",
      timeMs: null,
      memory: { peakBytes: null, rssPeakBytes: null, deviceBytes: null },
      flops: null,
      worker: { host: "", device: "", backend: "" },
      error: `stdin: expected one case as JSON: ${(e as Error).message}`,
    });
  }
  let c;
  try {
    c = parseCase(raw);
  } catch (e) {
    let id = "invalid";
    try {
      id = caseId(raw);
    } catch {
      // not hashable
    }
    await emit({
      id,
      case: raw as CaseResult["case"],
      status: "error",
      timeMs: null,
      memory: { peakBytes: null, rssPeakBytes: null, deviceBytes: null },
      flops: null,
      worker: { host: "", device: "", backend: "" },
      error: (e as Error).message,
    });
  }
  const { measureCase } = await import("./measure.ts");
  await emit(await measureCase(c!));
}
