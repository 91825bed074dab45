/// <reference lib="dom" />
/**
 * Opens a rendered report in headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core) and checks what a reader gets: every chart drawn with the expected
 * number of points, no console errors, no network requests besides the file itself,
 * hostile strings shown as text (no script runs), sortable tables. Leaves a
 * screenshot at /tmp/report.png.
 */

import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { writeReport } from "./render.ts";
import {
  fixtureSweep,
  HOSTILE_HOST,
  HOSTILE_LABEL,
  HOSTILE_TASK,
  TRAIN_LENGTHS,
} from "./testdata/fixture.ts";
import { frameworksSweep, FW_LENGTHS } from "./testdata/frameworks.ts";

const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
const SCREENSHOT = "/tmp/report.png";

function requireChromium(): void {
  try {
    if (Deno.statSync(CHROMIUM).isFile) return;
  } catch {
    // fall through
  }
  throw new Error(
    `Chromium not found at ${CHROMIUM}: the report's browser test needs it. ` +
      "Install it with `apt-get install -y chromium` (or set CHROMIUM_PATH).",
  );
}

/** Points per dataset label, as Chart.js drew them (one entry per dataset). */
type Drawn = Record<string, { label: string; role: string; data: number; drawn: number }[]>;

Deno.test({
  name: "report in headless Chromium: charts, no errors, no network, hostile text inert",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    requireChromium();
    const sweep = fixtureSweep();
    const dir = await Deno.makeTempDir({ prefix: "report-browser-" });
    const profile = await Deno.makeTempDir({ prefix: "chromium-profile-" });
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1280, height: 900 },
    });
    try {
      const index = await writeReport(sweep, dir, {
        compare: fixtureSweep({ sweepId: "fixture-b", hyenaForwardScale: 0.5 }),
      });
      const url = new URL(`file://${index}`).href;
      const page = context.pages()[0] ?? await context.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      const dialogs: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") errors.push(`${m.type()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
      page.on("request", (r) => requests.push(r.url()));
      page.on("dialog", async (d) => {
        dialogs.push(d.message());
        await d.dismiss();
      });

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
            role: d.role,
            data: d.data.length,
            drawn: chart.getDatasetMeta(i).data.length,
          }));
        }
        return out;
      });

      assert.deepEqual(Object.keys(drawn).sort(), [
        "memory-backward",
        "memory-forward",
        "ratios",
        "runtime",
        "scaling",
        "timeline",
        "train-curves-nbody",
        "train-curves-recall-fixed",
        "train-curves-recall-random",
        "train-mse-recall-fixed",
        "train-mse-recall-random",
      ]);
      for (const [id, sets] of Object.entries(drawn)) {
        for (const s of sets) assert.equal(s.drawn, s.data, `${id} / ${s.label}: drawn points`);
      }
      const count = (id: string, label: string) => {
        const d = drawn[id].find((s) => s.label === label);
        assert.ok(d, `${id}: dataset "${label}" (have: ${drawn[id].map((s) => s.label)})`);
        return d.drawn;
      };
      // The fixture: SE(3)-Hyena ok 64…32768 forward, 64…16384 backward; the
      // transformer ok 64…8192 forward, 64…2048 backward; one OOM row per series.
      const expected: Record<string, number> = {
        "SE(3)-Hyena · forward": 10,
        "SE(3)-Hyena · backward": 9,
        "equivariant transformer · forward": 8,
        "equivariant transformer · backward": 6,
      };
      for (const [label, n] of Object.entries(expected)) {
        assert.equal(count("runtime", label), n, `runtime ${label}`);
        assert.equal(count("runtime", `${label} p10`), n);
        assert.equal(count("runtime", `${label} p90`), n);
        const mem = label.endsWith("forward") ? "memory-forward" : "memory-backward";
        assert.equal(count(mem, `${label}: framework peak`), n);
        assert.equal(count(mem, `${label}: process RSS peak`), n);
        assert.equal(count(mem, `out of memory: ${label}`), 1);
      }
      assert.equal(count("runtime", "paper, NVIDIA A10G: SE(3)-Hyena · forward"), 8);
      assert.equal(count("runtime", "paper, NVIDIA A10G: equivariant transformer · forward"), 8);
      assert.equal(count("memory-forward", "memory budget (wasm, 4 GiB)"), 2);
      assert.equal(count("memory-forward", "paper, NVIDIA A10G: SE(3)-Hyena GPU memory"), 8);
      assert.equal(count("ratios", "speed-up · forward"), 8);
      assert.equal(count("ratios", "memory ratio (framework peak) · forward"), 8);
      assert.equal(count("ratios", "speed-up · backward"), 6);
      assert.equal(count("ratios", "paper, NVIDIA A10G: speed-up · forward"), 8);
      const bars = drawn.timeline.reduce((n, s) => n + s.drawn, 0);
      const timed = sweep.results.filter((r) => r.startedAt && r.finishedAt).length;
      assert.equal(bars, timed, "one timeline bar per timed case");
      assert.equal(drawn.scaling.reduce((n, s) => n + s.drawn, 0), 4);

      // Training (fixture: recall at N = 32, 64 for 4 models, one oom at 128; n-body).
      const models = ["SE(3)-Hyena", "equivariant transformer", "Hyena", "transformer"];
      for (const task of ["recall-fixed", "recall-random"]) {
        const id = `train-mse-${task}`;
        assert.equal(drawn[id].length, 9, `${id}: 4 ours, 4 paper, the zero-vector line`);
        for (const m of models) {
          assert.equal(count(id, `ours: ${m}`), TRAIN_LENGTHS.length);
          assert.equal(count(id, `paper Fig. 4: ${m}`), 4);
        }
        assert.equal(count(id, "predicting the zero vector (2.33): no recall"), 2);
        const curves = `train-curves-${task}`;
        assert.equal(drawn[curves].length, 8);
        for (const m of models) {
          for (const n of TRAIN_LENGTHS) assert.equal(count(curves, `${m} · N = ${n}`), 3);
        }
      }
      assert.equal(drawn["train-curves-nbody"].length, 5);
      for (const m of models) assert.equal(count("train-curves-nbody", `${m} · N = 5`), 3);
      assert.equal(count("train-curves-nbody", "linear motion p0 + t·v0, test split (0.1)"), 2);

      // Hostile strings: shown as text, never run, never loaded.
      const dom = await page.evaluate(() => ({
        text: document.body.innerText,
        scripts: document.scripts.length,
        images: document.images.length,
        bold: [...document.querySelectorAll("td.err b")].length,
      }));
      assert.ok(dom.text.includes(HOSTILE_LABEL), "hostile label shown as text");
      assert.ok(dom.text.includes(HOSTILE_HOST), "hostile host shown as text");
      assert.ok(dom.text.includes(HOSTILE_TASK), "hostile training task shown as text");
      assert.ok(dom.text.includes(`Error: <b>boom</b> & "quotes"`), "error message as text");
      assert.equal(dom.scripts, 3);
      assert.equal(dom.images, 0);
      assert.equal(dom.bold, 0);
      assert.deepEqual(dialogs, [], "no alert() ran");

      // The full table sorts by a clicked header (numeric, by data-v).
      const nCol = page.locator("#results-table thead th", { hasText: /^N$/ });
      await nCol.click();
      await nCol.click(); // descending
      const firstN = await page.locator("#results-table tbody tr td:nth-child(4)").first()
        .innerText();
      assert.equal(firstN.trim(), "65,536");

      // The training table sorts too (test MSE, ascending: the best model first).
      const mseCol = page.locator("#training-table thead th", { hasText: /^test MSE$/ });
      await mseCol.click();
      const best = await page.locator("#training-table tbody tr td:nth-child(5)").first()
        .innerText();
      assert.equal(best.trim(), "0.02");

      // Wide tables scroll inside their box; the page itself never scrolls sideways.
      const widths = await page.evaluate(() => {
        const wrap = document.querySelector("#results .table-wrap") as HTMLElement;
        return {
          wrapScroll: wrap.scrollWidth,
          wrapClient: wrap.clientWidth,
          overflow: getComputedStyle(wrap).overflowX,
          page: document.documentElement.scrollWidth,
          view: innerWidth,
        };
      });
      assert.ok(widths.wrapScroll > widths.wrapClient, `results table wider than its box`);
      assert.equal(widths.overflow, "auto");
      assert.ok(
        widths.page <= widths.view,
        `page ${widths.page} px wide in a ${widths.view} px view`,
      );

      // The runtime axis fits our lengths (64 … 32,768), not the paper's (10 … 20,000).
      const xRange = await page.evaluate(() => {
        // deno-lint-ignore no-explicit-any
        const c = (globalThis as any).__charts.runtime;
        return [c.scales.x.min, c.scales.x.max];
      });
      assert.ok(xRange[0] > 10 && xRange[0] < 64, `runtime x min ${xRange[0]}`);

      // Drill-down: a case's samples open from the results table's n link.
      const link = page.locator('#results-table a[href^="#samples-"]').first();
      const target = (await link.getAttribute("href"))!;
      await page.locator(`${target} summary`).click();
      assert.ok(await page.locator(`${target} svg.samples`).first().isVisible());

      await page.locator("#headline").scrollIntoViewIfNeeded();
      await page.screenshot({ path: SCREENSHOT, fullPage: true });

      assert.deepEqual(errors, [], "no console errors or warnings");
      assert.deepEqual(requests, [url], "no request besides the report file itself");
    } finally {
      await context.close();
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name: "two-framework report in headless Chromium: one line per framework, the ratio table",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    requireChromium();
    const dir = await Deno.makeTempDir({ prefix: "report-browser-fw-" });
    const profile = await Deno.makeTempDir({ prefix: "chromium-profile-" });
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1280, height: 900 },
    });
    try {
      const index = await writeReport(frameworksSweep(), dir);
      const page = context.pages()[0] ?? await context.newPage();
      const errors: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") errors.push(`${m.type()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
      await page.goto(new URL(`file://${index}`).href, { waitUntil: "load" });
      await page.waitForFunction(() =>
        Object.keys((globalThis as unknown as { __charts?: object }).__charts ?? {}).length > 0
      );
      const runtime: { label: string; drawn: number }[] = await page.evaluate(() => {
        // deno-lint-ignore no-explicit-any
        const c = (globalThis as any).__charts.runtime;
        // deno-lint-ignore no-explicit-any
        return c.data.datasets.map((d: any, i: number) => ({
          label: d.label,
          drawn: c.getDatasetMeta(i).data.length,
        }));
      });
      const drawn = (label: string) => runtime.find((d) => d.label === label)?.drawn;
      for (const fw of ["TensorFlow.js wasm", "PyTorch cpu"]) {
        assert.equal(drawn(`SE(3)-Hyena · forward (${fw})`), FW_LENGTHS.length, fw);
        assert.equal(drawn(`equivariant transformer · forward (${fw})`), FW_LENGTHS.length, fw);
      }
      assert.equal(drawn("SE(3)-Hyena · backward (TensorFlow.js wasm, checkpointed)"), 1);
      assert.equal(drawn("SE(3)-Hyena · backward (PyTorch cpu)"), FW_LENGTHS.length + 1);
      const table = page.locator("#frameworks-table tbody tr");
      assert.equal(await table.count(), 13);
      assert.ok(await table.first().isVisible());
      assert.match(await page.locator("#headline .card-other").first().innerText(), /PyTorch cpu/);
      assert.deepEqual(errors, [], "no console errors or warnings");
    } finally {
      await context.close();
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    }
  },
});
