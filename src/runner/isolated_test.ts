import assert from "node:assert/strict";
import type { Case } from "../results.ts";
import { applyRssBudget, runCaseIsolated } from "./isolated.ts";
import { emptyResult } from "./result.ts";
import { validateResult } from "./result_schema.ts";
import { THREADS_ENV } from "./threads.ts";

/** A validated case carrying a test fault (built literally: the parent does not validate). */
const faultCase = (fault: string, extra: Partial<Case> = {}): Case => ({
  model: "se3-hyena",
  pass: "forward",
  seqLen: 64,
  batch: 1,
  preset: "tiny",
  backend: "cpu",
  dtype: "float32",
  repeats: 3,
  warmup: 1,
  budgetMs: 0,
  timeoutMs: 60_000,
  seed: 0,
  fault,
  ...extra,
});
const env = { SE3_HYENA_TEST_FAULTS: "1" };

Deno.test("runCaseIsolated: a case runs in a child and comes back as one result", async () => {
  const r = await runCaseIsolated(faultCase("noop"), { env });
  assert.equal(r.status, "ok", r.error);
  assert.equal(r.timeMs!.n, 3);
  assert.ok(r.memory.rssPeakBytes! > 0);
  assert.ok(r.memory.budgetBytes! > 0);
  assert.equal(r.worker.backend, "cpu");
  assert.ok(r.startedAt && r.finishedAt);
  // The machine's load before and after the case, recorded for the report's noise section.
  assert.equal(r.loadAvg?.before.length, 3);
  assert.equal(r.loadAvg?.after.length, 3);
  assert.ok(r.loadAvg!.after.every((x) => x >= 0));
  if (Deno.build.os === "linux") assert.ok(r.loadAvg!.before[0] > 0, "linux has a load average");
});

Deno.test("runCaseIsolated: the result records the threads: the case's, the worker's default, every core", async () => {
  const named = await runCaseIsolated(faultCase("noop", { threads: 3 }), { env });
  // validateResult parses the case again, fault field included: enabled here, then restored.
  const valid = (r: unknown) => {
    Deno.env.set("SE3_HYENA_TEST_FAULTS", "1");
    try {
      return validateResult(r);
    } finally {
      Deno.env.delete("SE3_HYENA_TEST_FAULTS");
    }
  };
  assert.equal(named.status, "ok", named.error);
  assert.equal(valid(named).threads, 3);
  const fromEnv = await runCaseIsolated(faultCase("noop"), {
    env: { ...env, [THREADS_ENV]: "5" },
  });
  assert.equal(fromEnv.threads, 5);
  const all = await runCaseIsolated(faultCase("noop"), { env });
  assert.equal(all.threads, navigator.hardwareConcurrency);
  // Failures record it too (built by the parent).
  const hang = await runCaseIsolated(faultCase("hang", { threads: 2, timeoutMs: 300 }), { env });
  assert.equal(hang.status, "timeout");
  assert.equal(hang.threads, 2);
  assert.throws(
    () => valid({ ...named, threads: 2 }),
    /threads: the case asks for 3, got 2/,
  );
  const { threads: _, ...without } = named;
  assert.throws(() => valid(without), /threads: expected an integer ≥ 1, got undefined/);
});

Deno.test("runCaseIsolated: the fault field is refused without SE3_HYENA_TEST_FAULTS=1", async () => {
  const r = await runCaseIsolated(faultCase("noop"), { env: { SE3_HYENA_TEST_FAULTS: "0" } });
  assert.equal(r.status, "error");
  assert.match(r.error!, /fault: test-only field/);
  assert.ok(r.loadAvg, "failures carry the load average too");
});

Deno.test("runCaseIsolated: an allocation failure is oom, and the next case is unaffected", async () => {
  const oom = await runCaseIsolated(faultCase("oom", { seqLen: 4096 }), { env });
  assert.equal(oom.status, "oom");
  assert.equal(oom.oomAt, 4096);
  const next = await runCaseIsolated(faultCase("noop"), { env });
  assert.equal(next.status, "ok", next.error);
});

Deno.test("runCaseIsolated: a hang is killed at timeoutMs and recorded timeout; heartbeats flow", async () => {
  let beats = 0;
  const t0 = performance.now();
  const r = await runCaseIsolated(faultCase("hang", { timeoutMs: 2500 }), {
    env,
    onHeartbeat: () => beats++,
  });
  const wall = performance.now() - t0;
  assert.equal(r.status, "timeout");
  assert.match(r.error!, /killed after 2500 ms/);
  assert.ok(wall >= 2500 && wall < 15_000, `wall ${wall}`);
  assert.ok(beats >= 1, `heartbeats ${beats}`);
  assert.equal((await runCaseIsolated(faultCase("noop"), { env })).status, "ok");
});

Deno.test("runCaseIsolated: the parent kills a child over its RSS budget → oom", async () => {
  const budget = 400 * 2 ** 20;
  const r = await runCaseIsolated(faultCase("grow", { seqLen: 777 }), {
    env,
    memoryBudgetBytes: budget,
  });
  assert.equal(r.status, "oom");
  assert.equal(r.oomAt, 777);
  assert.match(r.error!, /memory budget/);
  assert.ok(r.memory.rssPeakBytes! > budget);
});

Deno.test("runCaseIsolated: a V8 fatal out-of-memory death is oom", async () => {
  const r = await runCaseIsolated(faultCase("fatal-oom"), { env });
  assert.equal(r.status, "oom");
  assert.match(r.error!, /out of memory/i);
});

Deno.test("runCaseIsolated: a crash without a result is an error with the exit code and stderr", async () => {
  const r = await runCaseIsolated(faultCase("crash"), { env });
  assert.equal(r.status, "error");
  assert.match(r.error!, /exit code 70/);
  assert.match(r.error!, /simulated crash/);
});

Deno.test("runCaseIsolated: aborting kills the child and marks the result aborted", async () => {
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 300);
  const r = await runCaseIsolated(faultCase("hang"), { env, signal: ac.signal });
  assert.equal(r.status, "error");
  assert.equal(r.aborted, true);
});

/** Pids of processes whose environment has `SE3H_TEST_MARKER=<marker>`. */
function pidsWithMarker(marker: string): number[] {
  const found: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const env = Deno.readTextFileSync(`/proc/${e.name}/environ`).split("\0");
      if (env.includes(`SE3H_TEST_MARKER=${marker}`)) found.push(Number(e.name));
    } catch { /* gone */ }
  }
  return found;
}

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

Deno.test({
  name: "runCaseIsolated: the case's child dies when its parent is killed with SIGKILL",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const marker = crypto.randomUUID();
    const parent = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("./testdata/hang_parent.ts", import.meta.url).pathname, marker],
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      assert.ok(await waitFor(() => pidsWithMarker(marker).length > 0, 20_000), "child started");
      // Let it get past reading the case (it then waits in the hang fault).
      await new Promise((r) => setTimeout(r, 1500));
      parent.kill("SIGKILL");
      await parent.status;
      assert.ok(
        await waitFor(() => pidsWithMarker(marker).length === 0, 3000),
        `case processes left running: ${pidsWithMarker(marker)}`,
      );
    } finally {
      try {
        parent.kill("SIGKILL");
      } catch { /* gone */ }
      for (const pid of pidsWithMarker(marker)) Deno.kill(pid, "SIGKILL");
    }
  },
});

Deno.test("child.ts: with the stdin watch on, it exits as soon as its stdin closes", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./child.ts", import.meta.url).pathname],
    env: { SE3_HYENA_TEST_FAULTS: "1", SE3H_EXIT_ON_STDIN_CLOSE: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(JSON.stringify(faultCase("hang")) + "\n"));
  await new Promise((r) => setTimeout(r, 1500)); // it is hanging now
  const t0 = performance.now();
  await w.close();
  const { code, stdout, stderr } = await child.output();
  assert.equal(code, 86, new TextDecoder().decode(stderr));
  assert.equal(new TextDecoder().decode(stdout), "", "no result line");
  assert.ok(performance.now() - t0 < 3000);
});

Deno.test("applyRssBudget: an ok result whose peak RSS ended above the budget is oom; others stay", () => {
  const base = emptyResult(faultCase("noop"), "ok", { rssPeakBytes: 300 * 2 ** 20 });
  const over = applyRssBudget(base, 200 * 2 ** 20, 64);
  assert.equal(over.status, "oom");
  assert.equal(over.oomAt, 64);
  assert.match(over.error!, /peak RSS 300\.0 MiB exceeded the budget of 200\.0 MiB/);
  assert.equal(applyRssBudget(base, 300 * 2 ** 20, 64), base, "at the budget: ok");
  const err = { ...base, status: "error" as const };
  assert.equal(applyRssBudget(err, 1, 64), err, "only ok results change");
  const unknown = emptyResult(faultCase("noop"), "ok", {});
  assert.equal(applyRssBudget(unknown, 1, 64).status, "ok", "no peak known: nothing to judge");
});
