import assert from "node:assert/strict";
import { alpha, chartConfig, compareKeys, dataset, FORMATS } from "./main.ts";
import { fmtBytes, fmtMs } from "../format.ts";

Deno.test("client formats: the report's own formatters", () => {
  assert.equal(FORMATS.ms, fmtMs);
  assert.equal(FORMATS.bytes, fmtBytes);
  assert.equal(FORMATS.ms(12345), "12.3 s");
  assert.equal(FORMATS.ratio(6.612), "×6.61");
  assert.equal(FORMATS.s(1.2345), "1.23 s");
  assert.equal(FORMATS.int(20000), "20,000");
});

Deno.test("client datasets: styled by role", () => {
  const band = dataset({ label: "b", role: "band-high", color: "#102030", data: [] });
  assert.equal(band.fill, "-1");
  assert.equal(band.backgroundColor, alpha("#102030", 0.16));
  assert.equal(alpha("#102030", 0.5), "rgba(16,32,48,0.5)");
  const oom = dataset({ label: "o", role: "oom", color: "#000000", data: [] });
  assert.equal(oom.showLine, false);
});

Deno.test("client sort keys: numbers before text, numbers by value", () => {
  const keys: (number | string)[] = ["b", 10, "a", 2];
  assert.deepEqual(keys.sort(compareKeys), [2, 10, "a", "b"]);
});

Deno.test("client chart config: category x labels in tooltips", () => {
  const cfg = chartConfig({
    id: "h",
    title: "t",
    type: "line",
    x: { title: "sweep", labels: ["abc 2026-01-01", "def 2026-01-02"], name: "sweep" },
    y: { title: "ms", format: "ms", log: true },
    datasets: [{ label: "m", role: "median", color: "#000000", data: [{ x: 1, y: 12 }] }],
  }) as { options: { plugins: { tooltip: { callbacks: { label: (c: unknown) => string } } } } };
  const data = (cfg as unknown as { data: { datasets: { data: unknown[] }[] } }).data;
  // Numeric x on a category axis: the label at that index (not the point's position).
  assert.deepEqual(data.datasets[0].data, [{ x: "def 2026-01-02", y: 12 }]);
  const label = cfg.options.plugins.tooltip.callbacks.label({
    raw: { x: "def 2026-01-02", y: 12 },
    dataset: { label: "m" },
  });
  assert.equal(label, "m: sweep = def 2026-01-02, 12 ms");
});
