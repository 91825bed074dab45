/**
 * End to end: `deno run -A src/cli/sweep.ts …` spawned as a user runs it, in the
 * distributed embedded mode (its own nats-server and worker processes, the real case
 * runner), against `--local` on the same sweep.
 *
 * Leftover processes are found by a marker in the environment: every process the CLI
 * starts (nats-server, workers, their case children) inherits it, so after the CLI exits
 * no process anywhere may still carry it.
 */
import assert from "node:assert/strict";
import { caseId } from "../case/id.ts";
import { loadSweep } from "../case/expand.ts";
import type { CaseResult, SweepResults } from "../results.ts";

const CLI = new URL("./sweep.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;
const MARKER = "SE3H_E2E_MARKER";

/** Runs the CLI; returns exit code, output and the marker its processes carry. */
async function sweepCli(args: string[], env: Record<string, string> = {}) {
  const marker = crypto.randomUUID();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", `--config=${CONFIG}`, CLI, ...args],
    env: { NO_COLOR: "1", [MARKER]: marker, ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr), marker };
}

/** Processes (pid: command line) whose environment carries `MARKER=marker`. */
async function processesWithMarker(marker: string): Promise<string[]> {
  const needle = `${MARKER}=${marker}`;
  const found: string[] = [];
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const environ = await Deno.readTextFile(`/proc/${e.name}/environ`);
      if (!environ.split("\0").includes(needle)) continue;
      const cmd = (await Deno.readTextFile(`/proc/${e.name}/cmdline`)).replaceAll("\0", " ");
      found.push(`${e.name}: ${cmd}`);
    } catch { /* gone, or not ours to read */ }
  }
  return found;
}

/** Asserts that nothing the CLI started is still running (a moment's grace for exits). */
async function assertNoLeftovers(marker: string): Promise<void> {
  let left: string[] = [];
  for (let i = 0; i < 20; i++) {
    left = await processesWithMarker(marker);
    if (left.length === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(left, [], "processes left running after the sweep");
}

/** The results.json next to the printed report path. */
async function resultsOf(stdout: string): Promise<{ html: string; json: SweepResults }> {
  const m = stdout.match(/^report: (.+\/index\.html)$/m);
  assert.ok(m, `no "report: <path>" line on stdout:\n${stdout}`);
  const html = m[1];
  assert.ok((await Deno.stat(html)).isFile, `${html} exists`);
  const dir = html.replace(/\/index\.html$/, "");
  assert.ok((await Deno.stat(`${dir}/results.csv`)).isFile);
  return { html, json: JSON.parse(await Deno.readTextFile(`${dir}/results.json`)) };
}

const idStatus = (rs: CaseResult[]) =>
  rs.map((r) => `${r.id} ${r.status}${r.skipped ? " skipped" : ""}`).sort();

Deno.test("sweep CLI end to end: distributed embedded (2 workers) gives every tiny case once, the report, no leftovers; --local agrees", async () => {
  const out = await Deno.makeTempDir({ prefix: "se3h-e2e-" });
  try {
    const expected = (await loadSweep("tiny", { repeats: 2 })).cases.map((c) => caseId(c)).sort();
    const args = ["--preset", "tiny", "--out", out, "--no-progress", "--repeats", "2"];

    const dist = await sweepCli([...args, "--workers", "2"]);
    assert.equal(dist.code, 0, dist.stderr);
    const d = await resultsOf(dist.stdout);
    assert.ok(d.html.startsWith(`${out}/tiny-`), d.html);
    assert.deepEqual(d.json.results.map((r) => r.id).sort(), expected, "every case exactly once");
    assert.equal(d.json.mode, "distributed");
    const workers = new Set(d.json.results.map((r) => r.worker.id));
    assert.ok(workers.size >= 1 && workers.size <= 2, `workers ${[...workers]}`);
    assert.equal((d.json.workers as unknown[]).length, 2, "both workers announced themselves");
    assert.match(dist.stderr, /\[8\/8\] /, "the progress reached 8/8");
    assert.doesNotMatch(dist.stderr, /[0-9a-f]{64}/, "the embedded token is never shown");
    await assertNoLeftovers(dist.marker);
    // The finished sweep removed its server storage.
    await assert.rejects(Deno.stat(d.html.replace(/index\.html$/, ".nats")), Deno.errors.NotFound);

    const local = await sweepCli([...args, "--local"]);
    assert.equal(local.code, 0, local.stderr);
    const l = await resultsOf(local.stdout);
    assert.deepEqual(idStatus(l.json.results), idStatus(d.json.results));
    await assertNoLeftovers(local.marker);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("sweep CLI end to end: skip-after-OOM is the same distributed and local (real runner, simulated OOM)", async () => {
  const out = await Deno.makeTempDir({ prefix: "se3h-e2e-" });
  try {
    const file = `${out}/oom.json`;
    await Deno.writeTextFile(
      file,
      JSON.stringify({
        name: "oom-e2e",
        defaults: {
          backend: "cpu",
          preset: "tiny",
          repeats: 2,
          warmup: 1,
          budgetMs: 0,
          model: "se3-hyena",
          pass: "forward",
        },
        grid: [
          { seqLen: [32, 64, 128, 256], fault: "oom" },
          { seqLen: [32, 64], fault: "noop" },
        ],
      }),
    );
    const env = { SE3_HYENA_TEST_FAULTS: "1" };
    const args = ["--preset", file, "--out", out, "--no-progress", "--no-report"];
    const dist = await sweepCli([...args, "--workers", "1"], env);
    assert.equal(dist.code, 0, dist.stderr);
    const dir = dist.stderr.match(/results: (\S+)\/results\.json/)![1];
    const d: SweepResults = JSON.parse(await Deno.readTextFile(`${dir}/results.json`));
    const oom = d.results.filter((r) => r.case.fault === "oom")
      .sort((a, b) => a.case.seqLen - b.case.seqLen);
    assert.deepEqual(
      oom.map((r) => [r.case.seqLen, r.status, r.skipped ?? false, r.oomAt]),
      [[32, "oom", false, 32], [64, "skipped", true, 32], [128, "skipped", true, 32], [
        256,
        "skipped",
        true,
        32,
      ]],
    );
    await assertNoLeftovers(dist.marker);

    const local = await sweepCli([...args, "--local"], env);
    assert.equal(local.code, 0, local.stderr);
    const ldir = local.stderr.match(/results: (\S+)\/results\.json/)![1];
    const l: SweepResults = JSON.parse(await Deno.readTextFile(`${ldir}/results.json`));
    assert.deepEqual(idStatus(l.results), idStatus(d.results));
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
