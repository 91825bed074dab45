/**
 * The coordinator of a distributed sweep over NATS JetStream: the sweep engine's NATS
 * executor (src/sweep/engine.ts orders the cases and owns the results sink and events;
 * the local executor is src/sweep/local.ts). Its parts: the embedded server
 * (embedded_server.ts), the work queue (work_queue.ts), the collector (collector.ts), the
 * worker table (worker_table.ts), the watchdog (watchdog.ts, with connection_watch.ts),
 * the snapshot writer (src/sweep/snapshot_writer.ts) and the scaling study (scaling.ts).
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
import { collectEnvironment } from "../environment.ts";
import { ResultsFile } from "../sweep/results_file.ts";
import { emptyResult } from "../runner/result.ts";
import {
  type ExecutionContext,
  ResultsSink,
  runSweep,
  safeEmitter,
  type SweepEvent,
  type SweepExecutor,
  type SweepOrder,
} from "../sweep/engine.ts";
import { SnapshotWriter } from "../sweep/snapshot_writer.ts";
import { connectNats, type NatsAuth, redact } from "./connection.ts";
import { authForChild } from "./auth.ts";
import { killStaleServer } from "./server.ts";
import { type EmbeddedServer, randomToken, startEmbeddedServer } from "./embedded_server.ts";
import { type LocalWorkers, startLocalWorkers } from "./local_workers.ts";
import { MAX_WORKERS } from "./worker_table.ts";
import { Collector } from "./collector.ts";
import { type ConnectionWatch, watchConnection } from "./connection_watch.ts";
import { Watchdog } from "./watchdog.ts";
import { WorkerTable } from "./worker_table.ts";
import {
  busyDeliveries,
  deleteFinishedQueue,
  deleteSweepStreams,
  publishWork,
  queuedCaseIds,
} from "./work_queue.ts";
import {
  checkSweepId,
  encodeResultMessage,
  ensureSweepStreams,
  maxDeliveriesAdvisory,
  parseWorkerEvent,
  resultMsgId,
  streamNames,
  subjects,
  type WorkBackend,
  workBackendOf,
} from "./protocol.ts";

export { orderGroupedInterleaved, type SweepEvent } from "../sweep/engine.ts";
export { MAX_WORKERS } from "./worker_table.ts";
export { runScalingStudy, type ScalingRow } from "./scaling.ts";

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

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs a sweep over NATS: publishes the cases, lets workers run them, collects results
 * into `<outDir>/<sweepId>/results.json`, and returns the {@link SweepResults}.
 * See the module documentation for embedded mode, resume and failure handling.
 */
export async function runDistributedSweep(opts: DistributedSweepOptions): Promise<SweepResults> {
  const plan = planDistributedSweep(opts);
  const run = await DistributedRun.open(opts, plan);
  return await run.run();
}

/** What {@link planDistributedSweep} checked and derived before anything is touched. */
interface Plan {
  cases: Case[];
  /** `--backend` of local workers (undefined: any). */
  localBackend?: WorkBackend;
  localCount: number;
  embedded: boolean;
}

/**
 * Validates the options and every case (before anything is started or written).
 * @throws Error naming the option or `cases[i]` and the value.
 */
function planDistributedSweep(opts: DistributedSweepOptions): Plan {
  checkSweepId(opts.sweepId);
  const cases = opts.cases.map((raw, i) => parseCase(raw, `cases[${i}]`));
  const embedded = opts.nats === undefined;
  // Local workers serve one backend when told to, or when every case has the same one
  // (a worker that serves several backends polls them in turn, which adds latency).
  const backends = new Set(cases.map(workBackendOf));
  const localBackend = opts.backend ?? (backends.size === 1 ? [...backends][0] : undefined);
  if (opts.backend && embedded) {
    const i = cases.findIndex((c) => workBackendOf(c) !== opts.backend);
    if (i >= 0) {
      throw new Error(
        `backend: the embedded sweep's workers take only ${opts.backend} cases, but cases[${i}] ` +
          `has backend ${workBackendOf(cases[i])}`,
      );
    }
  }
  if (embedded && opts.workers === 0) {
    throw new Error(
      "workers: 0 with the embedded nats-server would wait forever (no outside worker can join it); " +
        "start at least one local worker, or give a nats URL",
    );
  }
  const localCount = opts.workers ?? (opts.gpus?.length ? opts.gpus.length : 1);
  return { cases, localBackend, localCount, embedded };
}

/** The rejection of `signal` ("sweep aborted"), observed. */
function abortion(signal?: AbortSignal): Promise<never> {
  const p = new Promise<never>((_, reject) => {
    if (signal?.aborted) reject(new Error("sweep aborted"));
    signal?.addEventListener("abort", () => reject(new Error("sweep aborted")));
  });
  p.catch(() => {});
  return p;
}

/**
 * One run of a distributed sweep: the engine's NATS executor. Its parts: the embedded
 * server (src/nats/embedded_server.ts), the collector (src/nats/collector.ts), the worker
 * table, the watchdog, the snapshot writer and the work queue.
 */
class DistributedRun implements SweepExecutor {
  readonly emit: (e: SweepEvent) => void;
  readonly dir: string;
  readonly storeDir: string;
  readonly table: WorkerTable;
  readonly collector: Collector;
  readonly writer: SnapshotWriter;
  #server?: EmbeddedServer;
  #nc?: NatsConnection;
  #jsm?: JetStreamManager;
  #js?: JetStreamClient;
  #local?: LocalWorkers;
  #conn?: ConnectionWatch;
  #watchdog?: Watchdog;
  #subs: Array<Subscription | ConsumerMessages> = [];
  #url: string;
  #auth?: NatsAuth;
  /** How local workers authenticate (secrets in their environment, files as flags). */
  #childAuth: { env: Record<string, string>; args: string[] } = { env: {}, args: [] };
  #publishStart = 0;
  #makespanMs = 0;
  #queued = 0;
  #completed = false;
  #finishedAt?: string;
  /** Set once the final results.json is written, synced and re-read: the store may go. */
  #stored = false;
  readonly #createdAt: string;
  #rejectServer!: (e: Error) => void;
  readonly #serverFailure = new Promise<never>((_, reject) => (this.#rejectServer = reject));

  private constructor(
    readonly opts: DistributedSweepOptions,
    readonly plan: Plan,
    readonly sink: ResultsSink,
    readonly file: ResultsFile,
    readonly previous: SweepResults | undefined,
    readonly environment: Environment,
  ) {
    this.#serverFailure.catch(() => {});
    this.#createdAt = previous?.createdAt ?? file.data.createdAt ?? new Date().toISOString();
    this.emit = safeEmitter(opts.onEvent);
    this.dir = `${opts.outDir}/${opts.sweepId}`;
    this.storeDir = `${this.dir}/.nats`;
    this.#url = opts.nats ?? "";
    this.#auth = opts.auth;
    this.table = new WorkerTable((id) => sink.caseOf(id) !== undefined, 20 * sink.total + 1000, {
      workers: previous?.workers,
      timeline: previous?.timeline,
    });
    this.collector = new Collector(opts.sweepId, sink, this.emit);
    this.writer = new SnapshotWriter({
      file,
      snapshot: () => this.snapshot(),
      describeFailure: (e) => this.#writeFailure(e),
      onFailure: (e) => this.emit({ type: "log", message: `error: ${e.message}` }),
    });
    sink.onRecord((r) => {
      this.table.finished(r);
      this.writer.saveSoon();
      if (sink.complete && this.#publishStart && !this.#makespanMs) {
        this.#makespanMs = performance.now() - this.#publishStart;
      }
    });
  }

  /** Reads an earlier run's results.json (resume) and sets up the sink and the file. */
  static async open(opts: DistributedSweepOptions, plan: Plan): Promise<DistributedRun> {
    const dir = `${opts.outDir}/${opts.sweepId}`;
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
    // Rows of results.json that are not cases of this run are kept as they are (the sink's
    // foreign rows): a stored result is never dropped.
    const sink = new ResultsSink(plan.cases, previous?.results ?? []);
    const environment = opts.environment ?? await collectEnvironment();
    file ??= await ResultsFile.create(dir, { sweepId: opts.sweepId, environment });
    return new DistributedRun(opts, plan, sink, file, previous, environment);
  }

  /** Runs the sweep through the engine; the final results.json is written and checked. */
  async run(): Promise<SweepResults> {
    const { opts } = this;
    let removeDir = false;
    try {
      await runSweep({
        sink: this.sink,
        executor: this,
        order: opts.order ?? "grouped",
        onEvent: opts.onEvent,
        signal: opts.signal,
      });
      if (!this.#makespanMs) this.#makespanMs = performance.now() - this.#publishStart;
      if (this.writer.error) throw this.writer.error;
      this.#completed = true;
      await this.writer.finish(this.sink.ids());
      this.#stored = true;
      return this.snapshot();
    } catch (e) {
      // A fresh sweep that failed before any work was queued (NATS unreachable, say) leaves
      // nothing worth resuming: its folder goes, instead of an empty sweep lying around.
      removeDir = !opts.resume && this.#publishStart === 0 && this.sink.size === 0;
      throw e;
    } finally {
      await this.stop();
      await this.writer.settle();
      if (removeDir) await Deno.remove(this.dir, { recursive: true }).catch(() => {});
    }
  }

  /** The NATS executor: server, streams, listeners, workers, publish, wait. */
  async execute(todo: readonly Case[], _ctx: ExecutionContext): Promise<void> {
    await this.#startServer();
    await this.#connect();
    await this.#listen();
    const alreadyQueued = this.opts.resume ? await this.#recover() : new Set<string>();
    await this.writer.save().catch((e) => {
      throw this.writer.fail(e);
    });
    await this.#startWorkers();
    await this.#publish(todo, alreadyQueued);
    await this.#watch();
  }

  /** The write error the sweep stops with: where the results still are, how to go on. */
  #writeFailure(e: Error): Error {
    const { opts } = this;
    const where = this.plan.embedded
      ? `JetStream store ${this.storeDir}`
      : `results stream ${streamNames(opts.sweepId).results}`;
    return new Error(
      `${e.message}; the sweep stopped. Every result received is kept in the ${where}; free ` +
        `the space (or fix the folder) and continue with: deno task sweep --resume ${opts.sweepId}` +
        (opts.outDir === "reports" ? "" : ` --out ${opts.outDir}`),
      { cause: e },
    );
  }

  /** Stored as `distributed` in results.json. */
  info(): DistributedInfo {
    const previous = Number(
      (this.previous?.distributed as DistributedInfo | undefined)?.makespanMs,
    );
    const stats = this.#nc?.stats();
    return {
      nats: this.plan.embedded ? "embedded" : redact(this.#url, this.opts.auth),
      embedded: this.plan.embedded,
      maxDeliver: this.opts.maxDeliver ?? 3,
      ackWaitMs: this.opts.ackWaitMs ?? 30_000,
      localWorkers: this.plan.localCount,
      // A resumed sweep's makespan adds this run's to the earlier runs' (time between runs,
      // when nothing ran, is not counted).
      makespanMs: (previous || 0) + this.#makespanMs,
      queued: this.#queued,
      ...(stats ? { messages: { in: stats.inMsgs, out: stats.outMsgs } } : {}),
    };
  }

  /** The whole state as results.json holds it. */
  snapshot(): SweepResults {
    const { opts, previous } = this;
    const preset = opts.preset ?? previous?.preset;
    return {
      ...previous,
      sweepId: opts.sweepId,
      createdAt: this.#createdAt,
      ...(preset ? { preset } : {}),
      environment: this.environment,
      results: this.sink.rows(),
      workers: this.table.rows(),
      timeline: this.table.timeline,
      distributed: this.info(),
      ...opts.extra,
      ...(this.#completed ? { finishedAt: this.#finishedAt ??= new Date().toISOString() } : {}),
    };
  }

  /** Embedded mode: the supervised server on the sweep's store (kept on resume). */
  async #startServer(): Promise<void> {
    const { opts } = this;
    if (!this.plan.embedded) {
      this.#childAuth = authForChild(opts.auth);
      return;
    }
    const pidFile = `${this.storeDir}/server.pid`;
    if (!opts.resume) await Deno.remove(this.storeDir, { recursive: true }).catch(() => {});
    else if (await killStaleServer(pidFile)) {
      this.#log("killed the nats-server left running by the crashed coordinator");
    }
    const token = randomToken();
    this.#server = await startEmbeddedServer({
      storeDir: this.storeDir,
      token,
      pidFile,
      onLog: (message) => this.#log(message),
      onFatal: (reason) =>
        this.#rejectServer(
          new Error(
            `${reason}; its store ${this.storeDir} is kept: continue with ` +
              `deno task sweep --resume ${opts.sweepId}`,
          ),
        ),
    });
    this.#url = this.#server.url;
    this.#auth = { token };
    this.#childAuth = authForChild(this.#auth);
  }

  /** Connects, watches the connection, and makes the sweep's streams. */
  async #connect(): Promise<void> {
    const { opts } = this;
    this.emit({ type: "server", url: redact(this.#url, this.#auth), embedded: this.plan.embedded });
    const nc = this.#nc = await connectNats({
      servers: this.#url,
      auth: this.#auth,
      name: `se3h-coordinator-${opts.sweepId}`,
      pingIntervalMs: opts.pingIntervalMs ?? 2000,
    });
    const server = this.plan.embedded ? "embedded" : redact(this.#url, opts.auth);
    this.#conn = watchConnection(nc, server, (message) => this.#log(message));
    this.#jsm = await jetstreamManager(nc);
    this.#js = jetstream(nc);
    if (!opts.resume) await deleteSweepStreams(this.#jsm, opts.sweepId);
    await ensureSweepStreams(this.#jsm, opts.sweepId, {
      ackWaitMs: opts.ackWaitMs ?? 30_000,
      maxDeliver: opts.maxDeliver ?? 3,
    });
  }

  /** Listens: worker events, max-deliveries advisories (hints), results. */
  async #listen(): Promise<void> {
    const nc = this.#nc!;
    const subj = subjects(this.opts.sweepId);
    const workerSub = nc.subscribe(subj.workersAll);
    this.#subs.push(workerSub);
    (async () => {
      for await (const m of workerSub) this.#workerEvent(m.data, m.subject);
    })().catch(() => {});
    // A max-deliveries advisory is only a hint (anyone with the credentials can publish
    // one): it makes the watchdog look at the consumers' state now, and a case is failed
    // only when that state shows no pending or in-flight delivery left.
    const advisorySub = nc.subscribe(maxDeliveriesAdvisory(this.opts.sweepId));
    this.#subs.push(advisorySub);
    (async () => {
      for await (const _m of advisorySub) this.#watchdog?.wake();
    })().catch(() => {});
    this.#subs.push(await this.collector.follow(this.#js!));
  }

  /** One message on the workers' subject: validated, into the table and the view. */
  #workerEvent(data: Uint8Array, subject: string): void {
    const p = parseWorkerEvent(data);
    if (!p.ok) {
      this.#log(`ignored worker event on ${subject}: ${p.reason}`);
      return;
    }
    const { started, overflowed } = this.table.heard(p.value);
    if (overflowed) {
      this.#log(
        `more than ${MAX_WORKERS} workers announced: keeping the ${MAX_WORKERS} heard from ` +
          `most recently`,
      );
    }
    if (started) {
      this.emit({
        type: "case-started",
        caseId: started.caseId,
        workerId: started.workerId,
        delivery: p.value.delivery ?? 1,
      });
    }
    this.emit({ type: "worker", worker: p.value });
  }

  /** Resume: results already in the stream are recorded; returns the ids still queued. */
  async #recover(): Promise<Set<string>> {
    for (const id of this.sink.ids()) await this.collector.lookup(this.#jsm!, id);
    return await queuedCaseIds(this.#jsm!, this.opts.sweepId);
  }

  /** Starts the local workers and waits (up to `waitForWorkersMs`) until they announce. */
  async #startWorkers(): Promise<void> {
    const { opts, plan } = this;
    if (plan.localCount === 0) return;
    const local = this.#local = startLocalWorkers({
      natsUrl: this.#url,
      sweepId: opts.sweepId,
      slots: Array.from(
        { length: plan.localCount },
        (_, i) => opts.gpus?.length ? { gpu: opts.gpus[i % opts.gpus.length] } : {},
      ),
      backend: plan.localBackend,
      env: { ...opts.workerEnv, ...this.#childAuth.env },
      args: [...this.#childAuth.args, ...(opts.workerArgs ?? [])],
      heartbeatMs: opts.heartbeatMs,
      memoryBudgetBytes: opts.memoryBudgetBytes,
      onLine: (slot, line) => this.#log(`worker[${slot}] ${redact(line, this.#auth)}`),
      onExit: (slot, pid, code, restarting) =>
        this.emit({ type: "worker-exit", slot, pid, code, restarting }),
    });
    const waitMs = opts.waitForWorkersMs ?? 120_000;
    const deadline = performance.now() + waitMs;
    while (
      waitMs > 0 && this.table.announced(local.pids()) < plan.localCount &&
      performance.now() < deadline
    ) {
      await Promise.race([sleep(50), local.failed]);
    }
  }

  /** Publishes the cases (in the engine's order) that are neither done nor still queued. */
  async #publish(todo: readonly Case[], alreadyQueued: Set<string>): Promise<void> {
    const { sink } = this;
    const ids = sink.ids();
    const idOf = new Map(ids.map((id) => [sink.caseOf(id)!, id]));
    const fresh = todo.filter((c) => !sink.has(idOf.get(c)!) && !alreadyQueued.has(idOf.get(c)!));
    this.#queued = fresh.length;
    this.emit({
      type: "queued",
      total: sink.total,
      queued: fresh.length,
      alreadyDone: sink.size,
      alreadyQueued: alreadyQueued.size,
    });
    this.#publishStart = performance.now();
    await publishWork(this.#js!, this.opts.sweepId, fresh);
    if (sink.complete && !this.#makespanMs) {
      this.#makespanMs = performance.now() - this.#publishStart;
    }
  }

  /** Waits for every result, watching for stalls, server loss and missing workers. */
  async #watch(): Promise<void> {
    const { opts, plan } = this;
    const url = plan.embedded ? this.#url : redact(this.#url, opts.auth);
    this.#watchdog = new Watchdog({
      sink: this.sink,
      pollMs: opts.pollMs ?? 1000,
      noWorkerWarnMs: opts.noWorkerWarnMs ?? 30_000,
      lastHeard: () => this.table.lastHeard,
      lostSince: () => this.#conn?.lostSince,
      busy: () => busyDeliveries(this.#jsm!, opts.sweepId),
      giveUp: () => this.#giveUp(),
      workerCommand: `deno task worker --nats ${url} --sweep ${opts.sweepId}`,
      sweepId: opts.sweepId,
      log: (message) => this.#log(message),
      failures: [
        ...(this.#local ? [this.#local.failed] : []),
        abortion(opts.signal),
        this.writer.failed,
        this.#serverFailure,
      ],
    });
    await this.#watchdog.run();
  }

  /** The queue has nothing left for the unresolved cases: look each up, fail the rest. */
  async #giveUp(): Promise<void> {
    const maxDeliver = this.opts.maxDeliver ?? 3;
    for (const id of this.sink.ids()) {
      if (await this.collector.lookup(this.#jsm!, id)) continue;
      await this.#failCase(
        id,
        `gave up: the work queue has no pending or in-flight delivery of this case ` +
          `(delivery limit ${maxDeliver} reached, or the message was rejected)`,
      );
    }
  }

  /** Records case `id` as `failed` and publishes that (resume skips it). */
  async #failCase(id: string, reason: string): Promise<void> {
    const r: CaseResult = {
      ...emptyResult(this.sink.caseOf(id)!, "failed", { error: reason }),
      finishedAt: new Date().toISOString(),
    };
    if (!this.sink.record(r)) return;
    // The msg id keeps a late real result from doubling it.
    try {
      await this.#js!.publish(subjects(this.opts.sweepId).result(id), encodeResultMessage(r), {
        msgID: resultMsgId(id, "coordinator", 0),
      });
    } catch (e) {
      this.#log(`publishing failed result of ${id}: ${(e as Error).message}`);
    }
  }

  #log(message: string): void {
    this.emit({ type: "log", message });
  }

  /** Stops listeners, local workers, the connection and the embedded server. */
  async stop(): Promise<void> {
    for (const s of this.#subs) {
      try {
        if ("unsubscribe" in s) s.unsubscribe();
        else await s.close();
      } catch { /* already closed */ }
    }
    if (this.#local) await this.#local.stop().catch(() => {});
    if (this.#nc) await this.#disconnect(this.#nc);
    if (this.#server) await this.#server.stop();
    await this.writer.settle();
    // The store is the second copy of every result: it goes only after the final
    // results.json was written, synced and read back.
    if (this.#stored && this.plan.embedded) {
      await Deno.remove(this.storeDir, { recursive: true }).catch(() => {});
    }
  }

  /** Drains the connection (closes it after 5 s: an unreachable cluster must not hold us). */
  async #disconnect(nc: NatsConnection): Promise<void> {
    if (this.#stored && !this.plan.embedded) {
      // The work queue of a finished sweep is empty: remove it so `--sweep all` workers drop it.
      await deleteFinishedQueue(this.#jsm!, this.opts.sweepId).catch(() => {});
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timely = await Promise.race([
      nc.drain().then(() => true).catch(() => false),
      new Promise<boolean>((r) => timer = setTimeout(() => r(false), 5000)),
    ]);
    clearTimeout(timer);
    if (!timely) await nc.close().catch(() => {});
  }
}
