import assert from "node:assert/strict";
import type { SweepResults } from "../results.ts";
import { smallSweep } from "../report/testdata/small_sweep.ts";
import {
  checkDistributedOptions,
  defaultScalingCounts,
  describeResult,
  makeSweepId,
  parseArgs,
  UsageError,
} from "./sweep.ts";

const CLI = new URL("./sweep.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

/** Runs the CLI as a user would; returns exit code and output. */
async function cli(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", `--config=${CONFIG}`, CLI, ...args],
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("parseArgs: defaults and lists", () => {
  const o = parseArgs([
    "--local",
    "--lengths",
    "64,128",
    "--models",
    "se3-hyena",
    "--memory-budget",
    "1GiB",
  ]);
  assert.equal(o.local, true);
  assert.equal(
    o.preset,
    undefined,
    "default (quick) applied later: --resume takes the sweep's own",
  );
  assert.equal(o.out, "reports");
  assert.deepEqual(o.lengths, [64, 128]);
  assert.deepEqual(o.models, ["se3-hyena"]);
  assert.equal(o.memoryBudget, 2 ** 30);
  assert.equal(o.progress, true);
  assert.equal(o.dryRun, false);
  assert.equal(o.order, undefined, "each mode's default order");
  assert.equal(parseArgs(["--order", "largest-first"]).order, "largest-first");
});

Deno.test("makeSweepId: <preset>-<UTC timestamp>-<4 hex>", () => {
  const id = makeSweepId("paper-fig5", new Date("2025-03-04T05:06:07.891Z"));
  assert.match(id, /^paper-fig5-20250304T050607Z-[0-9a-f]{4}$/);
  assert.match(makeSweepId("dir/my.sweep.json"), /^my_sweep-\d{8}T\d{6}Z-[0-9a-f]{4}$/);
});

Deno.test("the CLI exits 2 on usage errors, naming the problem", async () => {
  const cases: [string[], RegExp][] = [
    [["--local", "--preset", "nope"], /unknown preset "nope"/],
    [["--local", "--lengths", "-3"], /--lengths.*-3/],
    [["--local", "--lengths", "100000000"], /seqLen: .*100000000/],
    [["--local", "--models", "unet"], /--models.*"unet"/],
    [["--local", "--memory-budget", "lots"], /--memory-budget: .*"lots"/],
    [["--local", "--resume", "no-such-sweep"], /--resume: no sweep "no-such-sweep"/],
    [["--resume", "no-such-sweep"], /--resume: no sweep "no-such-sweep"/],
    [["--resume", "../x"], /--resume: expected a sweep id .*"\.\.\/x"/],
    [["--local", "--bogus"], /unknown option '--bogus'/],
    [["--local", "--order", "random"], /--order <order>' argument 'random' is invalid/],
  ];
  for (const [args, message] of cases) {
    const r = await cli([...args, "--dry-run"]);
    assert.equal(r.code, 2, `${args.join(" ")}: exit ${r.code}\n${r.stderr}`);
    assert.match(r.stderr, message);
  }
});

Deno.test("distributed usage errors exit 2 naming the flag and value; secrets are never printed", async () => {
  const cases: [string[], RegExp][] = [
    [
      ["--workers", "x"],
      /^error: --workers: expected a non-negative integer of at most 256, got "x"$/m,
    ],
    [["--workers", "-1"], /--workers: expected a non-negative integer .*, got "-1"/],
    [
      ["--workers", "100000"],
      /--workers: expected a non-negative integer of at most 256, got "100000"/,
    ],
    [["--lengths", "0x10"], /--lengths: expected a positive integer .*, got "0x10"/],
    [["--lengths", "1e2"], /--lengths: expected a positive integer .*, got "1e2"/],
    [["--timeout-ms", "1e12"], /--timeout-ms: .*got "1e12"/],
    [["--timeout-ms", "999999999999"], /--timeout-ms: .*of at most 604800000/],
    [["--out", ""], /--out: expected a folder, got ""/],
    [["--nats", "nats://127.0.0.1:99999"], /--nats: port "99999" is out of range \(1-65535\)/],
    [["--nats", "nats://127.0.0.1:4222", "--token", ""], /--token: expected a non-empty value/],
    [
      ["--nats", "nats://127.0.0.1:4222", "--creds", "/nonexistent"],
      /--creds: cannot read "\/nonexistent"/,
    ],
    [["--nats", "nats://127.0.0.1:4222", "--tls-ca", "/nonexistent.pem"], /--tls-ca: cannot read/],
    [
      ["--nats", "http://x"],
      /^error: --nats: expected a nats:\/\/ or tls:\/\/ URL, got "http:\/\/x"$/m,
    ],
    [["--gpus", "0,x"], /--gpus: expected comma-separated GPU indices, got "0,x"/],
    [["--scaling", "1,0"], /--scaling: expected a positive integer .*, got "0"/],
    [["--workers", "0"], /--workers: 0 needs --nats/],
    [["--token", "s3cret-tok"], /--token: only with --nats/],
    [["--local", "--pass", "s3cret-pw", "--user", "u"], /--user, --pass: only for distributed/],
    [["--nats", "nats://127.0.0.1:4222", "--pass", "s3cret-pw"], /--pass: needs --user/],
    [
      ["--nats", "nats://127.0.0.1:4222", "--token", "s3cret-tok", "--creds", "/x.creds"],
      /--token, --user\/--pass, --creds: use one, got token and --creds/,
    ],
    [["--nats", "nats://bob:s3cret-pw@"], /--nats: expected .*got "nats:\/\/\*\*\*@"/],
    [["--local", "--preset", "scaling"], /--preset scaling: only for distributed/],
    [["--preset", "scaling", "--resume", "x"], /--resume: a scaling study cannot be resumed/],
  ];
  for (const [args, message] of cases) {
    const r = await cli([...args, "--dry-run"]);
    assert.equal(r.code, 2, `${args.join(" ")}: exit ${r.code}\n${r.stderr}`);
    assert.match(r.stderr, message, args.join(" "));
    assert.doesNotMatch(r.stderr + r.stdout, /s3cret/, `${args.join(" ")} printed a secret`);
  }
});

Deno.test("an unreachable --nats cluster exits 1 with a clear message and no secret", async () => {
  const port = (() => {
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const p = (l.addr as Deno.NetAddr).port;
    l.close();
    return p;
  })();
  const out = await Deno.makeTempDir();
  const r = await cli([
    "--preset",
    "tiny",
    "--nats",
    `nats://127.0.0.1:${port}`,
    "--token",
    "s3cret-tok",
    "--workers",
    "0",
    "--no-progress",
    "--out",
    out,
  ]);
  const left = [...Deno.readDirSync(out)].map((e) => e.name);
  await Deno.remove(out, { recursive: true });
  assert.deepEqual(left, [], "no empty sweep folder left behind");
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /error: nats: cannot connect to nats:\/\/127\.0\.0\.1:\d+ \(token\)/);
  assert.doesNotMatch(r.stderr + r.stdout, /s3cret/);
});

Deno.test("checkDistributedOptions: auth from flags, then NATS_* variables; only with --nats", () => {
  const ca = Deno.makeTempFileSync({ suffix: ".pem" });
  try {
    checkAuth(ca);
  } finally {
    Deno.removeSync(ca);
  }
});

function checkAuth(ca: string) {
  const base = parseArgs(["--nats", "nats://hub:4222"]);
  const env = (vars: Record<string, string>) => (k: string) => vars[k];
  assert.equal(checkDistributedOptions(base, "distributed", env({})), undefined);
  assert.deepEqual(
    checkDistributedOptions(base, "distributed", env({ NATS_TOKEN: "t" })),
    { token: "t" },
  );
  assert.deepEqual(
    checkDistributedOptions(
      parseArgs(["--nats", "tls://hub:4222", "--user", "u", "--tls-ca", ca]),
      "distributed",
      env({ NATS_PASSWORD: "p" }),
    ),
    { user: "u", pass: "p", tlsCaFile: ca },
  );
  assert.deepEqual(
    checkDistributedOptions(
      parseArgs(["--nats", "nats://hub:4222", "--token", "flag"]),
      "distributed",
      env({ NATS_TOKEN: "env" }),
    ),
    { token: "flag" },
  );
  // The embedded server ignores NATS_* variables (it makes its own token).
  assert.equal(
    checkDistributedOptions(parseArgs([]), "distributed", env({ NATS_TOKEN: "t" })),
    undefined,
  );
  assert.throws(
    () => checkDistributedOptions(parseArgs(["--creds", "x.creds"]), "distributed", env({})),
    (e: Error) => e instanceof UsageError && /--creds: only with --nats/.test(e.message),
  );
  assert.throws(
    () =>
      checkDistributedOptions(
        parseArgs(["--nats", "nats://h:1", "--tls-cert", "c.pem"]),
        "distributed",
        env({}),
      ),
    /--tls-cert and --tls-key go together/,
  );
}

Deno.test("defaultScalingCounts: 1,2 on a CPU; powers of two up to the GPU count", () => {
  assert.deepEqual(defaultScalingCounts(), [1, 2]);
  assert.deepEqual(defaultScalingCounts([0]), [1, 2]);
  assert.deepEqual(defaultScalingCounts([0, 1]), [1, 2]);
  assert.deepEqual(defaultScalingCounts([0, 1, 2, 3, 4, 5]), [1, 2, 4, 6]);
  assert.deepEqual(defaultScalingCounts([0, 1, 2, 3, 4, 5, 6, 7]), [1, 2, 4, 8]);
});

Deno.test("--dry-run lists the cases of the quick preset", async () => {
  const r = await cli(["--local", "--dry-run"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^quick: \d+ cases, memory budget 1\.00 GiB/);
  assert.match(r.stdout, /equivariant-transformer\/materialized backward N=64 /);
});

Deno.test("a local sweep writes results.json and results.csv, goes on after oom and timeout, and resumes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/faults.json`;
    await Deno.writeTextFile(
      file,
      JSON.stringify({
        name: "faults",
        defaults: {
          backend: "cpu",
          preset: "tiny",
          repeats: 3,
          warmup: 1,
          budgetMs: 0,
          // Generous for the cases that end by themselves (a child's start can take seconds
          // on a loaded machine: an oom case must not end as a timeout), short for the hang.
          timeoutMs: 60_000,
        },
        grid: [
          { model: "se3-hyena", pass: "forward", seqLen: [64, 128], fault: "oom" },
          { model: "se3-hyena", pass: "forward", seqLen: 64, fault: "hang", timeoutMs: 1500 },
          { model: "se3-hyena", pass: "forward", seqLen: [32, 64], fault: "noop" },
        ],
      }),
    );
    const env = { SE3_HYENA_TEST_FAULTS: "1" };
    const r = await cli(
      ["--local", "--preset", file, "--out", dir, "--no-progress", "--no-report"],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    const m = r.stderr.match(/results: (\S+)\/results\.json/);
    assert.ok(m, r.stderr);
    const sweepDir = m[1];
    const json: SweepResults = JSON.parse(await Deno.readTextFile(`${sweepDir}/results.json`));
    assert.match(json.sweepId, /^faults-\d{8}T\d{6}Z-[0-9a-f]{4}$/);
    assert.ok(json.environment.deno);
    const byFault = json.results.map((x) => [x.case.fault, x.case.seqLen, x.status]);
    assert.deepEqual(byFault, [
      ["oom", 64, "oom"],
      ["oom", 128, "skipped"],
      ["hang", 64, "timeout"],
      ["noop", 32, "ok"],
      ["noop", 64, "ok"],
    ]);
    const csv = await Deno.readTextFile(`${sweepDir}/results.csv`);
    assert.equal(csv.trim().split("\r\n").length, 6);

    // Resume: nothing left to run, results kept.
    const again = await cli([
      "--local",
      "--preset",
      file,
      "--out",
      dir,
      "--no-progress",
      "--no-report",
      "--resume",
      json.sweepId,
    ], env);
    assert.equal(again.code, 0, again.stderr);
    const json2: SweepResults = JSON.parse(await Deno.readTextFile(`${sweepDir}/results.json`));
    assert.equal(json2.results.length, 5);
    assert.deepEqual(json2.results.map((x) => x.id), json.results.map((x) => x.id));
    assert.equal((json2.definition as { preset: string }).preset, file, "definition stored");

    // Resume without --preset: the stored definition, not the default preset; nothing lost.
    const bare = await cli(
      ["--local", "--out", dir, "--no-progress", "--no-report", "--resume", json.sweepId],
      env,
    );
    assert.equal(bare.code, 0, bare.stderr);
    const json3: SweepResults = JSON.parse(await Deno.readTextFile(`${sweepDir}/results.json`));
    assert.deepEqual(json3.results.map((x) => x.id), json.results.map((x) => x.id));

    // A conflicting definition is refused (exit 2), results.json untouched.
    const before = await Deno.readTextFile(`${sweepDir}/results.json`);
    for (
      const [extra, message] of [
        [
          ["--preset", "quick"],
          /--preset: sweep \S+ was started with ".*faults\.json", got "quick"/,
        ],
        [["--lengths", "64"], /--lengths: sweep \S+ was started with no --lengths, got \[64\]/],
      ] as [string[], RegExp][]
    ) {
      const bad = await cli(
        ["--local", "--out", dir, "--no-report", "--resume", json.sweepId, ...extra],
        env,
      );
      assert.equal(bad.code, 2, bad.stderr);
      assert.match(bad.stderr, message);
    }
    assert.equal(await Deno.readTextFile(`${sweepDir}/results.json`), before);

    // A corrupt results.json: exit 2 naming the file, for both modes.
    await Deno.mkdir(`${dir}/broken`);
    await Deno.writeTextFile(`${dir}/broken/results.json`, "{not json");
    for (const mode of [["--local"], []]) {
      const r = await cli([...mode, "--out", dir, "--resume", "broken", "--dry-run"]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /resume: cannot read .*broken\/results\.json/);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a tiny real sweep (both models, forward and backward, N = 16 and 32) end to end", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await cli([
      "--local",
      "--preset",
      "tiny",
      "--out",
      dir,
      "--no-progress",
      "--repeats",
      "2",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const sweepDir = r.stderr.match(/results: (\S+)\/results\.json/)![1];
    const json: SweepResults = JSON.parse(await Deno.readTextFile(`${sweepDir}/results.json`));
    assert.equal(json.results.length, 8);
    for (const row of json.results) {
      assert.equal(
        row.status,
        "ok",
        `${row.case.model} ${row.case.pass} ${row.case.seqLen}: ${row.error}`,
      );
      assert.ok(row.timeMs!.n >= 2 && row.timeMs!.median > 0);
      assert.ok(row.memory.peakBytes! > 0 && row.memory.rssPeakBytes! > 0);
      assert.ok(row.flops! > 0);
    }
    const keys = new Set(
      json.results.map((x) => `${x.case.model}/${x.case.pass}/${x.case.seqLen}`),
    );
    assert.equal(keys.size, 8);
    const csv = await Deno.readTextFile(`${sweepDir}/results.csv`);
    assert.equal(csv.trim().split("\r\n").length, 9);
    assert.match(r.stdout, /report: .*index\.html/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--framework, --device and --python: usage errors exit 2; torch cases listed", async () => {
  const bad: [string[], RegExp][] = [
    [["--device", "cuda"], /--device cuda: applies to torch cases only/],
    [["--framework", "jax"], /--framework.*jax/],
    [["--python", "/nonexistent/python3"], /--python: no such file "\/nonexistent\/python3"/],
  ];
  for (const [args, message] of bad) {
    const r = await cli(["--local", "--preset", "tiny", ...args, "--dry-run"]);
    assert.equal(r.code, 2, `${args.join(" ")}: exit ${r.code}\n${r.stderr}`);
    assert.match(r.stderr, message);
  }
  const r = await cli([
    "--local",
    "--preset",
    "tiny",
    "--framework",
    "torch",
    "--device",
    "cuda",
    "--dry-run",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /se3-hyena forward N=16 B=1 tiny torch\/cuda/);
  assert.doesNotMatch(r.stdout, / wasm$/m);
  const plain = await cli(["--local", "--dry-run"]); // the default preset
  assert.doesNotMatch(plain.stdout, /torch/, "without options: TensorFlow.js only");
});

Deno.test("describeResult: the median's CI as a share of it, NOISY above 10%", () => {
  const [noisy, quiet] = smallSweep([
    { model: "h", n: 64, ms: 88.81, ci: 1.5 },
    { model: "h", n: 128, ms: 10, ci: 0.02 },
  ]).results;
  assert.match(describeResult(noisy), /88\.81 ms ±150% NOISY \(n=5\)/);
  assert.match(describeResult(quiet), /10\.00 ms ±2\.0% \(n=5\)/);
});

Deno.test("--threads: usage errors exit 2 naming the value; every case gets the count", async () => {
  for (const v of ["0", "66", "two", "1.5"]) {
    const r = await cli(["--local", "--preset", "tiny", "--threads", v, "--dry-run"]);
    assert.equal(r.code, 2, `--threads ${v}: exit ${r.code}\n${r.stderr}`);
    assert.match(
      r.stderr,
      new RegExp(`--threads: expected a positive integer of at most 65, got "${v}"`),
    );
  }
  const r = await cli(["--local", "--preset", "tiny", "--threads", "1", "--dry-run"]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split("\n").filter((l) => l.startsWith("  "));
  assert.ok(lines.length > 0);
  for (const line of lines) assert.match(line, / threads=1$/);
  const plain = await cli(["--local", "--preset", "tiny", "--dry-run"]);
  assert.doesNotMatch(plain.stdout, /threads=/, "without --threads: cases name no count");
});
