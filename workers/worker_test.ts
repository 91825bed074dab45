import assert from "node:assert/strict";
import { startNatsServer } from "../src/nats/server.ts";
import { workerProgram } from "./worker.ts";

const SCRIPT = new URL("./worker.ts", import.meta.url).pathname;

/** Runs the worker CLI as a process; returns exit code and stderr. */
async function runCli(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SCRIPT, ...args],
    env: { SE3_HYENA_TEST_FAULTS: "", NATS_TOKEN: "", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("worker CLI: options parse; the test-only --fake-runner is hidden from --help", () => {
  const p = workerProgram().parse([
    "--nats",
    "nats://h:1",
    "--backend",
    "wasm",
    "--gpu",
    "1",
    "--sweep",
    "s1",
  ], {
    from: "user",
  });
  assert.deepEqual(
    { ...p.opts() },
    { nats: "nats://h:1", backend: "wasm", gpu: 1, sweep: "s1" },
  );
  assert.ok(!workerProgram().helpInformation().includes("fake-runner"));
  assert.throws(() => workerProgram().parse(["--backend", "cuda"], { from: "user" }));
});

Deno.test("worker CLI: wrong credentials are refused with a clear error (exit 1), the secret not printed", async () => {
  const server = await startNatsServer({ auth: { token: "the-right-one" } });
  try {
    const r = await runCli(["--nats", server.url, "--sweep", "s"], {
      NATS_TOKEN: "a-wrong-token",
      SE3_HYENA_TEST_FAULTS: "1",
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /error: nats: authorization refused by nats:\/\/127\.0\.0\.1:\d+ \(token\)/,
    );
    assert.ok(!r.stderr.includes("a-wrong-token"), r.stderr);
  } finally {
    await server.stop();
  }
});

Deno.test("worker CLI: --fake-runner is refused without SE3_HYENA_TEST_FAULTS=1", async () => {
  const r = await runCli(["--nats", "nats://127.0.0.1:1", "--fake-runner", "10"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--fake-runner is a test-only option; it needs SE3_HYENA_TEST_FAULTS=1/);
});

Deno.test("worker CLI: usage errors exit 2 naming the option and value", async () => {
  const r = await runCli(["--nats", "nats://127.0.0.1:1", "--gpu", "x"]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /--gpu: expected an integer from 0 to 1023, got "x"/);
  const bad: [string[], Record<string, string>, RegExp][] = [
    [
      ["--nats", "nats://127.0.0.1:1", "--gpu="],
      {},
      /--gpu: expected an integer from 0 to 1023, got ""/,
    ],
    [
      ["--nats", "http://h:1"],
      {},
      /--nats: expected a nats:\/\/ or tls:\/\/ URL, got "http:\/\/h:1"/,
    ],
    [
      [],
      { NATS_URL: "nats://s3cret@" },
      /NATS_URL: expected a nats:\/\/ or tls:\/\/ URL, got "nats:\/\/\*\*\*@"/,
    ],
    [["--nats", "nats://127.0.0.1:1", "--id", "a.b"], {}, /--id: expected .*, got "a\.b"/],
    [
      ["--nats", "nats://127.0.0.1:1", "--heartbeat-ms", "0"],
      {},
      /--heartbeat-ms: expected an integer from 100 to 600000, got "0"/,
    ],
    [
      ["--nats", "nats://127.0.0.1:1", "--heartbeat-ms", "3000000000"],
      {},
      /--heartbeat-ms: expected an integer from 100 to 600000, got "3000000000"/,
    ],
    [["--nats", "nats://127.0.0.1:1", "--max-cases", "1e2"], {}, /--max-cases: .*got "1e2"/],
    [
      ["--nats", "nats://127.0.0.1:1", "--threads", "0"],
      {},
      /--threads: expected an integer from 1 to 65, got "0"/,
    ],
    [
      ["--nats", "nats://127.0.0.1:1", "--threads", "two"],
      {},
      /--threads: expected an integer from 1 to 65, got "two"/,
    ],
    [["--nats", "nats://127.0.0.1:99999"], {}, /--nats: port "99999" is out of range \(1-65535\)/],
    [["--nats", "nats://127.0.0.1:1", "--user", "u"], {}, /--user: needs --pass/],
    [["--nats", "nats://127.0.0.1:1", "--token", ""], {}, /--token: expected a non-empty value/],
    [
      ["--nats", "nats://127.0.0.1:1", "--creds", "/nonexistent"],
      {},
      /--creds: cannot read "\/nonexistent"/,
    ],
    [
      ["--nats", "nats://127.0.0.1:1", "--tls-ca", "/nonexistent.pem"],
      {},
      /--tls-ca: cannot read "\/nonexistent\.pem"/,
    ],
    [["--nats", "nats://127.0.0.1:1", "--memory-budget", "lots"], {}, /--memory-budget: .*"lots"/],
  ];
  for (const [args, env, message] of bad) {
    const b = await runCli(args, env);
    assert.equal(b.code, 2, `${args.join(" ")}: ${b.stderr}`);
    assert.match(b.stderr, message);
    assert.doesNotMatch(b.stderr, /s3cret/);
  }
  const missing = await runCli([], { NATS_URL: "" });
  assert.equal(missing.code, 2, missing.stderr);
  assert.match(missing.stderr, /--nats <url> is required/);
});
