import assert from "node:assert/strict";
import type { SweepResults } from "../src/results.ts";
import { caseTimes, makespanBound } from "./sim_scale.ts";

Deno.test("sim_scale: the bound is max(Σt / W, max t); case times come from startedAt → finishedAt", async () => {
  assert.equal(makespanBound([10, 10, 10, 10], 2), 20);
  assert.equal(makespanBound([100, 1, 1], 2), 100);
  const fig5: SweepResults = JSON.parse(
    await Deno.readTextFile(
      new URL("../reports/paper-fig5-20261127T122751Z-5654/results.json", import.meta.url),
    ),
  );
  const t = caseTimes(fig5);
  assert.equal(t.length, fig5.results.length, "every committed row has its times");
  assert.ok(t.every((x) => x.ms >= 0));
});
