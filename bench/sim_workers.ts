/**
 * The worker side of bench/sim_scale.ts: `W` worker loops in this one process, each with
 * its own NATS connection, running cases with a synthetic executor that sleeps each
 * case's recorded time (scaled). On SIGTERM/stdin close it stops and prints one JSON line:
 * the NATS messages its connections received and sent, and the cases each ran.
 *
 * ```
 * deno run -A bench/sim_workers.ts <nats url> <sweep id> <workers> <times.json>
 * ```
 * `times.json`: `{ "<case id>": <ms>, … }`.
 *
 * @module
 */
import { caseId } from "../src/case/id.ts";
import { connectNats } from "../src/nats/connection.ts";
import { syntheticResult } from "../src/nats/fake_runner.ts";
import { type RunCaseFn, runWorker } from "../src/nats/worker.ts";

if (import.meta.main) {
  const [url, sweep, count, timesFile] = Deno.args;
  const times: Record<string, number> = JSON.parse(await Deno.readTextFile(timesFile));
  /** The synthetic executor: sleeps the case's recorded (scaled) time. */
  const run: RunCaseFn = async (c, o) => {
    const ms = times[caseId(c)] ?? 0;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      o?.signal?.addEventListener("abort", () => {
        clearTimeout(t);
        resolve();
      });
    });
    return syntheticResult(c, "ok", ms);
  };
  const stop = new AbortController();
  Deno.addSignalListener("SIGTERM", () => stop.abort());
  (async () => {
    for await (const _ of Deno.stdin.readable) { /* wait for close */ }
    stop.abort();
  })();
  const ncs = await Promise.all(
    Array.from(
      { length: Number(count) },
      (_, i) => connectNats({ servers: url, name: `sim-${i}` }),
    ),
  );
  const stats = await Promise.all(
    ncs.map((nc, i) =>
      runWorker(nc, {
        runCase: run,
        sweep,
        workerId: `sim-${i}`,
        heartbeatMs: 5000,
        skipAfterFailure: false,
        signal: stop.signal,
        log: () => {},
      })
    ),
  );
  let inMsgs = 0, outMsgs = 0;
  for (const nc of ncs) {
    inMsgs += nc.stats().inMsgs;
    outMsgs += nc.stats().outMsgs;
    await nc.close();
  }
  console.log(JSON.stringify({ inMsgs, outMsgs, cases: stats.map((s) => s.completed) }));
  Deno.exit(0);
}
