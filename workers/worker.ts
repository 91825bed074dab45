/**
 * A sweep worker: joins a NATS JetStream cluster and runs cases one at a time.
 *
 * ```
 * deno task worker --nats nats://hub:4222 [--backend wasm|cpu|webgpu|tensorflow] [--gpu 1]
 *                  [--framework tfjs|torch] [--python PATH] [--threads N]
 *                  [--device-class a10g] [--memory-budget <bytes>]
 *                  [--token …|--creds file|--user u --pass p] [--tls-ca ca.pem] [--sweep <id>|all]
 * ```
 *
 * Secrets are better passed through the environment than on the command line (where
 * `ps` shows them): `NATS_TOKEN`, `NATS_USER`, `NATS_PASSWORD`; `NATS_URL` stands in for
 * `--nats`. Secrets are never printed.
 *
 * `--framework torch` takes only PyTorch cases (run by `python/child.py` with the
 * interpreter `--python PATH`, default see src/torch/python.ts); `--framework tfjs` only
 * TensorFlow.js ones; without it a worker takes both.
 *
 * `--threads N` is the thread count of the cases that name none (our kernels' worker pool,
 * or PyTorch's; default every core): exported to the runner's children as
 * `SE3_HYENA_THREADS` (src/runner/threads.ts); results record the count used.
 *
 * Exit codes: 0 after SIGINT/SIGTERM, `--max-cases`, or stdin closing with
 * `--exit-on-stdin-close` (the coordinator that started this worker has gone); 1 on a
 * connection error (e.g. wrong credentials); 2 on a usage error (the message names the
 * option and value); 3 when stdin closed and a case would not abort in time.
 *
 * TEST-ONLY option (refused unless the environment has `SE3_HYENA_TEST_FAULTS=1`):
 * `--fake-runner <ms>` replaces the real runner with one that sleeps `<ms>` and returns a
 * synthetic `ok` result; under it, a case labelled `crash-worker` makes this process exit
 * with code 137 (see `src/nats/fake_runner.ts`). Used by the distribution tests to kill
 * real worker processes quickly; it is hidden from `--help`.
 *
 * @module
 */
import { Command, InvalidArgumentError, Option } from "commander";
import { connectNats, describeAuth, type NatsAuth, redact } from "../src/nats/connection.ts";
import { natsUrlProblem } from "../src/nats/url.ts";
import { authFromFlags } from "../src/nats/auth.ts";
import { parseBytes } from "../src/cli/parse_bytes.ts";
import { type RunCaseFn, runWorker } from "../src/nats/worker.ts";
import { checkSweepId, WORK_BACKENDS, type WorkBackend } from "../src/nats/protocol.ts";
import { MAX_THREADS, TEST_FAULTS_ENV, testFaultsEnabled } from "../src/case/schema.ts";
import { THREADS_ENV } from "../src/runner/threads.ts";

/** Parsed command line. */
interface WorkerCliOptions {
  nats?: string;
  backend?: WorkBackend;
  framework?: "tfjs" | "torch";
  python?: string;
  threads?: number;
  gpu?: number;
  deviceClass?: string;
  token?: string;
  user?: string;
  pass?: string;
  creds?: string;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
  sweep: string;
  id?: string;
  heartbeatMs?: number;
  memoryBudget?: number;
  maxCases?: number;
  exitOnStdinClose?: boolean;
  fakeRunner?: number;
}

/** A decimal integer in [min, max] (`1e2`, `0x10`, `-1`, `1.5` are refused). */
const intIn = (name: string, min: number, max: number) => (v: string): number => {
  const n = Number(v.trim());
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new InvalidArgumentError(
      `${name}: expected an integer from ${min} to ${max}, got ${JSON.stringify(v)}`,
    );
  }
  return n;
};
/** `--memory-budget`: a size like the sweep's (4GiB, 512MiB, or bytes). */
const bytes = (v: string): number => {
  try {
    return parseBytes(v);
  } catch (e) {
    throw new InvalidArgumentError(`--memory-budget: ${(e as Error).message}`);
  }
};

/** Builds the commander program (exported for tests of the parsing). */
export function workerProgram(): Command {
  return new Command("worker")
    .description("Run sweep cases from a NATS JetStream work queue, one at a time.")
    .option("--nats <url>", "NATS server URL (env NATS_URL)")
    .addOption(
      new Option("--backend <name>", "only take cases of this backend (default: any)").choices(
        WORK_BACKENDS,
      ),
    )
    .addOption(
      new Option("--framework <name>", "only take cases of this framework (default: any)")
        .choices(["tfjs", "torch"]),
    )
    .option("--python <path>", "Python interpreter of torch cases (with PyTorch)")
    .option(
      "--threads <n>",
      "threads of the cases that name none (default every core)",
      intIn("--threads", 1, MAX_THREADS),
    )
    .option(
      "--gpu <index>",
      "GPU index: sets CUDA_VISIBLE_DEVICES for the runner",
      intIn("--gpu", 0, 1023),
    )
    .option(
      "--device-class <name>",
      "workers of one class share skip-after-OOM limits (default: gpu with --gpu, else cpu)",
      (v: string) => {
        if (!/^[A-Za-z0-9_.-]{1,64}$/.test(v)) {
          throw new InvalidArgumentError(
            `--device-class: expected 1-64 characters from [A-Za-z0-9_.-], got ${
              JSON.stringify(v)
            }`,
          );
        }
        return v;
      },
    )
    .option("--token <token>", "auth token (prefer env NATS_TOKEN)")
    .option("--user <name>", "user name (env NATS_USER)")
    .option("--pass <password>", "password (prefer env NATS_PASSWORD)")
    .option("--creds <file>", "NATS credentials file (JWT + nkey seed)")
    .option("--tls-ca <file>", "PEM CA bundle to verify the server")
    .option("--tls-cert <file>", "PEM client certificate (mutual TLS)")
    .option("--tls-key <file>", "PEM client key (mutual TLS)")
    .option("--sweep <id>", "sweep to serve, or 'all'", "all")
    .option(
      "--id <workerId>",
      "worker id, [A-Za-z0-9_-] (default <host>-<pid>-<random>)",
      (v: string) => {
        // It is a NATS subject token: '.', '*', '>' or spaces would break the subjects.
        if (!/^[A-Za-z0-9_-]{1,100}$/.test(v)) {
          throw new InvalidArgumentError(
            `--id: expected 1-100 characters from [A-Za-z0-9_-], got ${JSON.stringify(v)}`,
          );
        }
        return v;
      },
    )
    .option(
      "--heartbeat-ms <ms>",
      "heartbeat interval (100 to 600000)",
      intIn("--heartbeat-ms", 100, 600_000),
    )
    .option(
      "--memory-budget <size>",
      "memory budget passed to the runner, e.g. 4GiB (default: the runner's)",
      bytes,
    )
    .option("--max-cases <n>", "exit after n cases", intIn("--max-cases", 0, 1e9))
    .option(
      "--exit-on-stdin-close",
      "exit when stdin closes (set by the coordinator for its children)",
    )
    .addOption(
      new Option("--fake-runner <ms>", "TEST-ONLY").argParser(intIn("--fake-runner", 0, 600_000))
        .hideHelp(),
    )
    .exitOverride()
    .configureOutput({ writeErr: (s) => console.error(s.trimEnd()) });
}

/** Runs the worker CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = workerProgram();
  try {
    program.parse(argv, { from: "user" });
  } catch (e) {
    const code = (e as { exitCode?: number }).exitCode;
    return code === 0 ? 0 : 2; // commander printed the message (or the help)
  }
  const o = program.opts<WorkerCliOptions>();
  const env = (k: string) => Deno.env.get(k);
  const url = o.nats ?? env("NATS_URL");
  if (!url) {
    console.error("error: --nats <url> is required (or set NATS_URL)");
    return 2;
  }
  const urlProblem = natsUrlProblem(url, o.nats !== undefined ? "--nats" : "NATS_URL");
  if (urlProblem) {
    console.error(`error: ${urlProblem}`);
    return 2;
  }
  if (o.sweep !== "all") {
    try {
      checkSweepId(o.sweep);
    } catch (e) {
      console.error(`error: --sweep: ${(e as Error).message}`);
      return 2;
    }
  }
  if (o.framework && o.backend && (o.backend === "torch") !== (o.framework === "torch")) {
    console.error(
      `error: --backend ${o.backend} takes no ${o.framework} cases (--framework ${o.framework})`,
    );
    return 2;
  }
  if (o.python !== undefined) {
    try {
      Deno.statSync(o.python);
    } catch {
      console.error(`error: --python: no such file ${JSON.stringify(o.python)}`);
      return 2;
    }
  }
  let auth: NatsAuth | undefined;
  try {
    auth = authFromFlags(o, env);
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    return 2;
  }

  let runCase: RunCaseFn;
  let memoryBudgetBytes = o.memoryBudget;
  if (o.fakeRunner !== undefined) {
    if (!testFaultsEnabled()) {
      console.error(`error: --fake-runner is a test-only option; it needs ${TEST_FAULTS_ENV}=1`);
      return 2;
    }
    const { fakeRunner, parseHold } = await import("../src/nats/fake_runner.ts");
    runCase = fakeRunner({
      sleepMs: o.fakeRunner,
      hold: parseHold(Deno.env.get("SE3H_FAKE_RUNNER_HOLD")),
    });
  } else {
    const { defaultMemoryBudgetBytes, runCaseIsolated } = await import(
      "../src/runner/isolated.ts"
    );
    const python = o.python;
    runCase = python === undefined
      ? runCaseIsolated
      : (c, opts) => runCaseIsolated(c, { ...opts, python });
    // The runner's own default, made explicit: it is part of the skip-after-OOM scope.
    memoryBudgetBytes ??= defaultMemoryBudgetBytes();
  }

  const stop = new AbortController();
  let signals = 0;
  const onSignal = () => {
    if (++signals > 1) Deno.exit(130);
    stop.abort();
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  if (o.exitOnStdinClose) {
    (async () => {
      try {
        for await (const _ of Deno.stdin.readable) { /* ignore input */ }
      } catch { /* closed */ }
      stop.abort();
      setTimeout(() => Deno.exit(3), 3000); // do not linger if a case will not abort
    })();
  }

  let nc;
  try {
    nc = await connectNats({ servers: url, auth, name: `se3h-worker-${o.id ?? Deno.pid}` });
  } catch (e) {
    console.error(`error: ${redact((e as Error).message, auth)}`);
    return 1;
  }
  const device = o.gpu !== undefined ? `gpu ${o.gpu}` : "cpu";
  console.error(
    `worker: connected to ${redact(url)} (${describeAuth(auth)}); sweep ${o.sweep}, ` +
      `backend ${o.backend ?? "any"}, framework ${o.framework ?? "any"}, device ${device}`,
  );
  const stats = await runWorker(nc, {
    runCase,
    sweep: o.sweep,
    backend: o.backend,
    framework: o.framework,
    device,
    deviceClass: o.deviceClass,
    workerId: o.id,
    heartbeatMs: o.heartbeatMs,
    env: o.gpu !== undefined || o.threads !== undefined
      ? {
        ...(o.gpu !== undefined ? { CUDA_VISIBLE_DEVICES: String(o.gpu) } : {}),
        ...(o.threads !== undefined ? { [THREADS_ENV]: String(o.threads) } : {}),
      }
      : undefined,
    memoryBudgetBytes,
    maxCases: o.maxCases,
    signal: stop.signal,
    log: (line) => console.error(redact(line, auth)),
  });
  await nc.close().catch(() => {});
  console.error(
    `worker: stopped after ${stats.completed} cases (${stats.rejected} rejected messages, ` +
      `${stats.skippedDuplicates} duplicate deliveries skipped, ${stats.skippedPastLimit} cases ` +
      `skipped past an OOM/timeout limit)`,
  );
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
