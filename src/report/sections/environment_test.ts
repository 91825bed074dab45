import assert from "node:assert/strict";
import type { SweepResults } from "../../results.ts";
import { smallSweep } from "../testdata/small_sweep.ts";
import { environmentSection } from "./environment.ts";
import type { ReportContext } from "./types.ts";

const render = (results: SweepResults) =>
  String(
    environmentSection.render({ results } as unknown as ReportContext)?.html,
  );

Deno.test("environment: the sweep's fields are listed in one order whatever the object's key order", () => {
  const live = { ...smallSweep([]), finishedAt: "2025-01-01T01:00:00.000Z", mode: "local" };
  const reordered = Object.fromEntries(Object.entries(live).reverse()) as unknown as SweepResults;
  const page = render(live);
  assert.equal(render(reordered), page);
  const rows = [...page.matchAll(/<th scope="row">([^<]+)<\/th>/g)].map((m) => m[1]);
  assert.deepEqual(rows.slice(0, 5), ["sweepId", "preset", "mode", "createdAt", "finishedAt"]);
});
