/**
 * Per-case dispatch overhead of the NATS distribution: the round trip of an empty case
 * (publish to the work queue → a worker pulls it, "runs" it, publishes the result, acks
 * → the result arrives at the publisher), measured one case at a time against a local
 * `nats-server` with file storage (the embedded coordinator's configuration).
 *
 * ```
 * deno run -A bench/nats_overhead.ts                  # all modes, 100 cases each
 * deno run -A bench/nats_overhead.ts --mode process --n 200
 * ```
 *
 * Modes:
 * - `inproc`: the worker loop in this process, runner returns at once (pure NATS overhead).
 * - `process`: a real worker process (`workers/worker.ts --fake-runner 0`).
 * - `isolated`: the worker loop in this process with the real `runCaseIsolated` on a
 *   `fault: "noop"` case: NATS plus the measurement engine's child process per case.
 *
 * The `process` and `isolated` modes use test-only switches, so this script sets
 * `SE3_HYENA_TEST_FAULTS=1` for itself and its children.
 *
 * @module
 */
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Command, Option } from "commander";
import { caseId } from "../src/case/id.ts";
import { parseCase, TEST_FAULTS_ENV } from "../src/case/schema.ts";
import { connectNats } from "../src/nats/connection.ts";
import { syntheticResult } from "../src/nats/fake_runner.ts";
import { encodeWorkMessage, ensureSweepStreams, subjects } from "../src/nats/protocol.ts";
import { startNatsServer } from "../src/nats/server.ts";
import { type RunCaseFn, runWorker } from "../src/nats/worker.ts";
import { summarize } from "../src/stats.ts";
import type { TimeSummary } from "../src/results.ts";

/** Modes of the benchmark (see the module doc). */
export const MODES = ["inproc", "process", "isolated"] as const;
type Mode = (typeof MODES)[number];

/** Measures `n` sequential empty-case round trips in one mode; returns the summary, ms. */
export async function measureRoundTrips(mode: Mode, n: number, warmup = 5): Promise<TimeSummary> {
  Deno.env.set(TEST_FAULTS_ENV, "1");
  const server = await startNatsServer();
  const nc = await connectNats({ servers: server.url });
  const sweepId = `overhead-${mode}`;
  const stop = new AbortController();
  let worker: Promise<unknown> | undefined;
  let child: Deno.ChildProcess | undefined;
  try {
    const jsm = await jetstreamManager(nc);
    await ensureSweepStreams(jsm, sweepId, { ackWaitMs: 30_000 });
    const js = jetstream(nc);
    const s = subjects(sweepId);
    if (mode === "process") {
      child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          new URL("../workers/worker.ts", import.meta.url).pathname,
          "--nats",
          server.url,
          "--sweep",
          sweepId,
          "--backend",
          "cpu",
          "--fake-runner",
          "0",
        ],
        env: { [TEST_FAULTS_ENV]: "1" },
        stdin: "null",
        stdout: "null",
        stderr: "inherit",
      }).spawn();
    } else {
      const wnc = await connectNats({ servers: server.url });
      let runCase: RunCaseFn = (c) => Promise.resolve(syntheticResult(c, "ok", 0));
      if (mode === "isolated") {
        runCase = (await import("../src/runner/isolated.ts")).runCaseIsolated;
      }
      worker = runWorker(wnc, {
        runCase,
        sweep: sweepId,
        backend: "cpu",
        signal: stop.signal,
        log: () => {},
      }).finally(() => wnc.close());
    }
    const samples: number[] = [];
    for (let i = 0; i < warmup + n; i++) {
      const c = parseCase({
        model: "se3-hyena",
        pass: "forward",
        seqLen: 8,
        backend: "cpu",
        seed: i,
        ...(mode === "isolated" ? { fault: "noop" } : {}),
      });
      const id = caseId(c);
      const sub = nc.subscribe(s.result(id), { max: 1 });
      const t0 = performance.now();
      await js.publish(s.work("cpu"), encodeWorkMessage(sweepId, id, c));
      for await (const _ of sub) break;
      const dt = performance.now() - t0;
      if (i >= warmup) samples.push(dt);
    }
    return summarize(samples);
  } finally {
    stop.abort();
    if (child) {
      child.kill("SIGTERM");
      await child.status;
    }
    await worker;
    await nc.close();
    await server.stop();
  }
}

if (import.meta.main) {
  const program = new Command("nats_overhead")
    .addOption(
      new Option("--mode <mode>", "which round trip").choices([...MODES, "all"]).default("all"),
    )
    .option("--n <count>", "measured round trips per mode", (v) => Number(v), 100)
    .parse(Deno.args, { from: "user" });
  const o = program.opts<{ mode: Mode | "all"; n: number }>();
  const modes = o.mode === "all" ? MODES : [o.mode];
  for (const mode of modes) {
    const t = await measureRoundTrips(mode, o.n);
    console.log(
      `${mode.padEnd(9)} n=${t.n} median ${t.median.toFixed(2)} ms  p10 ${t.p10.toFixed(2)}  ` +
        `p90 ${t.p90.toFixed(2)}  mean ${t.mean.toFixed(2)}  max ${t.max.toFixed(2)}` +
        (t.medianCI
          ? `  median 95% CI [${t.medianCI[0].toFixed(2)}, ${t.medianCI[1].toFixed(2)}]`
          : ""),
    );
  }
}
