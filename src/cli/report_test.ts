import assert from "node:assert/strict";
import { fixtureSweep } from "../report/testdata/fixture.ts";

const CLI = new URL("./report.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

async function run(...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", CONFIG, CLI, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("report CLI: exit 2 for a missing file, naming it", async () => {
  const r = await run("/nonexistent/results.json");
  assert.equal(r.code, 2);
  assert.match(r.stderr, /\/nonexistent\/results\.json: cannot read it \(no such file\)/);
});

Deno.test("report CLI: exit 2 for invalid JSON and for a wrong field", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/bad.json`, "{ not json");
    const r = await run(`${dir}/bad.json`);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\.json: not valid JSON/);
    const sweep = fixtureSweep();
    (sweep.results[0] as { status: string }).status = "splendid";
    await Deno.writeTextFile(`${dir}/field.json`, JSON.stringify(sweep));
    const f = await run(`${dir}/field.json`);
    assert.equal(f.code, 2);
    assert.match(f.stderr, /field\.json: results\[0\]\.status: .*"splendid"/);
    // A bad --compare file is reported the same way.
    await Deno.writeTextFile(`${dir}/ok.json`, JSON.stringify(fixtureSweep()));
    const c = await run(`${dir}/ok.json`, "--compare", `${dir}/bad.json`);
    assert.equal(c.code, 2);
    assert.match(c.stderr, /bad\.json: not valid JSON/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("report CLI: exit 2 without the results argument or with an unknown option", async () => {
  assert.equal((await run()).code, 2);
  assert.equal((await run("x.json", "--bogus")).code, 2);
});

Deno.test("report CLI: writes index.html (and results.csv) into --out, with --compare", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/a.json`, JSON.stringify(fixtureSweep()));
    await Deno.writeTextFile(
      `${dir}/b.json`,
      JSON.stringify(fixtureSweep({ sweepId: "fixture-b", hyenaForwardScale: 0.5 })),
    );
    const r = await run(`${dir}/a.json`, "--compare", `${dir}/b.json`, "--out", `${dir}/out`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), `${dir}/out/index.html`);
    const page = await Deno.readTextFile(`${dir}/out/index.html`);
    assert.ok(page.includes(`<section id="compare">`));
    assert.match(await Deno.readTextFile(`${dir}/out/results.csv`), /^id,model,/);
    // Default --out: the folder of results.json.
    const d = await run(`${dir}/a.json`);
    assert.equal(d.code, 0, d.stderr);
    assert.equal(d.stdout.trim(), `${dir}/index.html`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
