/**
 * The worker loop as a library: pull one case at a time from a sweep's work queue, run
 * it with an injected runner, publish the result, and only then ack.
 *
 * - One case at a time per worker (one worker per device: timings are not disturbed).
 * - While a case runs the worker sends in-progress acks (`msg.working()`), from a timer
 *   (every ack wait / 3) and from the runner's heartbeats; if the worker dies, the
 *   message is redelivered to another worker after the ack wait.
 * - A redelivered case whose valid result is already in the results stream (the previous
 *   worker published it but died before acking) is acked without running it again. An
 *   invalid message on the case's results subject does not count: the case runs.
 * - Malformed or oversized messages are terminated (`msg.term()`), logged and deleted
 *   from the work stream; they are never run.
 * - The worker announces itself and heartbeats (host, backend, device, memory, current
 *   case) on `se3h.<sweepId>.workers.<workerId>`.
 * - It survives server restarts: pulls and publishes are retried until they succeed.
 * - Skip-after-OOM across workers (src/nats/failure_limits.ts): before running a case the
 *   worker looks up its group's failure limit for the worker's device class and memory
 *   budget; if a smaller length of the group ran out of memory (or timed out), it
 *   publishes the case as `skipped` (`skippedAfter`, `oomAt`) instead of
 *   running it — the same record a local sweep makes. After a real `oom`/`timeout` it
 *   lowers the limit (compare-and-set) before publishing the result.
 *
 * The runner is a dependency (`runCase`), normally `runCaseIsolated` from
 * `src/runner/isolated.ts`; tests inject a fast fake. Nothing in a message can choose it.
 *
 * @module
 */
import type { NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { Consumer, JetStreamClient, JetStreamManager, JsMsg } from "@nats-io/jetstream";
import type { Case, CaseResult } from "../results.ts";
import { FailureLimits } from "./failure_limits.ts";
import { emptyResult } from "../runner/result.ts";
import {
  consumerName,
  encodeResultMessage,
  parseResultMessage,
  parseWorkMessage,
  PROTOCOL_VERSION,
  resultMsgId,
  streamNames,
  subjects,
  sweepIdOfWorkStream,
  type WorkBackend,
  workBackendOf,
  workBackendsOf,
  type WorkerEvent,
} from "./protocol.ts";

/** Options the worker passes to the runner (same shape as `runCaseIsolated`'s). */
export interface RunCaseOptions {
  signal?: AbortSignal;
  onHeartbeat?: () => void;
  memoryBudgetBytes?: number;
  env?: Record<string, string>;
}

/** Runs one case; resolves with its result (never rejects for case failures). */
export type RunCaseFn = (c: Case, opts?: RunCaseOptions) => Promise<CaseResult>;

/** Options of {@link runWorker}. */
export interface WorkerOptions {
  /** Runs one case (default in the CLI: `runCaseIsolated`). */
  runCase: RunCaseFn;
  /** Sweep to serve, or `"all"` (every sweep whose work stream exists, rescanned every 5 s). */
  sweep: string;
  /** Only take cases of this backend. Default: any backend. */
  backend?: WorkBackend;
  /** Only take cases of this framework (routes of `workBackendsOf`). Default: any. */
  framework?: "tfjs" | "torch";
  /** Device name shown in results and the live view. Default `"cpu"`. */
  device?: string;
  /**
   * Device class for skip-after-OOM: workers of one class (and memory budget) share their
   * failure limits. Default `"gpu"` when `device` starts with `gpu`, else `"cpu"`.
   */
  deviceClass?: string;
  /** Skip cases past a failure limit of their group (see the module doc). Default true. */
  skipAfterFailure?: boolean;
  /** Worker id (subject token). Default `<host>-<pid>-<random>`. */
  workerId?: string;
  /** Announcement/heartbeat interval, ms. Default 5000. */
  heartbeatMs?: number;
  /** Extra environment for the runner's child process (e.g. `CUDA_VISIBLE_DEVICES`). */
  env?: Record<string, string>;
  /** Memory budget passed to the runner, bytes. */
  memoryBudgetBytes?: number;
  /** Stop when aborted: an idle worker stops after its current pull; a running case is aborted and nak'ed. */
  signal?: AbortSignal;
  /** Stop after this many cases (results published). Default: never. */
  maxCases?: number;
  /** Log sink (one line per call). Default `console.error`. */
  log?: (line: string) => void;
}

/** What a worker did, returned when it stops. */
export interface WorkerStats {
  workerId: string;
  /** Cases run and published. */
  completed: number;
  /** Messages terminated as malformed/oversized/mismatched. */
  rejected: number;
  /** Redelivered cases acked without running (result already published). */
  skippedDuplicates: number;
  /** Cases recorded as skipped (past their group's failure limit) without running. */
  skippedPastLimit: number;
}

/** The fields every result has; the others (training curves, …) are dropped from an oversized one. */
const BASE_RESULT_KEYS = new Set([
  "id",
  "case",
  "status",
  "timeMs",
  "memory",
  "flops",
  "worker",
  "error",
  "oomAt",
  "startedAt",
  "finishedAt",
  "delivery",
]);

/** One work source: a backend's consumer of one sweep. */
interface Source {
  sweepId: string;
  backend: WorkBackend;
  consumer?: Consumer;
  ackWaitMs: number;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done);
  });

/** A subject-token-safe default worker id. */
export function defaultWorkerId(): string {
  let host = "host";
  try {
    host = Deno.hostname();
  } catch { /* no permission */ }
  const rand = crypto.getRandomValues(new Uint32Array(1))[0].toString(36);
  return `${host}-${Deno.pid}-${rand}`.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 100);
}

/** Runs the worker loop until `signal` aborts or `maxCases` are done. */
export async function runWorker(nc: NatsConnection, opts: WorkerOptions): Promise<WorkerStats> {
  const log = opts.log ?? ((line: string) => console.error(line));
  const workerId = opts.workerId ?? defaultWorkerId();
  const heartbeatMs = opts.heartbeatMs ?? 5000;
  const device = opts.device ?? "cpu";
  const backends: readonly WorkBackend[] = opts.backend
    ? [opts.backend]
    : workBackendsOf(opts.framework);
  let host = "unknown";
  try {
    host = Deno.hostname();
  } catch { /* no permission */ }
  const stats: WorkerStats = {
    workerId,
    completed: 0,
    rejected: 0,
    skippedDuplicates: 0,
    skippedPastLimit: 0,
  };
  const deviceClass = opts.deviceClass || (device.startsWith("gpu") ? "gpu" : "cpu");
  const js: JetStreamClient = jetstream(nc);
  let jsm: JetStreamManager | undefined;
  const getJsm = async () => (jsm ??= await jetstreamManager(nc));
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  opts.signal?.addEventListener("abort", onAbort);
  if (opts.signal?.aborted) stop.abort();

  let current: { caseId: string; delivery: number } | undefined;
  let onReconnect: (() => void) | undefined;
  (async () => {
    for await (const st of nc.status()) if (st.type === "reconnect") onReconnect?.();
  })().catch(() => {});
  const sweeps = new Set<string>();
  let sources: Source[] = [];

  const event = (type: WorkerEvent["type"], extra: Partial<WorkerEvent> = {}): WorkerEvent => {
    let memFreeBytes: number | undefined, memTotalBytes: number | undefined;
    try {
      const m = Deno.systemMemoryInfo();
      memFreeBytes = m.available;
      memTotalBytes = m.total;
    } catch { /* no permission */ }
    return {
      v: PROTOCOL_VERSION,
      type,
      workerId,
      host,
      pid: Deno.pid,
      backend: opts.backend ?? "any",
      device,
      rssBytes: Deno.memoryUsage().rss,
      memFreeBytes,
      memTotalBytes,
      caseId: current?.caseId,
      delivery: current?.delivery,
      time: new Date().toISOString(),
      ...extra,
    };
  };
  const emit = (sweepId: string, e: WorkerEvent) => {
    try {
      nc.publish(subjects(sweepId).worker(workerId), JSON.stringify(e));
    } catch { /* disconnected: the next heartbeat goes out after reconnect */ }
  };
  const emitAll = (type: WorkerEvent["type"]) => {
    for (const s of sweeps) emit(s, event(type));
  };

  const addSweep = (sweepId: string) => {
    if (sweeps.has(sweepId)) return;
    sweeps.add(sweepId);
    for (const backend of backends) sources.push({ sweepId, backend, ackWaitMs: 30_000 });
    emit(sweepId, event("announce"));
  };
  const dropSweep = (sweepId: string) => {
    sweeps.delete(sweepId);
    sources = sources.filter((s) => s.sweepId !== sweepId);
  };

  let lastScan = -Infinity;
  const rescan = async () => {
    if (opts.sweep !== "all") {
      addSweep(opts.sweep);
      return;
    }
    if (performance.now() - lastScan < 5000) return;
    lastScan = performance.now();
    const found = new Set<string>();
    for await (const name of (await getJsm()).streams.names()) {
      const id = sweepIdOfWorkStream(name);
      if (id) found.add(id);
    }
    for (const id of found) addSweep(id);
    for (const id of [...sweeps]) if (!found.has(id)) dropSweep(id);
  };

  const heartbeat = setInterval(() => emitAll("heartbeat"), heartbeatMs);
  const aborted = new Promise<null>((resolve) => {
    if (stop.signal.aborted) resolve(null);
    stop.signal.addEventListener("abort", () => resolve(null), { once: true });
  });
  let lastError = "";
  const logError = (what: string, e: unknown) => {
    const msg = `${what}: ${(e as Error)?.message ?? e}`;
    if (msg !== lastError) log(`worker ${workerId}: ${msg}`);
    lastError = msg;
  };

  /** Publishes with retries until it succeeds or the worker is stopped. */
  const publishResult = async (sweepId: string, r: CaseResult): Promise<boolean> => {
    let data: Uint8Array;
    try {
      data = encodeResultMessage(r);
    } catch (e) {
      // Too large to store (a huge learning curve, say): the case's result is that error.
      data = encodeResultMessage({
        ...r,
        status: "error",
        timeMs: null,
        error: (e as Error).message,
        ...Object.fromEntries(
          Object.keys(r).filter((k) => !BASE_RESULT_KEYS.has(k)).map((k) => [k, undefined]),
        ),
      });
    }
    const msgID = resultMsgId(r.id, workerId, Number(r.delivery) || 0);
    for (let attempt = 0; !stop.signal.aborted; attempt++) {
      try {
        await js.publish(subjects(sweepId).result(r.id), data, { msgID });
        return true;
      } catch (e) {
        logError(`publishing result ${r.id} (attempt ${attempt + 1})`, e);
        await sleep(Math.min(2000, 250 * (attempt + 1)), stop.signal);
      }
    }
    return false;
  };

  /** Failure limits per sweep (null: the sweep has no bucket, or skipping is off). */
  const limits = new Map<string, Promise<FailureLimits | null>>();
  const limitsFor = (sweepId: string): Promise<FailureLimits | null> => {
    if (opts.skipAfterFailure === false) return Promise.resolve(null);
    let p = limits.get(sweepId);
    if (!p) {
      p = FailureLimits.open(nc, sweepId, {
        deviceClass,
        memoryBudgetBytes: opts.memoryBudgetBytes ?? null,
      });
      limits.set(sweepId, p);
      // Not there (yet, or a coordinator without it): look again for later cases.
      p.then((l) => l === null && limits.delete(sweepId), () => limits.delete(sweepId));
    }
    return p;
  };

  /** Publishes the result, then acks; returns whether the result was published. */
  const finish = async (src: Source, msg: JsMsg, full: CaseResult): Promise<boolean> => {
    if (!await publishResult(src.sweepId, full)) return false;
    try {
      await msg.ackAck();
    } catch (e) {
      // Not acked: it comes back after the ack wait, and is then acked unrun (hasResult).
      logError(`acking ${full.id}`, e);
    }
    return true;
  };

  /**
   * Whether the results stream holds a valid result of case `id` (the latest message on its
   * subject, validated: garbage or a result of another case there does not count, and the
   * case runs).
   */
  const hasResult = async (sweepId: string, id: string): Promise<boolean> => {
    // Two tries: a passing error (a reconnect) should not make a finished case run again.
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const m = await (await getJsm()).streams.getMessage(streamNames(sweepId).results, {
          last_by_subj: subjects(sweepId).result(id),
        });
        if (m === null) return false;
        const p = parseResultMessage(m.data, m.subject);
        if (!p.ok) log(`worker ${workerId}: ignoring the stored result of ${id}: ${p.reason}`);
        return p.ok;
      } catch {
        if (attempt === 0) await new Promise((r) => setTimeout(r, 250));
      }
    }
    return false;
  };

  const handle = async (src: Source, msg: JsMsg): Promise<void> => {
    const parsed = parseWorkMessage(msg.data, src.sweepId);
    const reason = !parsed.ok
      ? parsed.reason
      : workBackendOf(parsed.value.case) !== src.backend
      ? `case.backend: expected ${src.backend} (the subject's backend), got ${
        workBackendOf(parsed.value.case)
      }`
      : undefined;
    if (!parsed.ok || reason !== undefined) {
      stats.rejected++;
      log(
        `worker ${workerId}: rejected work message (stream seq ${msg.seq}, subject ${msg.subject}): ` +
          `${reason}`,
      );
      msg.term(String(reason).slice(0, 200));
      // A terminated message stays in a work-queue stream (nats-server 2.9): remove it so
      // the queue holds only work. Best effort (needs stream API permission).
      try {
        await (await getJsm()).streams.deleteMessage(streamNames(src.sweepId).work, msg.seq, false);
      } catch { /* left for the coordinator's cleanup */ }
      return;
    }
    const { id, case: c } = parsed.value;
    const delivery = msg.info.deliveryCount;
    // Any delivery, not only redeliveries: after a server restart the consumer's delivery
    // count (and an ack in flight when it stopped) can be lost, so a finished case may come
    // back as a first delivery. One lookup per case (~1 ms) keeps it from running twice.
    if (await hasResult(src.sweepId, id)) {
      stats.skippedDuplicates++;
      await msg.ackAck().catch(() => false);
      return;
    }
    const sweepLimits = await limitsFor(src.sweepId).catch(() => null);
    let past: CaseResult | null = null;
    try {
      past = await sweepLimits?.skip(c) ?? null;
    } catch (e) {
      logError(`reading the failure limit of ${id} (running it)`, e);
    }
    if (past) {
      const full: CaseResult = {
        ...past,
        id,
        case: c,
        worker: { host, device, backend: workBackendOf(c), id: workerId },
        delivery,
      };
      if (await finish(src, msg, full)) stats.skippedPastLimit++;
      return;
    }
    current = { caseId: id, delivery };
    emit(src.sweepId, event("started"));
    let lastWorking = performance.now();
    const working = () => {
      if (performance.now() - lastWorking < 250) return;
      lastWorking = performance.now();
      try {
        msg.working();
      } catch { /* disconnected */ }
    };
    const inProgress = setInterval(working, Math.max(100, src.ackWaitMs / 3));
    onReconnect = () => {
      // Back after an outage: tell the server at once that the case is still running,
      // before its ack wait (which counted through the outage) hands it to another worker.
      lastWorking = 0;
      working();
    };
    const caseAbort = new AbortController();
    const onStop = () => caseAbort.abort();
    stop.signal.addEventListener("abort", onStop);
    const startedAt = new Date().toISOString();
    try {
      let result: CaseResult;
      try {
        result = await opts.runCase(c, {
          signal: caseAbort.signal,
          onHeartbeat: working,
          memoryBudgetBytes: opts.memoryBudgetBytes,
          env: opts.env,
        });
      } catch (e) {
        // The runner promises not to throw for case failures; if it does, it is this case's error.
        result = emptyResult(c, "error", {
          device,
          error: `runner threw: ${(e as Error)?.message ?? e}`,
        });
      }
      if (caseAbort.signal.aborted) {
        // Stopped mid-case: give the case back at once instead of after the ack wait.
        try {
          msg.nak();
        } catch { /* disconnected: redelivered after the ack wait */ }
        return;
      }
      const full: CaseResult = {
        ...result,
        id,
        case: c,
        worker: {
          host,
          device,
          backend: workBackendOf(c),
          id: workerId,
          ...(result.worker?.framework ? { framework: result.worker.framework } : {}),
        },
        startedAt: result.startedAt ?? startedAt,
        finishedAt: result.finishedAt ?? new Date().toISOString(),
        delivery,
      };
      if (full.status === "oom" || full.status === "timeout") {
        // Lower the group's limit before the result goes out, so the next case sees it.
        await sweepLimits?.record(full, workerId).catch((e) =>
          logError(`recording the failure limit of ${id}`, e)
        );
      }
      if (!await finish(src, msg, full)) return;
      stats.completed++;
      current = undefined;
      emit(src.sweepId, event("finished", { caseId: id, status: full.status, delivery }));
    } finally {
      onReconnect = undefined;
      clearInterval(inProgress);
      stop.signal.removeEventListener("abort", onStop);
      current = undefined;
    }
  };

  const ensureConsumer = async (src: Source): Promise<Consumer> => {
    if (!src.consumer) {
      src.consumer = await js.consumers.get(
        streamNames(src.sweepId).work,
        consumerName(src.backend),
      );
      const info = await src.consumer.info(true);
      src.ackWaitMs = (info.config.ack_wait ?? 30e9) / 1e6;
    }
    return src.consumer;
  };
  const pickSource = async (start: number): Promise<Source | undefined> => {
    let inFlight: Source | undefined;
    for (let k = 0; k < sources.length; k++) {
      const src = sources[(start + k) % sources.length];
      try {
        const info = await (await ensureConsumer(src)).info(false);
        if (info.num_pending > 0) return src;
        if (info.num_ack_pending > 0) inFlight ??= src;
      } catch (e) {
        src.consumer = undefined;
        logError(`reading ${streamNames(src.sweepId).work}/${consumerName(src.backend)}`, e);
      }
    }
    return inFlight;
  };

  try {
    let i = 0;
    let stay: Source | undefined;
    while (
      !stop.signal.aborted && (opts.maxCases === undefined || stats.completed < opts.maxCases)
    ) {
      try {
        await rescan();
      } catch (e) {
        logError("listing streams", e);
      }
      if (sources.length === 0) {
        await sleep(1000, stop.signal);
        continue;
      }
      let src: Source | undefined = stay ?? (sources.length === 1 ? sources[0] : undefined);
      try {
        if (!src) {
          // Several sources (backends/sweeps): pull where the consumer has undelivered work,
          // else where a delivery is in flight (it may come back), else wait a moment.
          src = await pickSource(i++);
          if (!src) {
            await sleep(250, stop.signal);
            continue;
          }
        }
        const consumer = await ensureConsumer(src);
        const pull = consumer.next({ expires: sources.length === 1 ? 2000 : 1000 });
        // Stop at once when aborted while idle; a message that still arrives is given back.
        const msg = await Promise.race([pull, aborted]);
        if (stop.signal.aborted) {
          pull.then((m) => m?.nak(), () => {});
          break;
        }
        lastError = "";
        stay = msg ? src : undefined; // stay on a source that has work
        if (msg) await handle(src, msg);
      } catch (e) {
        stay = undefined;
        if (src) {
          src.consumer = undefined;
          logError(`pulling from ${streamNames(src.sweepId).work}/${consumerName(src.backend)}`, e);
        } else logError("reading consumer state", e);
        if (opts.sweep === "all") lastScan = -Infinity;
        await sleep(250, stop.signal);
      }
    }
  } finally {
    clearInterval(heartbeat);
    opts.signal?.removeEventListener("abort", onAbort);
    emitAll("bye");
    await nc.flush().catch(() => {});
  }
  return stats;
}
