import assert from "node:assert/strict";
import { CSV_COLUMNS, csvField, toCsv } from "./csv.ts";
import { frameworksSweep } from "./testdata/frameworks.ts";
import { fixtureSweep, HOSTILE_HOST } from "./testdata/fixture.ts";

Deno.test("csvField quotes commas, quotes and line breaks (RFC 4180)", () => {
  assert.equal(csvField("plain"), "plain");
  assert.equal(csvField("a,b"), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField("two\nlines"), '"two\nlines"');
  assert.equal(csvField("cr\rhere"), '"cr\rhere"');
  assert.equal(csvField(null), "");
  assert.equal(csvField(undefined), "");
  assert.equal(csvField(0), "0");
  assert.equal(csvField([1, 2]), '"[1,2]"');
});

/** A small RFC 4180 parser, to check that the output reads back as written. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [], field = "", quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"', i++);
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") (row.push(field), field = "");
    else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field), rows.push(row), row = [], field = "", i++;
    } else field += c;
  }
  return rows;
}

Deno.test("toCsv: one line per row, every field reads back", () => {
  const sweep = fixtureSweep();
  const rows = parseCsv(toCsv(sweep));
  assert.equal(rows.length, sweep.results.length + 1);
  assert.deepEqual(rows[0], CSV_COLUMNS.map((c) => c.header));
  for (const r of rows) assert.equal(r.length, CSV_COLUMNS.length);
  const col = (h: string) => rows[0].indexOf(h);
  const err = rows.find((r) => r[col("id")] === "se3-hyena-forward-512-repeat")!;
  assert.equal(err[col("error")], `Error: <b>boom</b> & "quotes"`);
  assert.equal(err[col("status")], "error");
  assert.ok(rows.some((r) => r[col("host")] === HOSTILE_HOST));
  const ok = rows.find((r) => r[col("id")] === "se3-hyena-forward-1024")!;
  assert.equal(Number(ok[col("medianMs")]), 20 + 0.01 * 1024);
  assert.equal(ok[col("deviceBytes")], "");
});

Deno.test("toCsv: load averages before/after each case, empty for older rows", async () => {
  const { smallSweep } = await import("./testdata/small_sweep.ts");
  const csv = toCsv(smallSweep([
    { model: "h", n: 64, ms: 1, load: [0.5, 1.25] },
    { model: "h", n: 128, ms: 1 },
  ]));
  const [head, a, b] = csv.trim().split(/\r?\n/).map((l) => l.split(","));
  const load = (r: string[]) =>
    [r[head.indexOf("load1Before")], r[head.indexOf("load1After")]].join(",");
  assert.equal(load(a), "0.5,1.25");
  assert.equal(load(b), ",");
});

Deno.test("toCsv: framework, PyTorch device and checkpointing per row", () => {
  const rows = toCsv(frameworksSweep()).trim().split(/\r?\n/).map((l) => l.split(","));
  const col = (h: string) => rows[0].indexOf(h);
  const tags = rows.slice(1).map((r) =>
    `${r[col("framework")]}/${r[col("torchDevice")]}/${r[col("checkpoint")]}`
  );
  assert.equal(tags.filter((t) => t === "torch/cpu/false").length, 13);
  assert.equal(tags.filter((t) => t === "tfjs//false").length, 12);
  assert.equal(tags.filter((t) => t === "tfjs//true").length, 1);
  assert.ok(rows.slice(1).some((r) => r[col("workerFramework")] === "torch 1.13.0 cpu"));
});
