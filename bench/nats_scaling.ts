/**
 * Makespan of one small real sweep run over NATS with 1, 2, … local workers (the
 * embedded server, real `runCaseIsolated` children, real models). Results go to
 * `<out>/<sweepId>/results.json` (with `scaling`) and `<out>/<sweepId>-w<n>/`.
 *
 * ```
 * deno run -A bench/nats_scaling.ts                       # 1 and 2 workers, wasm, tiny preset
 * deno run -A bench/nats_scaling.ts --workers 1,2,4 --lengths 64,128,256,512 --backend wasm
 * ```
 *
 * On a machine with fewer cores than workers × (threads per case), the workers compete
 * for the CPU: the study then measures contention, not scaling. Say so with the numbers.
 *
 * @module
 */
import { Command } from "commander";
import { parseCase } from "../src/case/schema.ts";
import { runScalingStudy } from "../src/nats/coordinator.ts";
import { createLiveView } from "../src/nats/live_view.ts";
import type { Case } from "../src/results.ts";

const list = (v: string) => v.split(",").map((s) => Number(s.trim()));

if (import.meta.main) {
  const o = new Command("nats_scaling")
    .option("--workers <list>", "worker counts", list, [1, 2])
    .option("--lengths <list>", "sequence lengths", list, [64, 128, 256, 512])
    .option("--models <list>", "models", (v: string) => v.split(","), [
      "se3-hyena",
      "equivariant-transformer",
    ])
    .option("--backend <name>", "backend of every case", "wasm")
    .option("--preset <name>", "model size preset", "tiny")
    .option("--out <dir>", "output folder", "reports")
    .option("--sweep-id <id>", "sweep id", `nats-scaling-${Date.now().toString(36)}`)
    .parse(Deno.args, { from: "user" })
    .opts<{
      workers: number[];
      lengths: number[];
      models: string[];
      backend: string;
      preset: string;
      out: string;
      sweepId: string;
    }>();
  const cases: Case[] = o.models.flatMap((model) =>
    o.lengths.map((seqLen) =>
      parseCase({
        model,
        pass: "forward",
        seqLen,
        preset: o.preset,
        backend: o.backend,
        repeats: 3,
        budgetMs: 1000,
      })
    )
  );
  const view = createLiveView({ tty: false });
  const { scaling } = await runScalingStudy({
    cases,
    sweepId: o.sweepId,
    outDir: o.out,
    workerCounts: o.workers,
    onEvent: (e) => {
      if (e.type === "case-finished" || e.type === "case-failed") view.onEvent(e);
    },
  });
  view.stop();
  console.log(
    `${cases.length} cases (${o.models.join(", ")}; lengths ${
      o.lengths.join(",")
    }; ${o.backend}, ${o.preset})`,
  );
  for (const r of scaling) {
    console.log(
      `workers ${r.workers}: makespan ${(r.makespanMs / 1000).toFixed(2)} s, ` +
        `${r.throughputCasesPerMin.toFixed(1)} cases/min, efficiency ${r.efficiency.toFixed(2)}`,
    );
  }
  console.log(`results: ${o.out}/${o.sweepId}/results.json`);
}
