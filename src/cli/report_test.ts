import assert from "node:assert/strict";
import { fixtureSweep } from "../report/testdata/fixture.ts";
import { historySweeps, scaleTimes, STEP_CASE } from "../report/testdata/sweeps.ts";

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

Deno.test("report CLI: writes index.html (and results.csv) into --out; --compare a page beside it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/a.json`, JSON.stringify(fixtureSweep()));
    await Deno.writeTextFile(
      `${dir}/b.json`,
      JSON.stringify(fixtureSweep({ sweepId: "fixture-b", hyenaForwardScale: 0.5 })),
    );
    const w = await run(`${dir}/a.json`, "--out", `${dir}/out`);
    assert.equal(w.code, 0, w.stderr);
    assert.equal(w.stdout.trim(), `${dir}/out/index.html`);
    assert.match(await Deno.readTextFile(`${dir}/out/results.csv`), /^id,model,/);
    const index = await Deno.readTextFile(`${dir}/out/index.html`);
    assert.ok(!index.includes(`<section id="compare">`));
    const r = await run(`${dir}/a.json`, "--compare", `${dir}/b.json`, "--out", `${dir}/out`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim().split("\n").at(-1), `${dir}/out/compare-fixture-b.html`);
    const page = await Deno.readTextFile(`${dir}/out/compare-fixture-b.html`);
    assert.ok(page.includes(`<section id="compare">`));
    // The sweep's own report is left as it was.
    assert.equal(await Deno.readTextFile(`${dir}/out/index.html`), index);
    // Default --out: the folder of results.json.
    const d = await run(`${dir}/a.json`);
    assert.equal(d.code, 0, d.stderr);
    assert.equal(d.stdout.trim(), `${dir}/index.html`);
    const c = await run(`${dir}/a.json`, "--compare", `${dir}/b.json`);
    assert.equal(c.stdout.trim().split("\n").at(-1), `${dir}/compare-fixture-b.html`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Writes `sweeps` as `<dir>/<name>/results.json` (sweep folders). */
async function writeSweeps(dir: string, sweeps: Record<string, unknown>): Promise<void> {
  for (const [name, sweep] of Object.entries(sweeps)) {
    await Deno.mkdir(`${dir}/${name}`, { recursive: true });
    await Deno.writeTextFile(`${dir}/${name}/results.json`, JSON.stringify(sweep));
  }
}

Deno.test("report CLI: --fail-if-slower exits 1 for doubled medians, 0 for identical ones", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const base = fixtureSweep();
    await writeSweeps(dir, { base, same: base, doubled: scaleTimes(base, 2) });
    const out = ["--out", `${dir}/out`];
    const slow = await run(
      `${dir}/base`,
      "--compare",
      `${dir}/doubled`,
      "--fail-if-slower",
      "5%",
      ...out,
    );
    assert.equal(slow.code, 1, slow.stderr);
    assert.match(slow.stdout, /^Baseline: {2}fixture-a \(.*\/base\)/);
    assert.match(slow.stdout, /\nCandidate: fixture-a \(.*\/doubled\)/);
    assert.match(
      slow.stdout,
      /se3-hyena\/-\/forward\/1024\/1\/quick\/wasm +30\.2 \[29\.3, 31\.1\] ms +60\.5 \[58\.7, 62\.3\] ms +×2 +slower +FAIL\n/,
    );
    assert.match(slow.stdout, /\nFAIL --fail-if-slower 5%: /);
    assert.equal(slow.stdout.trim().split("\n").at(-1), `${dir}/out/compare-fixture-a.html`);
    const page = await Deno.readTextFile(`${dir}/out/compare-fixture-a.html`);
    assert.ok(page.includes(`<section id="compare">`));
    const same = await run(
      `${dir}/base`,
      "--compare",
      `${dir}/same/results.json`,
      "--fail-if-slower",
      "5%",
      ...out,
    );
    assert.equal(same.code, 0, same.stderr);
    assert.match(same.stdout, /\nPASS --fail-if-slower 5%: /);
    // Without the gate a slower candidate still exits 0.
    assert.equal((await run(`${dir}/base`, "--compare", `${dir}/doubled`, ...out)).code, 0);
    // The threshold counts: ×2 is not slower by more than 150%.
    const loose = await run(
      `${dir}/base`,
      "--compare",
      `${dir}/doubled`,
      "--fail-if-slower",
      "150%",
      ...out,
    );
    assert.equal(loose.code, 0, loose.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("report CLI: exit 2 naming the value for a malformed threshold or a misused option", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeSweeps(dir, { base: fixtureSweep() });
    const b = `${dir}/base`;
    for (const bad of ["abc", "-5%", "5%%", ""]) {
      const r = await run(b, "--compare", b, `--fail-if-slower=${bad}`, "--out", `${dir}/out`);
      assert.equal(r.code, 2, bad);
      assert.ok(
        r.stderr.includes(
          `--fail-if-slower: expected a non-negative percentage such as 5%, got ${
            JSON.stringify(bad)
          }`,
        ),
        r.stderr,
      );
    }
    const spaced = await run(b, "--compare", b, "--fail-if-slower", "abc");
    assert.equal(spaced.code, 2);
    const noCompare = await run(b, "--fail-if-slower", "5%");
    assert.equal(noCompare.code, 2);
    assert.match(noCompare.stderr, /--fail-if-slower needs --compare/);
    const two = await run(b, b);
    assert.equal(two.code, 2);
    assert.match(two.stderr, /one results\.json expected, got 2/);
    assert.equal((await run("--history")).code, 2);
    assert.match((await run("--history", b, "--compare", b)).stderr, /cannot be combined/);
    assert.match(
      (await run("--history", b, "--step-threshold", "x")).stderr,
      /--step-threshold: .*got "x"/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("report CLI: a sweep folder works as the argument (report written into it)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeSweeps(dir, { sweep: fixtureSweep() });
    const r = await run(`${dir}/sweep`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), `${dir}/sweep/index.html`);
    const missing = await run(`${dir}`);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /results\.json: cannot read it \(no such file\)/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("report CLI: --history writes history.html and prints the step changes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const sweeps = historySweeps();
    const paths: string[] = [];
    for (const [i, s] of sweeps.entries()) {
      await writeSweeps(dir, { [`s${i}`]: s.results });
      paths.push(i % 2 ? `${dir}/s${i}` : `${dir}/s${i}/results.json`);
    }
    const r = await run("--history", ...paths, "--out", `${dir}/hist`);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines.at(-1), `${dir}/hist/history.html`);
    assert.match(r.stdout, /^4 sweeps, ordered by commit date/);
    assert.match(r.stdout, /\n1 +c100000\+ 2026-01-01 09:00 +hist-1 +\S+\/s2\/results\.json\n/);
    assert.match(
      r.stdout,
      /Step changes \(2; beyond noise = 95% CIs apart, and \|ratio − 1\| > 5%\):/,
    );
    const esc = STEP_CASE.replace(/[/.]/g, "\\$&");
    assert.match(r.stdout, new RegExp(`\\n${esc} +#2 +#3 +.* +slower\\n`));
    assert.match(r.stdout, new RegExp(`\\n${esc} +#3 +#4 +.* +faster +env\\.deno\\n`));
    const page = await Deno.readTextFile(`${dir}/hist/history.html`);
    assert.match(page, /<h2>Step changes \(2\)<\/h2>/);
    const loose = await run(
      "--history",
      ...paths,
      "--out",
      `${dir}/hist`,
      "--step-threshold",
      "60%",
    );
    assert.equal(loose.code, 0, loose.stderr);
    assert.match(loose.stdout, /No step changes beyond noise and ±60% across \d+ cases\./);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
