import assert from "node:assert/strict";
import { caseId } from "../case/id.ts";
import { parseCase } from "../case/schema.ts";
import type { Case, CaseResult, Environment, SweepResults } from "../results.ts";
import { connectNats } from "./connection.ts";
import {
  orderGroupedInterleaved,
  runDistributedSweep,
  runScalingStudy,
  type SweepEvent,
} from "./coordinator.ts";
import { CRASH_WORKER_LABEL, syntheticResult } from "./fake_runner.ts";
import { startNatsServer } from "./server.ts";
import { type RunCaseFn, runWorker } from "./worker.ts";
import { RESUME_OPTIONS, resumeCases } from "./testdata/coordinator_child.ts";

const ENV: Environment = RESUME_OPTIONS.environment;
const FAULTS = { SE3_HYENA_TEST_FAULTS: "1" };

const mkCases = (n: number, extra: Partial<Case> = {}): Case[] =>
  Array.from(
    { length: n },
    (_, i) =>
      parseCase({
        model: "se3-hyena",
        pass: "forward",
        seqLen: 32 * (i + 1),
        backend: "cpu",
        ...extra,
      }),
  );

/** A deterministic in-process runner with varied outcomes (no measurement). */
const variedRunner = (sleepMs: number): RunCaseFn => async (c, o) => {
  await new Promise((r) => setTimeout(r, sleepMs));
  o?.onHeartbeat?.();
  const status = c.seqLen >= 256 ? "oom" : c.seqLen % 96 === 0 ? "error" : "ok";
  return {
    ...syntheticResult(c, status, c.seqLen / 10),
    ...(status === "oom" ? { oomAt: c.seqLen } : {}),
  };
};

/** Whether `pid` runs a nats-server (not a zombie). */
async function alive(pid: number): Promise<boolean> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    const cmd = await Deno.readTextFile(`/proc/${pid}/cmdline`);
    return cmd.includes("nats-server") && !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
}

/** `id:status`, sorted; a case skipped past its group's OOM counts as that OOM (the runner alone does not skip). */
const idsAndStatuses = (rs: CaseResult[]) =>
  rs.map((r) => `${r.id}:${r.status === "skipped" ? r.skippedAfter : r.status}`).sort();

async function readResults(path: string): Promise<SweepResults | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(path));
  } catch {
    return undefined; // not written yet (or mid-rename)
  }
}

Deno.test("distributed: a two-worker sweep gives the same case ids and statuses as running the runner directly", async () => {
  const server = await startNatsServer();
  const outDir = await Deno.makeTempDir();
  const nc1 = await connectNats({ servers: server.url });
  const nc2 = await connectNats({ servers: server.url });
  const stop = new AbortController();
  try {
    const cases = mkCases(10);
    const runner = variedRunner(30);
    const direct = await Promise.all(cases.map((c) => runner(c)));
    const w1 = runWorker(nc1, {
      runCase: runner,
      sweep: "two",
      signal: stop.signal,
      log: () => {},
    });
    const w2 = runWorker(nc2, {
      runCase: runner,
      sweep: "two",
      signal: stop.signal,
      log: () => {},
    });
    const events: SweepEvent[] = [];
    const res = await runDistributedSweep({
      cases,
      sweepId: "two",
      outDir,
      nats: server.url,
      workers: 0,
      environment: ENV,
      pollMs: 300,
      onEvent: (e) => events.push(e),
    });
    stop.abort();
    const [s1, s2] = await Promise.all([w1, w2]);
    assert.deepEqual(idsAndStatuses(res.results), idsAndStatuses(direct));
    assert.equal(
      new Set(direct.map((r) => r.status)).size,
      3,
      "the comparison covers ok, oom and error",
    );
    assert.equal(
      s1.completed + s2.completed + s1.skippedPastLimit + s2.skippedPastLimit,
      cases.length,
      "each case ran (or was skipped past its group's OOM) exactly once",
    );
    // results.json on disk holds the same, in case order, with the workers seen.
    const file = await readResults(`${outDir}/two/results.json`);
    assert.deepEqual(file?.results.map((r) => r.id), cases.map((c) => caseId(c)));
    assert.equal((file?.workers as unknown[]).length, 2);
    assert.equal(events.filter((e) => e.type === "case-finished").length, cases.length);
  } finally {
    stop.abort();
    await nc1.close();
    await nc2.close();
    await server.stop();
    await Deno.remove(outDir, { recursive: true });
  }
});

Deno.test("distributed: kill -9 of a worker mid-case → redelivered to another worker, every result once", async () => {
  const outDir = await Deno.makeTempDir();
  try {
    let killed: { pid: number; workerId: string; caseId: string } | undefined;
    const finished = new Map<string, number>();
    const exits: Array<{ pid: number; restarting: boolean }> = [];
    const cases = mkCases(4);
    const res = await runDistributedSweep({
      cases,
      sweepId: "kill9",
      outDir,
      workers: 2,
      workerArgs: ["--fake-runner", "1500"],
      workerEnv: FAULTS,
      ackWaitMs: 1000,
      heartbeatMs: 300,
      pollMs: 300,
      environment: ENV,
      onEvent: (e) => {
        if (e.type === "worker" && e.worker.type === "started" && !killed) {
          killed = { pid: e.worker.pid, workerId: e.worker.workerId, caseId: e.worker.caseId! };
          Deno.kill(e.worker.pid, "SIGKILL");
        }
        if (e.type === "case-finished") {
          finished.set(e.result.id, (finished.get(e.result.id) ?? 0) + 1);
        }
        if (e.type === "worker-exit") exits.push(e);
      },
    });
    assert.ok(killed, "a worker was killed");
    assert.equal(res.results.length, cases.length);
    assert.deepEqual(
      [...finished.values()],
      cases.map(() => 1),
      "every result recorded exactly once",
    );
    assert.ok(res.results.every((r) => r.status === "ok"));
    // In-progress acks kept the other 1.5 s cases alive under a 1 s ack wait.
    assert.deepEqual(
      res.results.filter((r) => r.id !== killed!.caseId).map((r) => r.delivery),
      [1, 1, 1],
    );
    const redone = res.results.find((r) => r.id === killed!.caseId)!;
    assert.notEqual(
      redone.worker.id,
      killed.workerId,
      "the killed case finished on another worker",
    );
    assert.ok((redone.delivery as number) >= 2, `delivery ${redone.delivery}`);
    assert.ok(
      exits.some((x) => x.pid === killed!.pid && x.restarting),
      "the dead worker was replaced",
    );
    // A finished embedded sweep removes its server storage.
    await assert.rejects(Deno.stat(`${outDir}/kill9/.nats`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
});

Deno.test("distributed: a case that crashes its worker every time ends 'failed' after the delivery limit; the sweep completes", async () => {
  const outDir = await Deno.makeTempDir();
  try {
    const cases = [
      ...mkCases(3),
      parseCase({
        model: "se3-hyena",
        pass: "forward",
        seqLen: 999,
        backend: "cpu",
        label: CRASH_WORKER_LABEL,
      }),
    ];
    let crashes = 0;
    const res = await runDistributedSweep({
      cases,
      sweepId: "crash",
      outDir,
      workers: 2,
      workerArgs: ["--fake-runner", "100"],
      workerEnv: FAULTS,
      maxDeliver: 2,
      ackWaitMs: 800,
      heartbeatMs: 300,
      pollMs: 300,
      environment: ENV,
      onEvent: (e) => {
        // Deaths while the sweep runs (each is restarted). A worker still starting when the
        // sweep stops dies of the SIGTERM before its handler is installed: not a crash.
        if (e.type === "worker-exit" && e.code !== 0 && e.restarting) crashes++;
      },
    });
    const byStatus = Object.groupBy(res.results, (r) => r.status);
    assert.equal(byStatus.ok?.length, 3);
    assert.equal(byStatus.failed?.length, 1);
    const failed = byStatus.failed![0];
    assert.equal(failed.case.label, CRASH_WORKER_LABEL);
    assert.match(failed.error!, /gave up/);
    assert.equal(crashes, 2, "one worker death per delivery");
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
});

Deno.test("distributed: nats-server restarted mid-sweep (file storage) → clients reconnect, nothing lost", async () => {
  const server = await startNatsServer();
  const outDir = await Deno.makeTempDir();
  const nc1 = await connectNats({ servers: server.url });
  const nc2 = await connectNats({ servers: server.url });
  const stop = new AbortController();
  try {
    const cases = mkCases(10);
    const runner = variedRunner(250);
    const w1 = runWorker(nc1, {
      runCase: runner,
      sweep: "restart",
      signal: stop.signal,
      log: () => {},
    });
    const w2 = runWorker(nc2, {
      runCase: runner,
      sweep: "restart",
      signal: stop.signal,
      log: () => {},
    });
    let restarted: Promise<void> | undefined;
    const counts = new Map<string, number>();
    const res = await runDistributedSweep({
      cases,
      sweepId: "restart",
      outDir,
      nats: server.url,
      workers: 0,
      ackWaitMs: 2000,
      pollMs: 300,
      environment: ENV,
      onEvent: (e) => {
        if (e.type === "case-finished") {
          counts.set(e.result.id, (counts.get(e.result.id) ?? 0) + 1);
          if (e.done === 3 && !restarted) restarted = server.restart();
        }
      },
    });
    stop.abort();
    await Promise.all([w1, w2]);
    assert.ok(restarted, "the server was restarted");
    await restarted;
    assert.equal(res.results.length, cases.length);
    assert.deepEqual(
      idsAndStatuses(res.results),
      idsAndStatuses(await Promise.all(cases.map((c) => variedRunner(0)(c)))),
    );
    assert.deepEqual([...counts.values()], cases.map(() => 1));
  } finally {
    stop.abort();
    await nc1.close();
    await nc2.close();
    await server.stop();
    await Deno.remove(outDir, { recursive: true });
  }
});

Deno.test("distributed: coordinator killed and resumed → finished cases are not run again", async () => {
  const outDir = await Deno.makeTempDir();
  const sweepId = "resume";
  // Deterministic: the first run's worker holds every case after its third, so the kill
  // comes with exactly 3 results done and the 4th in flight, however loaded the machine.
  const holdFile = `${outDir}/hold`;
  await Deno.writeTextFile(holdFile, "");
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./testdata/coordinator_child.ts", import.meta.url).pathname,
      outDir,
      sweepId,
      `3:${holdFile}`,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    const path = `${outDir}/${sweepId}/results.json`;
    let before: SweepResults | undefined;
    for (let i = 0; i < 1200; i++) {
      before = await readResults(path);
      if ((before?.results.length ?? 0) >= 3) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(before?.results.length, 3, "the first coordinator made progress, then held");
    const serverPid = Number(
      (await Deno.readTextFile(`${outDir}/${sweepId}/.nats/server.pid`)).split("\n")[0],
    );
    assert.ok(await alive(serverPid), "its embedded nats-server runs");
    child.kill("SIGKILL");
    await child.status;
    // Its guard stops the embedded server although the coordinator could not.
    for (let i = 0; i < 300 && await alive(serverPid); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(await alive(serverPid), false, "no nats-server outlives a killed coordinator");
    const doneBefore = new Set((await readResults(path))!.results.map((r) => r.id));
    assert.equal(doneBefore.size, 3, "killed with the 4th case held");
    await Deno.remove(holdFile);

    const started: string[] = [];
    const logs: string[] = [];
    const res = await runDistributedSweep({
      cases: resumeCases(),
      sweepId,
      outDir,
      resume: true,
      ...RESUME_OPTIONS,
      onEvent: (e) => {
        if (e.type === "case-started") started.push(e.caseId);
        if (e.type === "log") logs.push(e.message);
      },
    });
    assert.equal(res.results.length, 12);
    assert.equal(new Set(res.results.map((r) => r.id)).size, 12);
    assert.ok(res.results.every((r) => r.status === "ok"));
    const rerun = started.filter((id) => doneBefore.has(id));
    assert.deepEqual(rerun, [], "no finished case ran again");
    assert.ok(
      !logs.some((l) => /killed the nats-server left running/.test(l)),
      "nothing was left for resume to kill",
    );
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* already dead */ }
    await child.status;
    await Deno.remove(outDir, { recursive: true });
  }
});

Deno.test("distributed: scaling study runs the same cases with 1 and 2 workers and stores the rows as `scaling`", async () => {
  const outDir = await Deno.makeTempDir();
  try {
    const cases = mkCases(4);
    const { scaling, runs } = await runScalingStudy({
      cases,
      sweepId: "scale",
      outDir,
      workerCounts: [1, 2],
      workerArgs: ["--fake-runner", "200"],
      workerEnv: FAULTS,
      heartbeatMs: 500,
      pollMs: 300,
      environment: ENV,
    });
    assert.deepEqual(scaling.map((r) => [r.workers, r.sweepId]), [[1, "scale-w1"], [
      2,
      "scale-w2",
    ]]);
    for (const [i, r] of scaling.entries()) {
      assert.ok(r.makespanMs > 0);
      assert.ok(Math.abs(r.throughputCasesPerMin - cases.length / (r.makespanMs / 60_000)) < 1e-9);
      assert.equal(runs[i].results.length, cases.length);
      assert.equal(
        new Set((runs[i].workers as { workerId: string }[]).map((w) => w.workerId)).size,
        r.workers,
      );
    }
    assert.equal(scaling[0].efficiency, 1);
    const e2 = scaling[1].throughputCasesPerMin / 2 / scaling[0].throughputCasesPerMin;
    assert.ok(Math.abs(scaling[1].efficiency - e2) < 1e-9);
    const file = await readResults(`${outDir}/scale/results.json`);
    assert.deepEqual(file?.scaling, scaling);
    assert.equal(file?.results.length, cases.length);
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
});

Deno.test("distributed: --gpus starts one worker per GPU with CUDA_VISIBLE_DEVICES set for its runner", async () => {
  const outDir = await Deno.makeTempDir();
  try {
    const res = await runDistributedSweep({
      cases: mkCases(4),
      sweepId: "gpus",
      outDir,
      gpus: [3, 5],
      workerArgs: ["--fake-runner", "150"],
      workerEnv: FAULTS,
      heartbeatMs: 500,
      pollMs: 300,
      environment: ENV,
    });
    const devices = new Set((res.workers as { device: string }[]).map((w) => w.device));
    assert.deepEqual([...devices].sort(), ["gpu 3", "gpu 5"]);
    for (const r of res.results) {
      const env = r.runnerEnv as Record<string, string>;
      assert.equal(`gpu ${env.CUDA_VISIBLE_DEVICES}`, r.worker.device);
    }
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
});

Deno.test("orderGroupedInterleaved: ascending within a group, groups interleaved heaviest first", () => {
  const t = (seqLen: number) =>
    parseCase({ model: "equivariant-transformer", pass: "forward", seqLen, backend: "cpu" });
  const h = (seqLen: number) =>
    parseCase({ model: "se3-hyena", pass: "forward", seqLen, backend: "cpu" });
  const order = orderGroupedInterleaved([h(4096), h(1024), h(2048), t(8192), t(4096)]);
  assert.deepEqual(
    order.map((c) => `${c.model[0]}${c.seqLen}`),
    // The transformer's N² attention makes its group the heaviest, though it has fewer cases.
    ["e4096", "s1024", "e8192", "s2048", "s4096"],
  );
  // The lighter group first when it is the heavier one in total.
  assert.deepEqual(
    orderGroupedInterleaved([t(64), h(1024), h(2048)]).map((c) => `${c.model[0]}${c.seqLen}`),
    ["s1024", "e64", "s2048"],
  );
});

Deno.test("distributed skip-after-OOM: a fake OOM at N → larger N of that group are recorded skipped, not run", async () => {
  const server = await startNatsServer();
  const outDir = await Deno.makeTempDir();
  const nc = await connectNats({ servers: server.url });
  const stop = new AbortController();
  try {
    const group = (pass: "forward" | "backward") =>
      [32, 64, 128, 256, 512].map((seqLen) =>
        parseCase({ model: "se3-hyena", pass, seqLen, backend: "cpu" })
      );
    const cases = [...group("forward"), ...group("backward")];
    const ran: string[] = [];
    // forward runs out of memory from N = 128 on; backward never does.
    const runner: RunCaseFn = (c) => {
      ran.push(`${c.pass} ${c.seqLen}`);
      const oom = c.pass === "forward" && c.seqLen >= 128;
      return Promise.resolve(
        oom
          ? { ...syntheticResult(c, "oom", 0), oomAt: c.seqLen }
          : syntheticResult(c, "ok", c.seqLen / 10),
      );
    };
    const worker = runWorker(nc, {
      runCase: runner,
      sweep: "skip",
      signal: stop.signal,
      log: () => {},
    });
    const res = await runDistributedSweep({
      cases,
      sweepId: "skip",
      outDir,
      nats: server.url,
      workers: 0,
      environment: ENV,
      pollMs: 300,
    });
    stop.abort();
    const stats = await worker;
    assert.deepEqual(
      ran.sort(),
      [
        "backward 128",
        "backward 256",
        "backward 32",
        "backward 512",
        "backward 64",
        "forward 128",
        "forward 32",
        "forward 64",
      ],
      "forward 256 and 512 were not run",
    );
    assert.equal(stats.skippedPastLimit, 2);
    const row = (pass: string, n: number) =>
      res.results.find((r) => r.case.pass === pass && r.case.seqLen === n)!;
    assert.equal(res.results.length, cases.length);
    assert.equal(row("forward", 128).status, "oom");
    assert.equal(row("forward", 128).skipped, undefined);
    for (const n of [256, 512]) {
      const r = row("forward", n);
      assert.equal(r.status, "skipped");
      assert.equal(r.skippedAfter, "oom");
      assert.equal(r.skipped, true);
      assert.equal(r.oomAt, 128);
      assert.equal(r.timeMs, null);
      assert.match(r.error!, /skipped: se3-hyena forward ran out of memory at seqLen 128/);
      assert.ok(r.worker.id, "the skip names the worker that recorded it");
    }
    assert.ok([32, 64, 128, 256, 512].every((n) => row("backward", n).status === "ok"));
  } finally {
    stop.abort();
    await nc.close();
    await server.stop();
    await Deno.remove(outDir, { recursive: true });
  }
});

Deno.test("distributed skip-after-OOM with two worker processes (embedded server, fake runner, fault oom)", async () => {
  const outDir = await Deno.makeTempDir();
  Deno.env.set("SE3_HYENA_TEST_FAULTS", "1"); // the `fault` field is test-only
  try {
    const lengths = [32, 64, 128, 256];
    const oomGroup = lengths.map((seqLen) =>
      parseCase({ model: "se3-hyena", pass: "forward", seqLen, backend: "cpu", fault: "oom" })
    );
    const okGroup = mkCases(4);
    const started: string[] = [];
    const res = await runDistributedSweep({
      cases: [...oomGroup, ...okGroup],
      sweepId: "skip2",
      outDir,
      workers: 2,
      workerArgs: ["--fake-runner", "300"],
      workerEnv: FAULTS,
      heartbeatMs: 300,
      pollMs: 300,
      environment: ENV,
      onEvent: (e) => {
        if (e.type === "case-started") started.push(e.caseId);
      },
    });
    assert.equal(res.results.length, 8);
    assert.equal(new Set(res.results.map((r) => r.id)).size, 8);
    const byLen = new Map(res.results.filter((r) => r.case.fault).map((r) => [r.case.seqLen, r]));
    assert.equal(byLen.get(32)!.status, "oom");
    for (const n of [128, 256]) assert.equal(byLen.get(n)!.status, "skipped");
    assert.equal(byLen.get(32)!.skipped, undefined, "the smallest length ran");
    // 64 may have started while 32 was still running on the other worker; 128 and 256 not.
    for (const n of [128, 256]) {
      const r = byLen.get(n)!;
      assert.equal(r.skipped, true, `N=${n} skipped`);
      assert.equal(r.oomAt, 32);
      assert.ok(!started.includes(r.id), `N=${n} never started`);
    }
    assert.ok(res.results.filter((r) => !r.case.fault).every((r) => r.status === "ok"));
  } finally {
    Deno.env.delete("SE3_HYENA_TEST_FAULTS");
    await Deno.remove(outDir, { recursive: true });
  }
});

Deno.test("distributed: with no worker the coordinator says so (naming the worker command) and keeps waiting until aborted", async () => {
  const server = await startNatsServer();
  const outDir = await Deno.makeTempDir();
  const stop = new AbortController();
  const logs: string[] = [];
  try {
    const sweep = runDistributedSweep({
      cases: mkCases(2),
      sweepId: "lonely",
      outDir,
      nats: server.url,
      workers: 0,
      environment: ENV,
      pollMs: 50,
      noWorkerWarnMs: 300,
      signal: stop.signal,
      onEvent: (e) => {
        if (e.type === "log") logs.push(e.message);
        if (logs.length === 2) stop.abort();
      },
    });
    await assert.rejects(sweep, /sweep aborted/);
    assert.equal(logs.length, 2, logs.join("\n"));
    for (const line of logs) {
      assert.match(
        line,
        /^no worker has been heard from for \d+ s and 2 cases are waiting; start one with: deno task worker --nats nats:\/\/127\.0\.0\.1:\d+ --sweep lonely /,
      );
    }
    const saved = await readResults(`${outDir}/lonely/results.json`);
    assert.equal(saved?.results.length, 0);
  } finally {
    stop.abort();
    await server.stop();
    await Deno.remove(outDir, { recursive: true });
  }
});
