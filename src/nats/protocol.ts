/**
 * The wire protocol of distributed sweeps: subjects, streams, consumers and message
 * validation, shared by the coordinator and the workers.
 *
 * Everything is namespaced per sweep (`<sweepId>` matches {@link SWEEP_ID_RE}):
 *
 * | what                     | subject                                  | stream / kind                                   |
 * | ------------------------ | ---------------------------------------- | ----------------------------------------------- |
 * | work (one case)          | `se3h.<sweepId>.work.<backend>`          | `SE3H_<sweepId>_WORK`, retention `workqueue`    |
 * | result (one case)        | `se3h.<sweepId>.results.<caseId>`        | `SE3H_<sweepId>_RESULTS`, dedup `Nats-Msg-Id`   |
 * | worker announce/heartbeat| `se3h.<sweepId>.workers.<workerId>`      | core NATS (not stored)                          |
 * | failure limit (a group)  | KV key `<hash of group + device class>`  | KV bucket `SE3H_<sweepId>_LIMITS`               |
 *
 * The work stream has one durable pull consumer per backend (`w_<backend>`, filtered
 * to that backend's subject), so a worker started with `--backend tensorflow` only
 * takes tensorflow cases. Acks are explicit; a message not acked within the ack wait
 * is redelivered, at most `maxDeliver` times.
 *
 * Results are keyed by case id: the subject ends in the id (so the coordinator can look
 * one up with `last_by_subj`). `Nats-Msg-Id` is {@link resultMsgId} (case id, worker id,
 * delivery), so the server drops a retried publish of the same delivery, but a message
 * someone else published first under the case's id cannot shadow the real result.
 *
 * Result messages are untrusted too: {@link parseResultMessage} checks size, schema and
 * that the id is the subject's and the case's own; the coordinator keeps the first valid
 * result of each case of its sweep and ignores (and logs) the rest.
 *
 * Work messages are untrusted input: {@link parseWorkMessage} rejects anything larger
 * than {@link MAX_WORK_MESSAGE_BYTES}, not JSON, not a valid case, for another sweep,
 * or whose id is not the case's own id. Workers terminate such messages (`term()`)
 * and log them; they never run them.
 *
 * @module
 */
import type { JetStreamManager } from "@nats-io/jetstream";
import { AckPolicy, DeliverPolicy, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { type Case, CASE_STATUSES, type CaseResult, type CaseStatus } from "../results.ts";
import { parseCase } from "../case/schema.ts";
import { caseId } from "../case/id.ts";

/** Protocol version carried in every message; bump on incompatible changes. */
export const PROTOCOL_VERSION = 1;

/** Allowed sweep ids: they become subject tokens and stream names. */
export const SWEEP_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
/** Allowed case ids (subject tokens). */
export const CASE_ID_RE = /^[A-Za-z0-9_-]{1,128}$/;
/** Allowed worker ids (subject tokens). */
export const WORKER_ID_RE = /^[A-Za-z0-9_-]{1,128}$/;

/** Work messages larger than this are rejected unread (bytes). */
export const MAX_WORK_MESSAGE_BYTES = 64 * 1024;

/**
 * Work routes: the backends of TensorFlow.js cases, mirroring `BACKENDS` in
 * `src/backend.ts` (checked by a test; repeated here so workers need not load
 * TensorFlow.js), and `torch` for every PyTorch case (a worker with `--framework torch`
 * serves only it). Each gets a work subject and consumer.
 */
export const WORK_BACKENDS = ["cpu", "wasm", "webgpu", "tensorflow", "torch"] as const;
/** A work route. */
export type WorkBackend = (typeof WORK_BACKENDS)[number];

/** The work route of a case: `torch` for PyTorch cases, else its backend. */
export function workBackendOf(c: Case): WorkBackend {
  return c.framework === "torch" ? "torch" : c.backend as WorkBackend;
}

/** The routes a worker of `framework` serves (all of them when undefined). */
export function workBackendsOf(framework?: "tfjs" | "torch"): readonly WorkBackend[] {
  if (framework === undefined) return WORK_BACKENDS;
  return WORK_BACKENDS.filter((b) => (b === "torch") === (framework === "torch"));
}

/** Throws if `sweepId` is not usable as a subject token and stream name. */
export function checkSweepId(sweepId: string): void {
  if (!SWEEP_ID_RE.test(sweepId)) {
    throw new Error(
      `sweepId: expected 1-64 characters from [A-Za-z0-9_-], got ${JSON.stringify(sweepId)}`,
    );
  }
}

/** Subjects of one sweep. */
export function subjects(sweepId: string) {
  checkSweepId(sweepId);
  const root = `se3h.${sweepId}`;
  return {
    /** Work subject of one backend. */
    work: (backend: WorkBackend) => `${root}.work.${backend}`,
    /** All work subjects (the work stream's subjects). */
    workAll: `${root}.work.>`,
    /** Result subject of one case. */
    result: (caseId: string) => `${root}.results.${caseId}`,
    /** All result subjects (the results stream's subjects). */
    resultsAll: `${root}.results.>`,
    /** Announcements and heartbeats of one worker. */
    worker: (workerId: string) => `${root}.workers.${workerId}`,
    /** All workers' announcements. */
    workersAll: `${root}.workers.>`,
  };
}

/** Stream names of one sweep. */
export function streamNames(sweepId: string): { work: string; results: string } {
  checkSweepId(sweepId);
  return { work: `SE3H_${sweepId}_WORK`, results: `SE3H_${sweepId}_RESULTS` };
}

/**
 * The JetStream KV bucket of a sweep's failure limits (skip-after-OOM across workers,
 * see src/nats/failure_limits.ts). Its backing stream is {@link limitsStream}.
 */
export function limitsBucket(sweepId: string): string {
  checkSweepId(sweepId);
  return `SE3H_${sweepId}_LIMITS`;
}

/** The stream behind {@link limitsBucket} (a KV bucket is the stream `KV_<bucket>`). */
export function limitsStream(sweepId: string): string {
  return `KV_${limitsBucket(sweepId)}`;
}

/** The durable consumer of one backend's work. */
export function consumerName(backend: WorkBackend): string {
  return `w_${backend}`;
}

/** The sweep id of a work stream name, or undefined if it is not one. */
export function sweepIdOfWorkStream(stream: string): string | undefined {
  const m = /^SE3H_(.+)_WORK$/.exec(stream);
  return m && SWEEP_ID_RE.test(m[1]) ? m[1] : undefined;
}

/** The JetStream advisory subject published when a work message exhausts its deliveries. */
export function maxDeliveriesAdvisory(sweepId: string): string {
  return `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${streamNames(sweepId).work}.*`;
}

/** A unit of work: one case of one sweep. */
export interface WorkMessage {
  v: number;
  sweepId: string;
  /** The case's stable id (`caseId(case)`). */
  id: string;
  case: Case;
}

/** Stream/consumer settings of {@link ensureSweepStreams}. */
export interface SweepStreamOptions {
  /** Redelivery after this long without an ack or in-progress ack, ms. Default 30000. */
  ackWaitMs?: number;
  /** Deliveries of one case before it is given up as `failed`. Default 3. */
  maxDeliver?: number;
  /** Results published again within this window are dropped by the server, ms. Default 24 h. */
  duplicateWindowMs?: number;
  /** File storage survives server restarts (default); memory is for throwaway tests. */
  storage?: "file" | "memory";
}

const nanos = (ms: number) => Math.round(ms * 1e6);

/**
 * Creates (or updates) the work and results streams, the per-backend work consumers and
 * the failure-limits KV bucket ({@link limitsBucket}) of a sweep. Idempotent: a resumed
 * sweep calls it again.
 */
export async function ensureSweepStreams(
  jsm: JetStreamManager,
  sweepId: string,
  opts: SweepStreamOptions = {},
): Promise<void> {
  const ackWaitMs = opts.ackWaitMs ?? 30_000;
  const maxDeliver = opts.maxDeliver ?? 3;
  if (!(ackWaitMs > 0)) throw new Error(`ackWaitMs: expected a positive number, got ${ackWaitMs}`);
  if (!Number.isInteger(maxDeliver) || maxDeliver < 1) {
    throw new Error(`maxDeliver: expected a positive integer, got ${maxDeliver}`);
  }
  const s = subjects(sweepId);
  const names = streamNames(sweepId);
  const storage = opts.storage === "memory" ? StorageType.Memory : StorageType.File;
  const upsert = async (cfg: Parameters<JetStreamManager["streams"]["add"]>[0]) => {
    try {
      await jsm.streams.info(cfg.name);
      const { storage: _s, retention: _r, ...mutable } = cfg;
      await jsm.streams.update(cfg.name, mutable);
    } catch (e) {
      if (!/stream not found/i.test((e as Error).message)) throw e;
      await jsm.streams.add(cfg);
    }
  };
  await upsert({
    name: names.work,
    subjects: [s.workAll],
    retention: RetentionPolicy.Workqueue,
    storage,
    max_msg_size: MAX_WORK_MESSAGE_BYTES * 4, // larger ones are refused by the server itself
  });
  await upsert({
    name: names.results,
    subjects: [s.resultsAll],
    retention: RetentionPolicy.Limits,
    storage,
    duplicate_window: nanos(opts.duplicateWindowMs ?? 24 * 3600_000),
    max_msg_size: MAX_RESULT_MESSAGE_BYTES, // larger ones are refused by the server itself
  });
  // Skip-after-OOM limits: one value per key, same storage as the streams.
  await new Kvm(jsm.jetstream()).create(limitsBucket(sweepId), {
    history: 1,
    storage,
  });
  for (const backend of WORK_BACKENDS) {
    const cfg = {
      durable_name: consumerName(backend),
      filter_subject: s.work(backend),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(ackWaitMs),
      max_deliver: maxDeliver,
      max_ack_pending: 10_000,
    };
    try {
      await jsm.consumers.info(names.work, cfg.durable_name);
      await jsm.consumers.update(names.work, cfg.durable_name, {
        ack_wait: cfg.ack_wait,
        max_deliver: cfg.max_deliver,
        max_ack_pending: cfg.max_ack_pending,
      });
    } catch (e) {
      if (!/consumer not found/i.test((e as Error).message)) throw e;
      await jsm.consumers.add(names.work, cfg);
    }
  }
}

/** Outcome of parsing an untrusted message. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Validates a work message: size, UTF-8 JSON, envelope (`v`, `sweepId`, `id`), the case
 * against the case schema (`parseCase`), and that `id` is the case's own id (`caseId`).
 */
export function parseWorkMessage(data: Uint8Array, expectedSweepId: string): Parsed<WorkMessage> {
  if (data.length > MAX_WORK_MESSAGE_BYTES) {
    return {
      ok: false,
      reason: `oversized: ${data.length} bytes > limit ${MAX_WORK_MESSAGE_BYTES}`,
    };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(data));
  } catch (e) {
    return { ok: false, reason: `not JSON: ${(e as Error).message}` };
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return {
      ok: false,
      reason: `expected a JSON object, got ${Array.isArray(raw) ? "array" : typeof raw}`,
    };
  }
  const m = raw as Record<string, unknown>;
  if (m.v !== PROTOCOL_VERSION) {
    return { ok: false, reason: `v: expected ${PROTOCOL_VERSION}, got ${JSON.stringify(m.v)}` };
  }
  if (m.sweepId !== expectedSweepId) {
    return {
      ok: false,
      reason: `sweepId: expected ${JSON.stringify(expectedSweepId)}, got ${
        JSON.stringify(m.sweepId)
      }`,
    };
  }
  if (typeof m.id !== "string" || !CASE_ID_RE.test(m.id)) {
    return {
      ok: false,
      reason: `id: expected a case id, got ${JSON.stringify(m.id)?.slice(0, 80)}`,
    };
  }
  let c: Case;
  try {
    c = parseCase(m.case);
  } catch (e) {
    return { ok: false, reason: `case: ${(e as Error).message}` };
  }
  const expectedId = caseId(c);
  if (expectedId !== m.id) {
    return { ok: false, reason: `id: expected ${expectedId} (the case's id), got ${m.id}` };
  }
  return { ok: true, value: { v: PROTOCOL_VERSION, sweepId: expectedSweepId, id: m.id, case: c } };
}

/** Encodes a work message; throws if it would exceed {@link MAX_WORK_MESSAGE_BYTES}. */
export function encodeWorkMessage(sweepId: string, id: string, c: Case): Uint8Array {
  const data = new TextEncoder().encode(
    JSON.stringify({ v: PROTOCOL_VERSION, sweepId, id, case: c } satisfies WorkMessage),
  );
  if (data.length > MAX_WORK_MESSAGE_BYTES) {
    throw new Error(
      `case ${id}: encoded work message is ${data.length} bytes, over the ${MAX_WORK_MESSAGE_BYTES}-byte limit`,
    );
  }
  return data;
}

/** Result messages larger than this are rejected unread, and refused by the server (bytes). */
export const MAX_RESULT_MESSAGE_BYTES = 256 * 1024;

const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const isNumOrNull = (v: unknown) => v === null || v === undefined || isNum(v);

/**
 * Validates a result message (untrusted: anyone holding the sweep's credentials can
 * publish on a results subject). Checks, in order: size ({@link MAX_RESULT_MESSAGE_BYTES}),
 * UTF-8 JSON object, `id` a case id, equal to the subject's last token when `subject` is
 * given, `status` one of the statuses, `case` an object whose own id (`caseId`) is `id`,
 * `timeMs` null or finite numbers (`median`, `mean`, `min`, `max`, `p10`, `p90`, `n`),
 * `memory` an object of finite numbers or nulls, `worker` an object of strings. It does not
 * know the sweep's cases: the coordinator also checks that `id` is one of them.
 */
export function parseResultMessage(data: Uint8Array, subject?: string): Parsed<CaseResult> {
  if (data.length > MAX_RESULT_MESSAGE_BYTES) {
    return {
      ok: false,
      reason: `oversized: ${data.length} bytes > limit ${MAX_RESULT_MESSAGE_BYTES}`,
    };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(data));
  } catch (e) {
    return { ok: false, reason: `not JSON: ${(e as Error).message}` };
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return { ok: false, reason: "expected an object" };
  }
  const r = raw as Record<string, unknown>;
  if (typeof r.id !== "string" || !CASE_ID_RE.test(r.id)) {
    return {
      ok: false,
      reason: `id: expected a case id, got ${JSON.stringify(r.id)?.slice(0, 80)}`,
    };
  }
  if (subject !== undefined) {
    const token = subject.slice(subject.lastIndexOf(".") + 1);
    if (token !== r.id) {
      return {
        ok: false,
        reason: `id: expected ${JSON.stringify(token)} (the subject's case id), got ${
          JSON.stringify(r.id)
        }`,
      };
    }
  }
  if (!CASE_STATUSES.includes(r.status as CaseStatus)) {
    return {
      ok: false,
      reason: `status: expected one of ${CASE_STATUSES.join("|")}, got ${
        JSON.stringify(r.status)?.slice(0, 40)
      }`,
    };
  }
  if (typeof r.case !== "object" || r.case === null || Array.isArray(r.case)) {
    return { ok: false, reason: "case: expected an object" };
  }
  let ownId: string;
  try {
    ownId = caseId(r.case);
  } catch (e) {
    return { ok: false, reason: `case: ${(e as Error).message}` };
  }
  if (ownId !== r.id) {
    return { ok: false, reason: `case: its id is ${ownId}, not the result's id ${r.id}` };
  }
  if (r.timeMs !== null) {
    const t = r.timeMs as Record<string, unknown>;
    if (typeof t !== "object" || Array.isArray(t)) {
      return { ok: false, reason: "timeMs: expected an object or null" };
    }
    for (const k of ["median", "mean", "min", "max", "p10", "p90", "n"]) {
      if (!isNum(t[k])) {
        return {
          ok: false,
          reason: `timeMs.${k}: expected a finite number, got ${
            JSON.stringify(t[k])?.slice(0, 40)
          }`,
        };
      }
    }
  }
  const m = r.memory as Record<string, unknown>;
  if (typeof m !== "object" || m === null || Array.isArray(m)) {
    return { ok: false, reason: "memory: expected an object" };
  }
  for (const k of ["peakBytes", "rssPeakBytes", "deviceBytes", "budgetBytes"]) {
    if (!isNumOrNull(m[k])) return { ok: false, reason: `memory.${k}: expected a number or null` };
  }
  if (!isNumOrNull(r.flops)) return { ok: false, reason: "flops: expected a number or null" };
  const w = r.worker as Record<string, unknown>;
  if (typeof w !== "object" || w === null || Array.isArray(w)) {
    return { ok: false, reason: "worker: expected an object" };
  }
  for (const k of ["host", "device", "backend"]) {
    if (typeof w[k] !== "string") return { ok: false, reason: `worker.${k}: expected a string` };
  }
  for (const k of ["error", "startedAt", "finishedAt"]) {
    if (r[k] !== undefined && typeof r[k] !== "string") {
      return { ok: false, reason: `${k}: expected a string` };
    }
  }
  if (r.oomAt !== undefined && !isNum(r.oomAt)) {
    return { ok: false, reason: "oomAt: expected a number" };
  }
  return { ok: true, value: raw as CaseResult };
}

/** The `Nats-Msg-Id` of a result: one per case, publisher and delivery. */
export function resultMsgId(caseId: string, publisher: string, delivery: number): string {
  return `${caseId}.${publisher}.${delivery}`;
}

/** Encodes a result; throws if it would exceed {@link MAX_RESULT_MESSAGE_BYTES}. */
export function encodeResultMessage(r: CaseResult): Uint8Array {
  const data = new TextEncoder().encode(JSON.stringify(r));
  if (data.length > MAX_RESULT_MESSAGE_BYTES) {
    throw new Error(
      `result ${r.id}: encoded result is ${data.length} bytes, over the ` +
        `${MAX_RESULT_MESSAGE_BYTES}-byte limit`,
    );
  }
  return data;
}

/** What a worker tells the coordinator on `se3h.<sweepId>.workers.<workerId>`. */
export interface WorkerEvent {
  v: number;
  type: "announce" | "heartbeat" | "started" | "finished" | "bye";
  workerId: string;
  host: string;
  pid: number;
  /** Backend the worker serves, or "any". */
  backend: string;
  /** Device, e.g. "cpu" or "gpu 1". */
  device: string;
  /** Resident set size of the worker process, bytes. */
  rssBytes: number;
  /** Free/total system memory, bytes (where known). */
  memFreeBytes?: number;
  memTotalBytes?: number;
  /** Case in progress (for started/heartbeat) or just finished (for finished). */
  caseId?: string;
  status?: CaseStatus;
  /** Delivery number of the current case (1 = first). */
  delivery?: number;
  time: string;
}

/** Validates a worker event (untrusted: anyone on the subject can publish). */
export function parseWorkerEvent(data: Uint8Array): Parsed<WorkerEvent> {
  if (data.length > 16 * 1024) return { ok: false, reason: `oversized: ${data.length} bytes` };
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(data));
  } catch (e) {
    return { ok: false, reason: `not JSON: ${(e as Error).message}` };
  }
  if (typeof raw !== "object" || raw === null) return { ok: false, reason: "expected an object" };
  const e = raw as Record<string, unknown>;
  const types = ["announce", "heartbeat", "started", "finished", "bye"];
  if (!types.includes(e.type as string)) {
    return {
      ok: false,
      reason: `type: expected one of ${types.join("|")}, got ${JSON.stringify(e.type)}`,
    };
  }
  if (typeof e.workerId !== "string" || !WORKER_ID_RE.test(e.workerId)) {
    return { ok: false, reason: `workerId: got ${JSON.stringify(e.workerId)?.slice(0, 80)}` };
  }
  for (const k of ["host", "backend", "device", "time"]) {
    if (typeof e[k] !== "string" || (e[k] as string).length > 200) {
      return { ok: false, reason: `${k}: expected a string of at most 200 characters` };
    }
  }
  if (!Number.isInteger(e.pid) || (e.pid as number) < 0) {
    return { ok: false, reason: `pid: expected a non-negative integer` };
  }
  if (!isNum(e.rssBytes)) return { ok: false, reason: "rssBytes: expected a finite number" };
  if (e.caseId !== undefined && (typeof e.caseId !== "string" || !CASE_ID_RE.test(e.caseId))) {
    return { ok: false, reason: "caseId: expected a case id" };
  }
  return { ok: true, value: raw as WorkerEvent };
}
