import assert from "node:assert/strict";
import { chartJsPath, chartJsSource } from "./chartjs.ts";

Deno.test("chartJsSource: the UMD build of the import map's chart.js", () => {
  assert.match(chartJsPath(), /chart\.js\/dist\/chart\.umd(\.min)?\.js$/);
  const src = chartJsSource();
  assert.match(src.slice(0, 200), /Chart\.js v4\./);
  assert.ok(src.length > 100_000);
});
