/**
 * The PyTorch child (python/child.py) through the runner (src/runner/isolated.ts): the
 * results contract (the validator every framework's rows pass), the same statistics as
 * src/stats.ts, the recorded BLAS / allocator / threads, `oom` (simulated CUDA OOM, and the
 * parent's RSS budget) and `timeout`.
 */
import assert from "node:assert/strict";
import type { Case } from "../results.ts";
import { runCaseIsolated } from "../runner/isolated.ts";
import { validateResult } from "../runner/result_schema.ts";
import { summarize } from "../stats.ts";
import { JEMALLOC_PATHS, OPENBLAS_DIRS, resolvePython, torchAvailable } from "./python.ts";

const python = resolvePython();
const ignore = !(await torchAvailable(python));
if (ignore) {
  console.error(`SKIPPED: PyTorch is not importable by ${python} (install python3-torch)`);
}
const env = { SE3_HYENA_TEST_FAULTS: "1" };
Deno.env.set("SE3_HYENA_TEST_FAULTS", "1"); // validateResult re-parses fault cases here
const exists = (p: string) => {
  try {
    Deno.statSync(p);
    return true;
  } catch {
    return false;
  }
};

const torchCase = (extra: Partial<Case> = {}): Case => ({
  model: "se3-hyena",
  pass: "forward",
  seqLen: 64,
  batch: 1,
  preset: "tiny",
  backend: "wasm",
  dtype: "float32",
  repeats: 3,
  warmup: 1,
  budgetMs: 300,
  timeoutMs: 120_000,
  seed: 0,
  framework: "torch",
  device: "cpu",
  ...extra,
});

Deno.test({
  name: "torch child: results contract, the same statistics, recorded environment",
  ignore,
  fn: async () => {
    for (
      const c of [
        torchCase(),
        torchCase({ model: "equivariant-transformer", attention: "flash", pass: "backward" }),
      ]
    ) {
      const r = validateResult(await runCaseIsolated(c, { python }));
      assert.equal(r.status, "ok", r.error);
      assert.deepEqual(r.case, c);
      assert.ok(r.timeMs!.n >= 3);
      // The summary is src/stats.ts's, sample for sample.
      const ts = summarize(r.timeMs!.samples!);
      for (const k of ["median", "mean", "min", "max", "p10", "p90", "n", "outliers"] as const) {
        assert.ok(Math.abs(ts[k]! - r.timeMs![k]!) <= 1e-9 * Math.max(1, ts[k]!), `${k}`);
      }
      assert.deepEqual(ts.medianCI, r.timeMs!.medianCI);
      assert.ok(r.flops! > 0);
      assert.ok(r.memory.rssPeakBytes! > 0);
      assert.equal(r.worker.backend, "torch");
      assert.match(r.worker.framework!, /^torch \d+\.\d+/);
      const info = r.torch as {
        threads: number;
        blas: string[];
        allocator: string[];
        env: Record<string, string>;
      };
      assert.equal(info.threads, navigator.hardwareConcurrency);
      assert.equal(info.env.OMP_WAIT_POLICY, Deno.env.get("OMP_WAIT_POLICY") ?? "PASSIVE");
      if (JEMALLOC_PATHS.some(exists)) assert.match(info.allocator.join(), /jemalloc/);
      if (OPENBLAS_DIRS.some(exists)) assert.match(info.blas.join(), /openblas/);
    }
  },
});

Deno.test({
  name: "torch child: the tfjs child's rows pass the same validator",
  fn: async () => {
    const c = { ...torchCase(), framework: "tfjs", fault: "noop", backend: "cpu" } as Case;
    delete c.device;
    const r = validateResult(await runCaseIsolated(c, { env }));
    assert.equal(r.status, "ok", r.error);
    assert.match(r.worker.framework!, /^tfjs /);
  },
});

Deno.test({
  name: "torch child: CUDA out of memory is oom; the parent's RSS budget is oom; hang is timeout",
  ignore,
  fn: async () => {
    const oom = validateResult(
      await runCaseIsolated(torchCase({ fault: "oom", seqLen: 4096 }), { env, python }),
    );
    assert.equal(oom.status, "oom", oom.error);
    assert.equal(oom.oomAt, 4096);
    assert.match(oom.error!, /out of memory/);

    const budget = validateResult(
      await runCaseIsolated(torchCase({ fault: "grow" }), {
        env,
        python,
        memoryBudgetBytes: 400 * 2 ** 20,
      }),
    );
    assert.equal(budget.status, "oom", budget.error);
    assert.match(budget.error!, /memory budget: RSS .* exceeded/);

    const t0 = performance.now();
    const hang = validateResult(
      await runCaseIsolated(torchCase({ fault: "hang", timeoutMs: 3000 }), { env, python }),
    );
    assert.equal(hang.status, "timeout");
    assert.ok(performance.now() - t0 < 20_000);

    const refused = await runCaseIsolated(torchCase({ fault: "noop" }), {
      python,
      env: { SE3_HYENA_TEST_FAULTS: "0" },
    });
    assert.equal(refused.status, "error");
    assert.match(refused.error!, /fault: test-only field/);
  },
});

Deno.test({
  name: "torch child: a missing interpreter is an error naming --python",
  fn: async () => {
    const r = await runCaseIsolated(torchCase(), { python: "/nonexistent/python3" });
    assert.equal(r.status, "error");
    assert.match(r.error!, /could not start the PyTorch child .*--python PATH/);
  },
});

Deno.test({
  name: "torch child: a cuda case without CUDA is an error that says so",
  ignore,
  fn: async () => {
    const cudaHere = (await new Deno.Command(python, {
      args: ["-c", "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)"],
    }).output()).code === 0;
    if (cudaHere) return; // covered by bench/gpu-check.sh on a GPU machine
    const r = validateResult(await runCaseIsolated(torchCase({ device: "cuda" }), { python }));
    assert.equal(r.status, "error");
    assert.match(r.error!, /torch\.cuda\.is_available\(\) is false/);
  },
});

Deno.test({
  name: "torch child: exits (code 86) when the stdin its parent holds open closes",
  ignore,
  fn: async () => {
    const child = new Deno.Command(python, {
      args: [new URL("../../python/child.py", import.meta.url).pathname],
      env: { SE3H_EXIT_ON_STDIN_CLOSE: "1", SE3_HYENA_TEST_FAULTS: "1" },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(
      new TextEncoder().encode(JSON.stringify(torchCase({ fault: "hang" })) + "\n"),
    );
    await new Promise((r) => setTimeout(r, 1500));
    const t0 = performance.now();
    await writer.close();
    const { code, stderr } = await child.output();
    assert.equal(code, 86, new TextDecoder().decode(stderr));
    assert.ok(performance.now() - t0 < 10_000);
  },
});
