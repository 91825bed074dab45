/**
 * The coordinator's side of a sweep's work queue (JetStream work-queue stream, one
 * consumer per backend): reset, what an earlier run left queued, publish, how busy it is.
 *
 * @module
 */
import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import { caseId } from "../case/id.ts";
import type { Case } from "../results.ts";
import {
  consumerName,
  encodeWorkMessage,
  limitsStream,
  parseWorkMessage,
  streamNames,
  subjects,
  WORK_BACKENDS,
  workBackendOf,
} from "./protocol.ts";

/** Deletes the sweep's streams (a fresh run starts from empty ones). */
export async function deleteSweepStreams(jsm: JetStreamManager, sweepId: string): Promise<void> {
  const names = streamNames(sweepId);
  for (const s of [names.work, names.results, limitsStream(sweepId)]) {
    await jsm.streams.delete(s).catch(() => false);
  }
}

/** Deletes a finished sweep's work queue and limits (so `--sweep all` workers drop it). */
export async function deleteFinishedQueue(jsm: JetStreamManager, sweepId: string): Promise<void> {
  await jsm.streams.delete(streamNames(sweepId).work);
  await jsm.streams.delete(limitsStream(sweepId));
}

/** Case ids still in the work stream (queued by an earlier run, not yet taken). */
export async function queuedCaseIds(jsm: JetStreamManager, sweepId: string): Promise<Set<string>> {
  const ids = new Set<string>();
  const work = streamNames(sweepId).work;
  const st = (await jsm.streams.info(work)).state;
  if (st.messages === 0) return ids;
  for (let seq = st.first_seq; seq <= st.last_seq; seq++) {
    const m = await jsm.streams.getMessage(work, { seq }).catch(() => null);
    if (!m) continue;
    const w = parseWorkMessage(m.data, sweepId);
    if (w.ok) ids.add(w.value.id);
  }
  return ids;
}

/** Publishes `cases` in order, each to its backend's work subject. */
export async function publishWork(
  js: JetStreamClient,
  sweepId: string,
  cases: readonly Case[],
): Promise<void> {
  const subj = subjects(sweepId);
  for (const c of cases) {
    await js.publish(subj.work(workBackendOf(c)), encodeWorkMessage(sweepId, caseId(c), c));
  }
}

/** Deliveries pending or awaiting an ack on all work consumers (throws when unreachable). */
export async function busyDeliveries(jsm: JetStreamManager, sweepId: string): Promise<number> {
  let busy = 0;
  for (const b of WORK_BACKENDS) {
    const ci = await jsm.consumers.info(streamNames(sweepId).work, consumerName(b));
    busy += ci.num_pending + ci.num_ack_pending;
  }
  return busy;
}
