/**
 * Simulated scale: the distributed engine (coordinator, JetStream work queue, worker
 * loops) with W = 8, 32, 64 workers whose executor is synthetic: each case sleeps the
 * time it took in a committed real sweep (`startedAt` → `finishedAt` of its row in a
 * results.json), scaled down. It reports, per W, the makespan against the lower bound
 * max(Σt / W, max t), the coordinator's CPU time and the NATS messages per case.
 *
 * ```
 * deno run -A bench/sim_scale.ts                        # paper-fig5 times, 16 replicas, W = 8,32,64
 * deno run -A bench/sim_scale.ts --workers 32 --replicas 8 --scale 0.01 --order largest-first
 * ```
 *
 * The committed paper-fig5 run has 21 cases (Σt ≈ 752 s, max t ≈ 331 s), too few to load
 * 64 workers; `--replicas k` repeats every case k times (seeds differ, so the ids do).
 * Times are multiplied by `--scale` (default 0.02) so a run takes seconds; the makespan
 * is reported in the recorded time base (divided by the scale back).
 *
 * @module
 */
import { Command } from "commander";
import process from "node:process";
import { caseId } from "../src/case/id.ts";
import type { Case, SweepResults } from "../src/results.ts";
import { type DistributedInfo, runDistributedSweep } from "../src/nats/coordinator.ts";
import { connectNats } from "../src/nats/connection.ts";
import { jetstreamManager } from "@nats-io/jetstream";
import { ensureSweepStreams } from "../src/nats/protocol.ts";
import { startNatsServer } from "../src/nats/server.ts";

/** One row of the table. */
export interface SimRow {
  workers: number;
  cases: number;
  /** Recorded time base, s. */
  boundS: number;
  makespanS: number;
  /** makespan / bound − 1. */
  overBound: number;
  coordinatorCpuMs: number;
  messagesPerCase: number;
}

/** The case times (ms) of a results.json: finishedAt − startedAt of every row that has both. */
export function caseTimes(res: SweepResults): Array<{ c: Case; ms: number }> {
  return res.results
    .filter((r) => r.startedAt && r.finishedAt)
    .map((r) => ({ c: r.case, ms: Date.parse(r.finishedAt!) - Date.parse(r.startedAt!) }));
}

/** Lower bound of the makespan on `w` identical workers: max(Σt / w, max t). */
export function makespanBound(ms: readonly number[], w: number): number {
  return Math.max(ms.reduce((a, b) => a + b, 0) / w, Math.max(0, ...ms));
}

async function simulate(
  base: Array<{ c: Case; ms: number }>,
  opts: { workers: number; replicas: number; scale: number; order: "grouped" | "largest-first" },
): Promise<SimRow> {
  const items = base.flatMap(({ c, ms }) =>
    Array.from({ length: opts.replicas }, (_, k) => ({ c: { ...c, seed: c.seed + k }, ms }))
  );
  const times: Record<string, number> = {};
  for (const { c, ms } of items) times[caseId(c)] = ms * opts.scale;
  const dir = await Deno.makeTempDir({ prefix: "se3h-sim-" });
  const server = await startNatsServer({ storeDir: `${dir}/js` });
  const sweepId = `sim-w${opts.workers}`;
  let pool: Deno.ChildProcess | undefined;
  try {
    // Streams first, so the workers are pulling before the first case is published.
    const nc = await connectNats({ servers: server.url });
    await ensureSweepStreams(await jetstreamManager(nc), sweepId);
    await nc.close();
    await Deno.writeTextFile(`${dir}/times.json`, JSON.stringify(times));
    pool = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("./sim_workers.ts", import.meta.url).pathname,
        server.url,
        sweepId,
        String(opts.workers),
        `${dir}/times.json`,
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    await new Promise((r) => setTimeout(r, 1500 + 30 * opts.workers)); // connected, pulling
    const cpu0 = process.cpuUsage();
    const res = await runDistributedSweep({
      cases: items.map((x) => x.c),
      sweepId,
      outDir: dir,
      nats: server.url,
      workers: 0,
      resume: true, // keep the streams made above
      order: opts.order,
      noWorkerWarnMs: 0,
    });
    const cpu = process.cpuUsage(cpu0);
    await pool.stdin.close();
    const out = new TextDecoder().decode((await pool.output()).stdout);
    const poolStats = JSON.parse(out.trim().split("\n").pop()!);
    const d = res.distributed as DistributedInfo;
    const msgs = (d.messages?.in ?? 0) + (d.messages?.out ?? 0) + poolStats.inMsgs +
      poolStats.outMsgs;
    const bound = makespanBound(items.map((x) => x.ms), opts.workers) / 1000;
    const makespanS = d.makespanMs / opts.scale / 1000;
    return {
      workers: opts.workers,
      cases: items.length,
      boundS: bound,
      makespanS,
      overBound: makespanS / bound - 1,
      coordinatorCpuMs: (cpu.user + cpu.system) / 1000,
      messagesPerCase: msgs / items.length,
    };
  } finally {
    try {
      pool?.kill("SIGTERM");
    } catch { /* done */ }
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  const program = new Command("sim_scale")
    .option(
      "--results <file>",
      "results.json whose case times are replayed",
      new URL("../reports/paper-fig5-20261127T122751Z-5654/results.json", import.meta.url)
        .pathname,
    )
    .option("--workers <list>", "worker counts", "8,32,64")
    .option("--replicas <k>", "copies of every case (different seeds)", "16")
    .option("--scale <f>", "time scale of the synthetic executor", "0.02")
    .option("--order <name>", "grouped | largest-first", "grouped")
    .parse(Deno.args, { from: "user" });
  const o = program.opts();
  const base = caseTimes(JSON.parse(await Deno.readTextFile(o.results)));
  const rows: SimRow[] = [];
  for (const w of String(o.workers).split(",").map(Number)) {
    const row = await simulate(base, {
      workers: w,
      replicas: Number(o.replicas),
      scale: Number(o.scale),
      order: o.order,
    });
    rows.push(row);
    console.error(JSON.stringify(row));
  }
  console.log(
    `| workers | cases | bound max(Σt/W, max t) | makespan | over bound | coordinator CPU | messages/case |`,
  );
  console.log(`|---:|---:|---:|---:|---:|---:|---:|`);
  for (const r of rows) {
    console.log(
      `| ${r.workers} | ${r.cases} | ${r.boundS.toFixed(0)} s | ${r.makespanS.toFixed(0)} s | ${
        (100 * r.overBound).toFixed(1)
      } % | ${(r.coordinatorCpuMs / 1000).toFixed(2)} s | ${r.messagesPerCase.toFixed(1)} |`,
    );
  }
}
