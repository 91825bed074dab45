/**
 * The coordinator of a distributed sweep over NATS JetStream.
 *
 * {@link runDistributedSweep} publishes cases to the sweep's work-queue stream, collects
 * results from the results stream (validated — schema, size, id = subject = a case of
 * this sweep — and deduplicated by case id: the first valid result wins) and writes
 * `<outDir>/<sweepId>/results.json` (durably: fsynced) after every new result, in the same
 * format as a local sweep, plus `workers`, `timeline`, `distributed` and `finishedAt`.
 *
 * Embedded mode (no `nats` URL): it starts its own `nats-server` (JetStream, loopback,
 * free port, a random token) with its storage in `<outDir>/<sweepId>/.nats/`, and its
 * own worker processes; it stops both at the end. The storage stays where it is while a
 * sweep is unfinished, so `resume: true` restarts the server on the same storage: the
 * results stream and the queued work survive a coordinator crash. A finished sweep
 * removes `.nats/` only after its final results.json was written, synced and read back
 * (until then the store is the other copy of every result). A results.json that cannot be
 * written stops the sweep with the `--resume` command, store kept. A fresh (non-resume)
 * run deletes any previous `.nats/` and the sweep's streams first. The embedded server is
 * supervised (src/nats/embedded_server.ts): killed, it is restarted on its store. A lost
 * connection (either mode) is reported within seconds (pings every `pingIntervalMs`).
 *
 * Failure handling:
 * - A worker that dies mid-case leaves its message unacked: JetStream redelivers it after
 *   the ack wait (`ackWaitMs`); workers send in-progress acks while a case runs.
 * - After `maxDeliver` deliveries JetStream gives up. The coordinator polls the consumers:
 *   when nothing is pending or in flight for two polls in a row but cases are unresolved,
 *   it looks each one up in the results stream and records the rest as `failed`. The
 *   max-deliveries advisory (`$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.<stream>.*`)
 *   only triggers that check at once: anyone with the credentials can forge one.
 * - Local workers that exit are restarted (a case that crashes its worker must not stop
 *   the sweep); a worker that keeps dying right after start fails the sweep.
 *
 * Scheduling and skip-after-OOM (harness.md §3). The work queue hands cases out in the
 * order they are published; the default order is {@link orderGroupedInterleaved}: each
 * group (a case without its length: model, pass, backend, preset, batch, attention, …)
 * in ascending length, groups interleaved round by round, heaviest group first in each
 * round. Ascending lengths are what make skip-after-OOM work: workers share, per group
 * and device class, the smallest length that ran out of memory (or timed out) in the
 * sweep's KV bucket (src/nats/failure_limits.ts) and record larger lengths as skipped
 * (`skipped`, `skippedAfter`, `oomAt`) instead of running them, exactly as a local sweep
 * does. Interleaving puts different groups on concurrent workers, so a length is rarely
 * running while a smaller one of its own group is still undecided (which would run it
 * for nothing), and the heaviest groups' long chains start first, which shortens the
 * makespan. Pure largest-first (`order: "largest-first"`) balances workers best on
 * paper, but starts with exactly the cases most likely to run out of memory and so
 * defeats the skipping; it stays available for sweeps without memory limits.
 *
 * @module
 */
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { ConsumerMessages, JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import type { Case, CaseResult, Environment, SweepResults } from "../results.ts";
import { parseCase } from "../case/schema.ts";
import { caseId } from "../case/id.ts";
import { collectEnvironment } from "../environment.ts";
import { ResultsFile } from "../sweep/results_file.ts";
import { emptyResult } from "../runner/result.ts";
import { orderCases, type SweepEvent, type SweepOrder } from "../sweep/engine.ts";
import { connectNats, type NatsAuth, redact } from "./connection.ts";
import { killStaleServer } from "./server.ts";
import { type EmbeddedServer, randomToken, startEmbeddedServer } from "./embedded_server.ts";
import { startLocalWorkers, type WorkerSlot } from "./local_workers.ts";
import {
  checkSweepId,
  consumerName,
  encodeResultMessage,
  encodeWorkMessage,
  ensureSweepStreams,
  limitsStream,
  maxDeliveriesAdvisory,
  parseResultMessage,
  parseWorkerEvent,
  parseWorkMessage,
  resultMsgId,
  streamNames,
  subjects,
  WORK_BACKENDS,
  type WorkBackend,
  workBackendOf,
  type WorkerEvent,
} from "./protocol.ts";

export { orderGroupedInterleaved, type SweepEvent } from "../sweep/engine.ts";

/** Options of {@link runDistributedSweep}. */
export interface DistributedSweepOptions {
  /** The cases (validated with `parseCase` again here; duplicates by id run once). */
  cases: Case[];
  /** Sweep id: `[A-Za-z0-9_-]{1,64}`; names the subjects, streams and output folder. */
  sweepId: string;
  /** Results go to `<outDir>/<sweepId>/results.json`. */
  outDir: string;
  /** NATS URL of an existing cluster. Default: start an embedded server. */
  nats?: string;
  /** Authentication for `nats` (ignored in embedded mode, which makes its own token). */
  auth?: NatsAuth;
  /** Local worker processes to start. Default: one per entry of `gpus`, else 1. `0` starts none. */
  workers?: number;
  /** GPU indices: local worker i gets `--gpu gpus[i % n]` and `CUDA_VISIBLE_DEVICES`. */
  gpus?: number[];
  /** `--backend` for local workers. Default: any backend. */
  backend?: WorkBackend;
  /** Deliveries of a case before it is recorded `failed`. Default 3. */
  maxDeliver?: number;
  /** Redelivery after this long without an (in-progress) ack, ms. Default 30000. */
  ackWaitMs?: number;
  /** Continue an interrupted sweep: keep results.json and the streams; skip finished and queued cases. */
  resume?: boolean;
  /** Live events (workers, cases). */
  onEvent?: (e: SweepEvent) => void;
  /** Memory budget passed to local workers' runner, bytes. */
  memoryBudgetBytes?: number;
  /** Extra arguments for local workers (e.g. the test-only `--fake-runner <ms>`). */
  workerArgs?: string[];
  /** Extra environment for local workers. */
  workerEnv?: Record<string, string>;
  /** Worker heartbeat interval, ms. Default 5000. */
  heartbeatMs?: number;
  /** Wait (up to this long, ms) for all local workers to announce before publishing work. Default 120000; 0: don't wait. */
  waitForWorkersMs?: number;
  /** Environment recorded in results.json. Default: `collectEnvironment()`. */
  environment?: Environment;
  /** Preset name recorded in results.json. */
  preset?: string;
  /** Extra top-level fields for results.json (e.g. `scaling`). */
  extra?: Record<string, unknown>;
  /** Abort the sweep (local workers and embedded server are stopped; storage kept for resume). */
  signal?: AbortSignal;
  /**
   * Publishing order (see the module doc): `"grouped"` (default; ascending lengths within a
   * group, groups interleaved heaviest first), `"given"`, or `"largest-first"`.
   */
  order?: SweepOrder;
  /** Poll interval of the stall check, ms. Default 1000. */
  pollMs?: number;
  /** The coordinator pings the server this often, ms (a lost server is noticed within ~3). Default 2000. */
  pingIntervalMs?: number;
  /**
   * While cases are queued but no worker has been heard from for this long, say so (a
   * `log` event naming the command that starts a worker), again every such interval. The
   * sweep keeps waiting: workers of a cluster may join late. Default 30000 ms.
   */
  noWorkerWarnMs?: number;
}

/** Per-run timing, stored as `distributed` in results.json. */
export interface DistributedInfo {
  nats: string;
  embedded: boolean;
  maxDeliver: number;
  ackWaitMs: number;
  localWorkers: number;
  /** From the first work message published to the last result recorded, ms. */
  makespanMs: number;
  /** Cases actually queued in this run (not skipped as done/queued by a previous run). */
  queued: number;
  /** NATS messages the coordinator received and sent in this run (its connection's counters). */
  messages?: { in: number; out: number };
}

/**
 * At most this many workers are tracked (shown, stored in results.json), the ones heard
 * from most recently: anyone with the credentials could announce thousands.
 */
export const MAX_WORKERS = 256;

/** A worker seen during the sweep (last announcement/heartbeat). */
type WorkerRow = Omit<WorkerEvent, "v" | "type">;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs a sweep over NATS: publishes the cases, lets workers run them, collects results
 * into `<outDir>/<sweepId>/results.json`, and returns the {@link SweepResults}.
 * See the module documentation for embedded mode, resume and failure handling.
 */
export async function runDistributedSweep(opts: DistributedSweepOptions): Promise<SweepResults> {
  checkSweepId(opts.sweepId);
  const sweepId = opts.sweepId;
  const maxDeliver = opts.maxDeliver ?? 3;
  const ackWaitMs = opts.ackWaitMs ?? 30_000;
  const pollMs = opts.pollMs ?? 1000;
  const emit = (e: SweepEvent) => {
    try {
      opts.onEvent?.(e);
    } catch { /* a broken view must not break the sweep */ }
  };

  // Validate every case and compute ids before touching anything.
  const byId = new Map<string, { c: Case; index: number; data: Uint8Array }>();
  opts.cases.forEach((raw, i) => {
    const c = parseCase(raw, `cases[${i}]`);
    const id = caseId(c);
    if (!byId.has(id)) byId.set(id, { c, index: i, data: encodeWorkMessage(sweepId, id, c) });
  });
  const total = byId.size;
  // Local workers serve one backend when told to, or when every case has the same one
  // (a worker that serves several backends polls them in turn, which adds latency).
  const caseBackends = new Set([...byId.values()].map((v) => workBackendOf(v.c)));
  const localBackend = opts.backend ??
    (caseBackends.size === 1 ? [...caseBackends][0] as WorkBackend : undefined);
  if (opts.backend && opts.nats === undefined) {
    const other = [...byId.values()].find((v) => workBackendOf(v.c) !== opts.backend);
    if (other) {
      throw new Error(
        `backend: the embedded sweep's workers take only ${opts.backend} cases, but cases[${other.index}] ` +
          `has backend ${workBackendOf(other.c)}`,
      );
    }
  }

  if (opts.nats === undefined && opts.workers === 0) {
    throw new Error(
      "workers: 0 with the embedded nats-server would wait forever (no outside worker can join it); " +
        "start at least one local worker, or give a nats URL",
    );
  }
  const dir = `${opts.outDir}/${sweepId}`;
  const storeDir = `${dir}/.nats`;
  const pidFile = `${storeDir}/server.pid`;
  await Deno.mkdir(dir, { recursive: true });

  let file: ResultsFile | undefined;
  let previous: SweepResults | undefined;
  if (opts.resume) {
    try {
      await Deno.stat(`${dir}/results.json`);
      file = await ResultsFile.open(dir);
      previous = structuredClone(file.data);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  const results = new Map<string, CaseResult>();
  // Rows of results.json that are not cases of this run are kept as they are: a stored
  // result is never dropped (the CLI refuses a resume whose definition differs).
  const foreign: CaseResult[] = [];
  for (const r of previous?.results ?? []) {
    if (byId.has(r.id)) results.set(r.id, r);
    else foreign.push(r);
  }
  const workers = new Map<string, WorkerRow>();
  let lastWorkerEvent = 0; // performance.now() of the latest worker event this run
  for (const w of (previous?.workers as WorkerRow[] | undefined) ?? []) workers.set(w.workerId, w);
  const timeline: Array<
    { caseId: string; workerId: string; startedAt: string; finishedAt?: string; status?: string }
  > = [...((previous?.timeline as typeof timeline | undefined) ?? [])];
  const environment = opts.environment ?? await collectEnvironment();
  const createdAt = previous?.createdAt ?? new Date().toISOString();
  file ??= await ResultsFile.create(dir, { sweepId, environment });
  const out = file;
  let flushing: Promise<void> | undefined;
  let dirty = false;

  let server: EmbeddedServer | undefined;
  let nc: NatsConnection | undefined;
  let local: ReturnType<typeof startLocalWorkers> | undefined;
  const subs: Array<Subscription | ConsumerMessages> = [];
  let completed = false;
  let publishStart = 0;
  let makespanMs = 0;
  // A resumed sweep's makespan adds this run's to the earlier runs' (time between runs,
  // when nothing ran, is not counted).
  const previousMakespanMs = Number(
    (previous?.distributed as DistributedInfo | undefined)
      ?.makespanMs,
  ) || 0;
  let finishedAt: string | undefined;
  let queued = 0;
  let url = opts.nats ?? "";
  const embedded = opts.nats === undefined;
  const localCount = opts.workers ?? (opts.gpus?.length ? opts.gpus.length : 1);

  const snapshot = (): SweepResults => {
    const rows = [
      ...[...results.values()].sort((a, b) =>
        (byId.get(a.id)?.index ?? 0) - (byId.get(b.id)?.index ?? 0)
      ),
      ...foreign,
    ];
    const distributed: DistributedInfo = {
      nats: embedded ? "embedded" : redact(url, opts.auth),
      embedded,
      maxDeliver,
      ackWaitMs,
      localWorkers: localCount,
      makespanMs: previousMakespanMs + makespanMs,
      queued,
      ...(nc ? { messages: { in: nc.stats().inMsgs, out: nc.stats().outMsgs } } : {}),
    };
    return {
      ...previous,
      sweepId,
      createdAt,
      ...(opts.preset ?? previous?.preset ? { preset: opts.preset ?? previous?.preset } : {}),
      environment,
      results: rows,
      workers: [...workers.values()],
      timeline,
      distributed,
      ...opts.extra,
      ...(completed ? { finishedAt: finishedAt ??= new Date().toISOString() } : {}),
    };
  };
  /** Writes results.json (and results.csv) with the latest state; one write at a time. */
  const save = (): Promise<void> => {
    dirty = true;
    flushing ??= (async () => {
      try {
        while (dirty) {
          dirty = false;
          const snap = snapshot();
          for (const k of Object.keys(out.data)) delete out.data[k];
          Object.assign(out.data, snap);
          await out.flush();
        }
      } finally {
        flushing = undefined;
      }
    })();
    return flushing;
  };
  const flushAll = async () => {
    while (flushing) await flushing.catch(() => {});
  };
  // A results.json that cannot be written (disk full, read-only) stops the sweep: the
  // results stay in the JetStream store, which is then kept, and the error says how to
  // continue. Running more cases whose results could not be saved would only add risk.
  let writeFailed: Error | undefined;
  let rejectWrite!: (e: Error) => void;
  const writeFailure = new Promise<never>((_, reject) => (rejectWrite = reject));
  writeFailure.catch(() => {});
  const onWriteError = (e: Error) => {
    if (writeFailed) return;
    writeFailed = new Error(
      `${e.message}; the sweep stopped. Every result received is kept in the ` +
        `${
          embedded
            ? `JetStream store ${storeDir}`
            : `results stream ${streamNames(sweepId).results}`
        }; free the space (or fix the folder) and continue with: deno task sweep --resume ${sweepId}` +
        (opts.outDir === "reports" ? "" : ` --out ${opts.outDir}`),
      { cause: e },
    );
    emit({ type: "log", message: `error: ${writeFailed.message}` });
    rejectWrite(writeFailed);
  };
  /** Set once the final results.json is written, synced and re-read: the store may go. */
  let stored = false;
  let removeDir = false;

  /** performance.now() when the connection to the server was lost; undefined while connected. */
  let lostSince: number | undefined;
  /** Says at once when the connection to the server goes and comes back. */
  const watchConnection = (conn: NatsConnection) => {
    (async () => {
      for await (const st of conn.status()) {
        if (st.type === "disconnect" && lostSince === undefined) {
          lostSince = performance.now();
          emit({
            type: "log",
            message: `lost the connection to the nats-server (${
              embedded ? "embedded" : redact(url, opts.auth)
            }): server unreachable; waiting for it to come back (results so far are saved)`,
          });
        } else if (st.type === "reconnect" && lostSince !== undefined) {
          emit({
            type: "log",
            message: `reconnected to the nats-server after ${
              ((performance.now() - lostSince) / 1000).toFixed(1)
            } s`,
          });
          lostSince = undefined;
        }
      }
    })().catch(() => {});
  };
  let wakeUp: (() => void) | undefined;
  /** Makes the watchdog loop look at the consumers now instead of after `pollMs`. */
  const wake = () => wakeUp?.();
  let resolveDone!: () => void;
  const allDone = new Promise<void>((r) => (resolveDone = r));
  const checkDone = () => {
    if (results.size >= total) {
      if (publishStart && !makespanMs) makespanMs = performance.now() - publishStart;
      resolveDone();
    }
  };

  let ignored = 0;
  /**
   * Validates a message from the results stream and records it: a valid result of a case
   * of this sweep, whose subject names it. Anything else is logged (the first 20) and
   * ignored. Returns whether the case now has a recorded result.
   */
  const accept = (data: Uint8Array, subject: string): boolean => {
    const p = parseResultMessage(data, subject);
    const reason = !p.ok
      ? p.reason
      : !byId.has(p.value.id)
      ? `id: ${p.value.id} is not a case of sweep ${sweepId}`
      : undefined;
    if (!p.ok || reason !== undefined) {
      if (++ignored <= 20) {
        emit({
          type: "log",
          message: `ignored a message on ${subject.slice(0, 120)}: ${reason}${
            ignored === 20 ? " (further ones are not logged)" : ""
          }`,
        });
      }
      return false;
    }
    // The sweep's own case object (equal by id; the message's copy may carry extra keys' order).
    record({ ...p.value, case: byId.get(p.value.id)!.c });
    return results.has(p.value.id);
  };

  const record = (r: CaseResult): boolean => {
    if (!byId.has(r.id)) return false; // unknown
    // Duplicates: the first result wins, except that a real result arriving late (a worker
    // that was only slow) replaces the `failed` the coordinator recorded when it gave up.
    const had = results.get(r.id);
    if (had && !(had.status === "failed" && r.status !== "failed")) return false;
    results.set(r.id, r);
    const t = timeline.findLast((e) => e.caseId === r.id && e.finishedAt === undefined);
    if (t) {
      t.finishedAt = r.finishedAt ?? new Date().toISOString();
      t.status = r.status;
    }
    if (r.status === "failed") {
      emit({
        type: "case-failed",
        caseId: r.id,
        reason: r.error ?? "failed",
        done: results.size,
        total,
      });
    } else {
      emit({ type: "case-finished", result: r, done: results.size, total });
    }
    save().catch(onWriteError);
    checkDone();
    return true;
  };

  const failedResult = (id: string, reason: string): CaseResult => {
    return {
      ...emptyResult(byId.get(id)!.c, "failed", { error: reason }),
      finishedAt: new Date().toISOString(),
    };
  };

  let rejectServer!: (e: Error) => void;
  const serverFailure = new Promise<never>((_, reject) => (rejectServer = reject));
  serverFailure.catch(() => {});
  const stopAll = async () => {
    for (const s of subs) {
      try {
        if ("unsubscribe" in s) s.unsubscribe();
        else await s.close();
      } catch { /* already closed */ }
    }
    if (local) await local.stop().catch(() => {});
    if (nc) {
      if (stored && !embedded) {
        // The work queue of a finished sweep is empty: remove it so `--sweep all` workers drop it.
        try {
          const jsm = await jetstreamManager(nc);
          await jsm.streams.delete(streamNames(sweepId).work);
          await jsm.streams.delete(limitsStream(sweepId));
        } catch { /* best effort */ }
      }
      // drain() waits for the server; an unreachable cluster would hold shutdown forever.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timely = await Promise.race([
        nc.drain().then(() => true).catch(() => false),
        new Promise<boolean>((r) => timer = setTimeout(() => r(false), 5000)),
      ]);
      clearTimeout(timer);
      if (!timely) await nc.close().catch(() => {});
    }
    if (server) await server.stop();
    await flushAll();
    // The store is the second copy of every result: it goes only after the final
    // results.json was written, synced and read back.
    if (stored && embedded) await Deno.remove(storeDir, { recursive: true }).catch(() => {});
  };

  try {
    // 1. The server.
    let auth = opts.auth;
    const workerEnv: Record<string, string> = { ...opts.workerEnv };
    if (embedded) {
      if (opts.resume) {
        if (await killStaleServer(pidFile)) {
          emit({
            type: "log",
            message: "killed the nats-server left running by the crashed coordinator",
          });
        }
      } else {
        await Deno.remove(storeDir, { recursive: true }).catch(() => {});
      }
      const token = randomToken();
      server = await startEmbeddedServer({
        storeDir,
        token,
        pidFile,
        onLog: (message) => emit({ type: "log", message }),
        onFatal: (reason) =>
          rejectServer(
            new Error(
              `${reason}; its store ${storeDir} is kept: continue with ` +
                `deno task sweep --resume ${sweepId}`,
            ),
          ),
      });
      url = server.url;
      auth = { token };
      workerEnv.NATS_TOKEN = token;
    } else {
      if (opts.auth?.token !== undefined) workerEnv.NATS_TOKEN = opts.auth.token;
      if (opts.auth?.user !== undefined) workerEnv.NATS_USER = opts.auth.user;
      if (opts.auth?.pass !== undefined) workerEnv.NATS_PASSWORD = opts.auth.pass;
    }
    emit({ type: "server", url: redact(url, auth), embedded });
    nc = await connectNats({
      servers: url,
      auth,
      name: `se3h-coordinator-${sweepId}`,
      pingIntervalMs: opts.pingIntervalMs ?? 2000,
    });
    watchConnection(nc);
    const jsm: JetStreamManager = await jetstreamManager(nc);
    const js: JetStreamClient = jetstream(nc);
    const names = streamNames(sweepId);
    const subj = subjects(sweepId);

    // 2. Streams (a fresh run starts from empty streams).
    if (!opts.resume) {
      for (const s of [names.work, names.results, limitsStream(sweepId)]) {
        await jsm.streams.delete(s).catch(() => false);
      }
    }
    await ensureSweepStreams(jsm, sweepId, { ackWaitMs, maxDeliver });

    // 3. Listen: worker events, max-deliveries advisories, results.
    let tooManyWorkers = false;
    const workerSub = nc.subscribe(subj.workersAll);
    subs.push(workerSub);
    (async () => {
      for await (const m of workerSub) {
        const p = parseWorkerEvent(m.data);
        if (!p.ok) {
          emit({ type: "log", message: `ignored worker event on ${m.subject}: ${p.reason}` });
          continue;
        }
        const { v: _v, type, ...row } = p.value;
        // Least recently heard first: a flood of announcements evicts itself, while real
        // workers, which heartbeat, come back at their next beat.
        workers.delete(row.workerId);
        if (workers.size >= MAX_WORKERS) {
          workers.delete(workers.keys().next().value!);
          if (!tooManyWorkers) {
            tooManyWorkers = true;
            emit({
              type: "log",
              message: `more than ${MAX_WORKERS} workers announced: keeping the ${MAX_WORKERS} ` +
                `heard from most recently`,
            });
          }
        }
        lastWorkerEvent = performance.now();
        workers.set(
          row.workerId,
          type === "finished" || type === "bye" ? { ...row, caseId: undefined } : row,
        );
        if (
          type === "started" && row.caseId && byId.has(row.caseId) &&
          timeline.length < 20 * total + 1000 // bounded, whatever gets published
        ) {
          timeline.push({ caseId: row.caseId, workerId: row.workerId, startedAt: row.time });
          emit({
            type: "case-started",
            caseId: row.caseId,
            workerId: row.workerId,
            delivery: row.delivery ?? 1,
          });
        }
        emit({ type: "worker", worker: p.value });
      }
    })();

    const failCase = async (id: string, reason: string) => {
      if (results.has(id)) return;
      const r = failedResult(id, reason);
      record(r);
      // Make it durable (resume skips it); the msg id keeps a late real result from doubling it.
      try {
        await js.publish(subj.result(id), encodeResultMessage(r), {
          msgID: resultMsgId(id, "coordinator", 0),
        });
      } catch (e) {
        emit({
          type: "log",
          message: `publishing failed result of ${id}: ${(e as Error).message}`,
        });
      }
    };

    // A max-deliveries advisory is only a hint (anyone with the credentials can publish
    // one): it makes the watchdog below look at the consumers' state now, and a case is
    // failed only when that state shows no pending or in-flight delivery left.
    const advisorySub = nc.subscribe(maxDeliveriesAdvisory(sweepId));
    subs.push(advisorySub);
    (async () => {
      for await (const _m of advisorySub) wake();
    })();

    const resultsConsumer = await js.consumers.get(names.results); // ordered consumer from the start
    const resultMsgs = await resultsConsumer.consume();
    subs.push(resultMsgs);
    (async () => {
      for await (const m of resultMsgs) accept(m.data, m.subject);
    })();

    // 4. Resume: what is already done (results stream) or still queued (work stream)?
    const alreadyQueued = new Set<string>();
    if (opts.resume) {
      for (const id of byId.keys()) {
        if (results.has(id)) continue;
        const m = await jsm.streams.getMessage(names.results, { last_by_subj: subj.result(id) })
          .catch(() => null);
        if (m) accept(m.data, m.subject);
      }
      const st = (await jsm.streams.info(names.work)).state;
      if (st.messages > 0) {
        for (let seq = st.first_seq; seq <= st.last_seq; seq++) {
          const m = await jsm.streams.getMessage(names.work, { seq }).catch(() => null);
          if (!m) continue;
          const w = parseWorkMessage(m.data, sweepId);
          if (w.ok) alreadyQueued.add(w.value.id);
        }
      }
    }
    await save().catch((e) => {
      onWriteError(e);
      throw writeFailed;
    });

    // 5. Local workers.
    if (localCount > 0) {
      const slots: WorkerSlot[] = Array.from(
        { length: localCount },
        (_, i) => opts.gpus?.length ? { gpu: opts.gpus[i % opts.gpus.length] } : {},
      );
      local = startLocalWorkers({
        natsUrl: url,
        sweepId,
        slots,
        backend: localBackend,
        env: workerEnv,
        args: opts.workerArgs,
        heartbeatMs: opts.heartbeatMs,
        memoryBudgetBytes: opts.memoryBudgetBytes,
        onLine: (slot, line) =>
          emit({ type: "log", message: `worker[${slot}] ${redact(line, auth)}` }),
        onExit: (slot, pid, code, restarting) =>
          emit({ type: "worker-exit", slot, pid, code, restarting }),
      });
      const waitMs = opts.waitForWorkersMs ?? 120_000;
      const deadline = performance.now() + waitMs;
      const announced = () => {
        const pids = new Set(local!.pids());
        return [...workers.values()].filter((w) => pids.has(w.pid)).length;
      };
      while (waitMs > 0 && announced() < localCount && performance.now() < deadline) {
        await Promise.race([sleep(50), local.failed]);
      }
    }

    // 6. Publish the work.
    const pending = [...byId.values()].filter((v) =>
      !results.has(caseId(v.c)) && !alreadyQueued.has(caseId(v.c))
    );
    const rank = new Map(
      orderCases(pending.map((v) => v.c), opts.order ?? "grouped").map((c, i) => [c, i]),
    );
    const todo = pending.sort((a, b) => rank.get(a.c)! - rank.get(b.c)!).map((v) =>
      [caseId(v.c), v] as const
    );
    queued = todo.length;
    emit({
      type: "queued",
      total,
      queued: todo.length,
      alreadyDone: results.size,
      alreadyQueued: alreadyQueued.size,
    });
    publishStart = performance.now();
    for (const [, { c, data }] of todo) {
      await js.publish(subj.work(workBackendOf(c)), data);
    }
    checkDone();

    // 7. Wait, watching for cases that JetStream gave up on without us hearing the advisory.
    let stalls = 0;
    const aborted = new Promise<never>((_, reject) => {
      if (opts.signal?.aborted) reject(new Error("sweep aborted"));
      opts.signal?.addEventListener("abort", () => reject(new Error("sweep aborted")));
    });
    aborted.catch(() => {});
    const failures = [
      ...(local ? [local.failed] : []),
      aborted,
      writeFailure,
      serverFailure,
    ];
    const noWorkerWarnMs = opts.noWorkerWarnMs ?? 30_000;
    let warnedAt = publishStart;
    while (results.size < total) {
      const quietSince = Math.max(lastWorkerEvent, warnedAt);
      if (lostSince !== undefined) {
        if (performance.now() - Math.max(lostSince, warnedAt) >= 10_000) {
          warnedAt = performance.now();
          emit({
            type: "log",
            message: `the nats-server has been unreachable for ${
              Math.round((warnedAt - lostSince) / 1000)
            } s; still waiting (Ctrl-C stops the sweep; --resume ${sweepId} continues it)`,
          });
        }
      } else if (noWorkerWarnMs > 0 && performance.now() - quietSince >= noWorkerWarnMs) {
        warnedAt = performance.now();
        emit({
          type: "log",
          message:
            `no worker has been heard from for ${
              Math.round((warnedAt - Math.max(lastWorkerEvent, publishStart)) / 1000)
            } s and ${total - results.size} cases are waiting; start one with: deno task worker ` +
            `--nats ${embedded ? url : redact(url, opts.auth)} --sweep ${sweepId} ` +
            `(Ctrl-C stops the sweep; --resume ${sweepId} continues it)`,
        });
      }
      const tick = await Promise.race([
        allDone.then(() => "done" as const),
        sleep(pollMs),
        new Promise<void>((r) => (wakeUp = r)),
        ...failures,
      ]);
      if (tick === "done") break;
      try {
        let busy = 0;
        for (const b of WORK_BACKENDS) {
          const ci = await jsm.consumers.info(names.work, consumerName(b));
          busy += ci.num_pending + ci.num_ack_pending;
        }
        stalls = busy === 0 ? stalls + 1 : 0;
      } catch {
        stalls = 0; // server unreachable (restarting?): try again next poll
        continue;
      }
      if (stalls < 2) continue;
      for (const id of byId.keys()) {
        if (results.has(id)) continue;
        const m = await jsm.streams.getMessage(names.results, { last_by_subj: subj.result(id) })
          .catch(() => null);
        if (!m || !accept(m.data, m.subject)) {
          await failCase(
            id,
            `gave up: the work queue has no pending or in-flight delivery of this case ` +
              `(delivery limit ${maxDeliver} reached, or the message was rejected)`,
          );
        }
      }
    }
    if (!makespanMs) makespanMs = performance.now() - publishStart;
    if (writeFailed) throw writeFailed;
    completed = true;
    try {
      await flushAll();
      await save();
      await out.verify(results.keys());
    } catch (e) {
      onWriteError(e as Error);
      throw writeFailed;
    }
    stored = true;
    return snapshot();
  } catch (e) {
    // A fresh sweep that failed before any work was queued (NATS unreachable, say) leaves
    // nothing worth resuming: its folder goes, instead of an empty sweep lying around.
    if (!opts.resume && publishStart === 0 && results.size === 0) removeDir = true;
    throw e;
  } finally {
    await stopAll();
    await flushAll();
    if (removeDir) await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** One row of a scaling study. */
export interface ScalingRow {
  workers: number;
  /** The run's sweep id (`<sweepId>-w<workers>`). */
  sweepId: string;
  /** From the first work message published (all local workers announced) to the last result, ms. */
  makespanMs: number;
  throughputCasesPerMin: number;
  /** Throughput per worker relative to the first row's throughput per worker (1 = linear). */
  efficiency: number;
}

/**
 * Runs the same cases once per entry of `workerCounts` (1, 2, 4 … local workers; with
 * `gpus`, the first n GPUs), each as its own sweep `<sweepId>-w<n>`, and returns the
 * makespan, throughput and efficiency of each. It also writes
 * `<outDir>/<sweepId>/results.json` with the results of the first run (the fewest
 * concurrent workers, so the least disturbed timings) and the rows as `scaling`.
 */
export async function runScalingStudy(
  opts: DistributedSweepOptions & { workerCounts: number[] },
): Promise<{ scaling: ScalingRow[]; runs: SweepResults[] }> {
  checkSweepId(opts.sweepId);
  if (opts.workerCounts.length === 0) {
    throw new Error("workerCounts: expected at least one count, got []");
  }
  for (const n of opts.workerCounts) {
    if (!Number.isInteger(n) || n < 1) {
      throw new Error(`workerCounts: expected positive integers, got ${JSON.stringify(n)}`);
    }
    if (opts.gpus?.length && n > opts.gpus.length) {
      throw new Error(`workerCounts: ${n} workers but only ${opts.gpus.length} GPUs (--gpus)`);
    }
  }
  const { workerCounts, ...base } = opts;
  const scaling: ScalingRow[] = [];
  const runs: SweepResults[] = [];
  for (const n of workerCounts) {
    const sweepId = `${opts.sweepId}-w${n}`;
    checkSweepId(sweepId);
    const res = await runDistributedSweep({
      ...base,
      sweepId,
      resume: false,
      workers: n,
      gpus: opts.gpus?.slice(0, n),
    });
    runs.push(res);
    const makespanMs = (res.distributed as DistributedInfo).makespanMs;
    const throughput = makespanMs > 0 ? res.results.length / (makespanMs / 60_000) : 0;
    const basePerWorker = scaling.length
      ? scaling[0].throughputCasesPerMin / scaling[0].workers
      : throughput / n;
    scaling.push({
      workers: n,
      sweepId,
      makespanMs,
      throughputCasesPerMin: throughput,
      efficiency: basePerWorker > 0 ? throughput / n / basePerWorker : 0,
    });
  }
  const first = runs[0];
  const file = await ResultsFile.create(`${opts.outDir}/${opts.sweepId}`, {
    sweepId: opts.sweepId,
    environment: first.environment,
    ...(opts.preset ? { preset: opts.preset } : {}),
  });
  await file.set({
    ...opts.extra,
    results: first.results,
    workers: first.workers,
    timeline: first.timeline,
    distributed: first.distributed,
    scaling,
    scalingRuns: scaling.map((r) => r.sweepId),
    finishedAt: new Date().toISOString(),
  });
  return { scaling, runs };
}
