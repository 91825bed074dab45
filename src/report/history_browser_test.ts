/// <reference lib="dom" />
/**
 * Opens a history page (`report --history`) in headless Chromium (playwright-core,
 * /usr/bin/chromium): every group's chart drawn with its points and step markers, the
 * category x-axis labelled by sweep, no console errors, no network requests. Leaves a
 * screenshot at /tmp/history.png.
 */

import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { buildHistory } from "./history.ts";
import { historyGroups, writeHistory } from "./history_page.ts";
import { historySweeps } from "./testdata/sweeps.ts";

const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"];

type Drawn = Record<
  string,
  { label: string; data: number; drawn: number; xLabels: string[]; xs: number[]; at: number[] }[]
>;

Deno.test({
  name: "history page in headless Chromium: charts and step markers drawn, no errors, offline",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    assert.ok(Deno.statSync(CHROMIUM).isFile, `Chromium not found at ${CHROMIUM}`);
    const h = buildHistory(historySweeps());
    const dir = await Deno.makeTempDir({ prefix: "history-browser-" });
    const profile = await Deno.makeTempDir({ prefix: "chromium-profile-" });
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1280, height: 900 },
    });
    try {
      const url = new URL(`file://${await writeHistory(h, dir)}`).href;
      const page = context.pages()[0] ?? await context.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") errors.push(`${m.type()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
      page.on("request", (r) => requests.push(r.url()));
      await page.goto(url, { waitUntil: "load" });
      await page.waitForFunction(() =>
        Object.keys((globalThis as unknown as { __charts?: object }).__charts ?? {}).length > 0
      );
      const drawn: Drawn = await page.evaluate(() => {
        // deno-lint-ignore no-explicit-any
        const charts = (globalThis as any).__charts as Record<string, any>;
        const out: Drawn = {};
        for (const [id, chart] of Object.entries(charts)) {
          // deno-lint-ignore no-explicit-any
          out[id] = chart.data.datasets.map((d: any, i: number) => ({
            label: d.label,
            data: d.data.length,
            drawn: chart.getDatasetMeta(i).data.length,
            xLabels: chart.scales.x.getLabels(),
            // deno-lint-ignore no-explicit-any
            xs: chart.getDatasetMeta(i).data.map((e: any) => Math.round(e.x)),
            at: chart.scales.x.getLabels().map((_: string, k: number) =>
              Math.round(chart.scales.x.getPixelForValue(k))
            ),
          }));
        }
        return out;
      });
      assert.equal(Object.keys(drawn).length, historyGroups(h).size);
      for (const [id, sets] of Object.entries(drawn)) {
        for (const s of sets) {
          assert.equal(s.drawn, s.data, `${id} / ${s.label}: drawn points`);
          assert.deepEqual(s.xLabels, h.sweeps.map((x) => x.label));
        }
      }
      const markers = Object.values(drawn).flat().filter((s) => s.label.startsWith("step: "));
      assert.deepEqual(markers.map((s) => [s.label, s.drawn]), [
        ["step: slower", 1],
        ["step: faster", 1],
      ]);
      // Placed at the later sweep of each step (#3, #4), not at the points' own indices.
      assert.deepEqual(markers.map((s) => s.xs[0]), [markers[0].at[2], markers[0].at[3]]);
      // A length missing from a sweep is not shifted left: the transformer rows stop at #3.
      const t = drawn["history-1"].find((s) => s.label === "N = 64")!;
      assert.deepEqual(t.xs, t.at.slice(0, 3));
      await page.screenshot({ path: "/tmp/history.png", fullPage: true });
      assert.deepEqual(errors, [], "no console errors or warnings");
      assert.deepEqual(requests, [url], "no request besides the page itself");
    } finally {
      await context.close();
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    }
  },
});
