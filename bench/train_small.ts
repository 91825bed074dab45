/**
 * Runs training presets in this process, one case after another, and prints test MSE
 * per model next to the paper's numbers (a direct path that does not need the sweep
 * runner; `deno task sweep --preset bench/presets/<name>.json` runs the same cases
 * through it).
 *
 *   deno run -A bench/train_small.ts recall-small nbody-small [--out reports/train-small]
 *
 * Writes `<out>/<preset>.json` (`{ preset, description, createdAt, results }`) after every
 * case, so a long run can be watched and an interrupted one keeps what finished.
 *
 * @module
 */
import { type BackendName, tf, useBackend } from "../src/backend.ts";
import { loadSweep } from "../src/case/expand.ts";
import { runTrainingCase } from "../src/train/run.ts";

/** The paper's test MSE (reference/paper-results.md): recall at N = 32, n-body. */
const PAPER: Record<string, Record<string, number>> = {
  "recall-fixed": {
    transformer: 2.47,
    hyena: 2.47,
    "equivariant-transformer": 0.0124,
    "se3-hyena": 0.0518,
  },
  "recall-random": {
    transformer: 2.39,
    hyena: 2.32,
    "equivariant-transformer": 1.38,
    "se3-hyena": 0.271,
  },
  nbody: {
    transformer: 0.0163,
    hyena: 0.0150,
    "equivariant-transformer": 0.0019,
    "se3-hyena": 0.0018,
  },
};

const args = [...Deno.args];
const outIdx = args.indexOf("--out");
const outDir = outIdx >= 0 ? args.splice(outIdx, 2)[1] : "reports/train-small";
const presets = args.length > 0 ? args : ["recall-small", "nbody-small"];
await Deno.mkdir(outDir, { recursive: true });

for (const preset of presets) {
  const path = preset.endsWith(".json") ? preset : `bench/presets/${preset}.json`;
  const sweep = await loadSweep(path);
  const results: Record<string, unknown>[] = [];
  const file = `${outDir}/${sweep.name}.json`;
  console.log(`# ${sweep.name}: ${sweep.cases.length} cases\n${sweep.description}`);
  for (const c of sweep.cases) {
    await useBackend(c.backend as BackendName);
    tf.enableProdMode();
    const label = `${c.model} ${c.task} N=${c.seqLen}`;
    const t0 = performance.now();
    let row: Record<string, unknown>;
    try {
      row = { case: c, ...(await runTrainingCase({ ...c, progress: true })) };
    } catch (e) {
      row = { case: c, status: "error", error: (e as Error).message };
    }
    results.push(row);
    const paper = PAPER[c.task as string]?.[c.model];
    console.log(
      `${label}: ${row.status} test MSE ${
        (row.testMse as number | undefined)?.toPrecision(4) ?? "-"
      } ` +
        `(best epoch ${row.bestEpoch ?? "-"}/${row.epochsRun ?? "-"}, paper ${paper ?? "-"}, ` +
        `${row.parameterCount ?? "-"} params, ${((performance.now() - t0) / 1000).toFixed(0)} s)` +
        (row.linearMotionMse !== undefined
          ? ` linear-motion ${(row.linearMotionMse as number).toPrecision(4)}`
          : "") +
        (row.error ? ` error: ${row.error}` : ""),
    );
    await Deno.writeTextFile(
      file,
      JSON.stringify(
        {
          preset: sweep.name,
          description: sweep.description,
          createdAt: new Date().toISOString(),
          results,
        },
        null,
        2,
      ),
    );
  }
  console.log(`wrote ${file}`);
}
