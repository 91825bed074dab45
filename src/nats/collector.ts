/**
 * The coordinator's collector: reads the sweep's results stream (an ordered consumer from
 * the start, so a result published while the coordinator was away is read too), validates
 * each message and records it in the engine's {@link ResultsSink}.
 *
 * Only valid results count: the message must pass `parseResultMessage` (size limit,
 * schema, id = the subject's case id) and name a case of this sweep; the sweep's own case
 * object is stored (the message's copy is only checked). Anything else is logged (the
 * first 20) and ignored. Duplicates are the sink's business (the first valid one wins).
 *
 * @module
 */
import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import type { ConsumerMessages } from "@nats-io/jetstream";
import type { SweepEvent } from "../sweep/engine.ts";
import type { ResultsSink } from "../sweep/results_sink.ts";
import { parseResultMessage, streamNames, subjects } from "./protocol.ts";

/** Ignored messages logged before the collector goes quiet. */
const MAX_LOGGED = 20;

/** Validates result messages into a sink (see the module doc). */
export class Collector {
  #sweepId: string;
  #sink: ResultsSink;
  #emit: (e: SweepEvent) => void;
  #ignored = 0;

  constructor(sweepId: string, sink: ResultsSink, emit: (e: SweepEvent) => void) {
    this.#sweepId = sweepId;
    this.#sink = sink;
    this.#emit = emit;
  }

  /** Messages ignored so far. */
  get ignored(): number {
    return this.#ignored;
  }

  /**
   * Validates a message of the results stream and records it. Returns whether the case
   * now has a result (recorded now or before).
   */
  accept(data: Uint8Array, subject: string): boolean {
    const p = parseResultMessage(data, subject);
    const c = p.ok ? this.#sink.caseOf(p.value.id) : undefined;
    if (!p.ok || !c) {
      this.#ignore(
        subject,
        p.ok ? `id: ${p.value.id} is not a case of sweep ${this.#sweepId}` : p.reason,
      );
      return false;
    }
    this.#sink.record({ ...p.value, case: c });
    return this.#sink.has(p.value.id);
  }

  #ignore(subject: string, reason: string): void {
    if (++this.#ignored > MAX_LOGGED) return;
    this.#emit({
      type: "log",
      message: `ignored a message on ${subject.slice(0, 120)}: ${reason}${
        this.#ignored === MAX_LOGGED ? " (further ones are not logged)" : ""
      }`,
    });
  }

  /** Reads the results stream from its start until the returned messages are closed. */
  async follow(js: JetStreamClient): Promise<ConsumerMessages> {
    const consumer = await js.consumers.get(streamNames(this.#sweepId).results);
    const msgs = await consumer.consume();
    (async () => {
      for await (const m of msgs) this.accept(m.data, m.subject);
    })().catch(() => {});
    return msgs;
  }

  /**
   * Looks case `id` up in the results stream (its last message) and accepts it. Returns
   * whether the case has a result now. A lookup that fails counts as "not found".
   */
  async lookup(jsm: JetStreamManager, id: string): Promise<boolean> {
    if (this.#sink.has(id)) return true;
    const m = await jsm.streams.getMessage(streamNames(this.#sweepId).results, {
      last_by_subj: subjects(this.#sweepId).result(id),
    }).catch(() => null);
    return m ? this.accept(m.data, m.subject) : false;
  }
}
