/**
 * A distributed sweep (real nats-server, the real case runner) with one `--framework torch`
 * worker and one `--framework tfjs` worker: every case completes exactly once, each on
 * the worker of its framework, and each row carries its framework, device and the
 * worker's framework version.
 */
import assert from "node:assert/strict";
import { caseId } from "../case/id.ts";
import { parseCase } from "../case/schema.ts";
import { connectNats } from "../nats/connection.ts";
import { runDistributedSweep } from "../nats/coordinator.ts";
import { startNatsServer } from "../nats/server.ts";
import { runWorker } from "../nats/worker.ts";
import type { Environment } from "../results.ts";
import { runCaseIsolated } from "../runner/isolated.ts";
import { validateResult } from "../runner/result_schema.ts";
import { workerProgram } from "../../workers/worker.ts";
import { resolvePython, torchAvailable } from "./python.ts";

const python = resolvePython();
const ignore = !(await torchAvailable(python));
if (ignore) console.error(`SKIPPED: PyTorch is not importable by ${python}`);

const ENV = { host: "test", os: "", cpus: 1, memoryBytes: 0 } as unknown as Environment;

Deno.test({
  name: "distributed: one torch and one tfjs worker, every case exactly once on its framework",
  ignore,
  fn: async () => {
    const server = await startNatsServer();
    const outDir = await Deno.makeTempDir();
    const ncTorch = await connectNats({ servers: server.url });
    const ncTfjs = await connectNats({ servers: server.url });
    const stop = new AbortController();
    try {
      const cases = ["tfjs", "torch"].flatMap((framework) =>
        [16, 32].map((seqLen) =>
          parseCase({
            model: "se3-hyena",
            pass: "forward",
            preset: "tiny",
            backend: "cpu",
            seqLen,
            framework,
            repeats: 3,
            warmup: 1,
            budgetMs: 100,
          })
        )
      );
      const ran = new Map<string, string[]>();
      const runner = (who: string) => (c: Parameters<typeof runCaseIsolated>[0], o = {}) => {
        ran.set(who, [...(ran.get(who) ?? []), caseId(c)]);
        return runCaseIsolated(c, { ...o, python });
      };
      const workers = [
        runWorker(ncTorch, {
          runCase: runner("torch"),
          sweep: "frameworks",
          framework: "torch",
          workerId: "w-torch",
          signal: stop.signal,
          log: () => {},
        }),
        runWorker(ncTfjs, {
          runCase: runner("tfjs"),
          sweep: "frameworks",
          framework: "tfjs",
          workerId: "w-tfjs",
          signal: stop.signal,
          log: () => {},
        }),
      ];
      const res = await runDistributedSweep({
        cases,
        sweepId: "frameworks",
        outDir,
        nats: server.url,
        workers: 0,
        environment: ENV,
        pollMs: 300,
      });
      stop.abort();
      const [sTorch, sTfjs] = await Promise.all(workers);
      assert.equal(res.results.length, cases.length);
      assert.deepEqual(res.results.map((r) => r.id).sort(), cases.map((c) => caseId(c)).sort());
      assert.equal(sTorch.completed, 2);
      assert.equal(sTfjs.completed, 2);
      for (const r of res.results) {
        validateResult(r);
        assert.equal(r.status, "ok", r.error);
        const framework = r.case.framework as string;
        assert.deepEqual(ran.get(framework)?.filter((id) => id === r.id), [r.id], "ran once");
        assert.equal(r.worker.id, `w-${framework}`);
        assert.match(r.worker.framework!, new RegExp(`^${framework} `));
        assert.equal(r.case.device, framework === "torch" ? "cpu" : undefined);
        assert.equal(r.worker.backend, framework === "torch" ? "torch" : "cpu");
      }
    } finally {
      stop.abort();
      await ncTorch.close();
      await ncTfjs.close();
      await server.stop();
      await Deno.remove(outDir, { recursive: true });
    }
  },
});

Deno.test("worker CLI: --framework and --python", () => {
  const p = workerProgram().parse(
    ["--nats", "nats://h:4222", "--framework", "torch", "--python", "/usr/bin/python3"],
    { from: "user" },
  );
  assert.equal(p.opts().framework, "torch");
  assert.equal(p.opts().python, "/usr/bin/python3");
  assert.throws(() =>
    workerProgram().configureOutput({ writeErr: () => {} }).parse(["--framework", "jax"], {
      from: "user",
    })
  );
});
