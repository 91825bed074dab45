/**
 * The coordinator's watchdog: waits until every case has a result, and meanwhile
 *
 * - says when the nats-server has been unreachable for 10 s (again every 10 s), or, while
 *   connected, when no worker has been heard from for `noWorkerWarnMs` (naming the
 *   command that starts one); the sweep keeps waiting (workers of a cluster may join
 *   late, a server may come back);
 * - polls the work consumers every `pollMs` (or at once on {@link Watchdog.wake}, e.g. on
 *   a max-deliveries advisory, which is only a hint since anyone with the credentials can
 *   forge one): when nothing is pending or in flight for two polls in a row while cases
 *   are unresolved, JetStream has given up on them (delivery limit) and `giveUp` runs;
 * - stops with the first of `failures` that rejects (abort, write failure, server lost
 *   for good, local workers that keep dying).
 *
 * @module
 */
import type { ResultsSink } from "../sweep/results_sink.ts";

/** Options of {@link Watchdog}. */
export interface WatchdogOptions {
  sink: ResultsSink;
  /** Poll interval, ms. */
  pollMs: number;
  /** Say so after this long without a worker event, ms (0: never). */
  noWorkerWarnMs: number;
  /** performance.now() of the latest worker event (0: none). */
  lastHeard: () => number;
  /** performance.now() since when the server is unreachable, undefined while connected. */
  lostSince: () => number | undefined;
  /** Deliveries pending or in flight on the work consumers (throws when unreachable). */
  busy: () => Promise<number>;
  /** Called when the queue is idle with cases unresolved: look them up, fail the rest. */
  giveUp: () => Promise<void>;
  /** How to start a worker, for the no-worker message (`deno task worker …`). */
  workerCommand: string;
  /** The sweep id, for the `--resume` hint. */
  sweepId: string;
  log: (message: string) => void;
  /** Any rejection stops the wait with that error. */
  failures: Promise<never>[];
  /** Clock of the reminders, ms (tests). Default `performance.now`. */
  now?: () => number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** See the module doc. */
export class Watchdog {
  #o: WatchdogOptions;
  #wakeUp: (() => void) | undefined;
  #woken = false;
  #warnedAt = 0;
  #since = 0;
  #idlePolls = 0;

  constructor(opts: WatchdogOptions) {
    this.#o = opts;
    opts.sink.onRecord(() => opts.sink.complete && this.wake());
  }

  #now(): number {
    return this.#o.now?.() ?? performance.now();
  }

  /** Look at the consumers now instead of after `pollMs`. */
  wake(): void {
    this.#woken = true;
    this.#wakeUp?.();
  }

  /** Waits until every case has a result (see the module doc). */
  async run(): Promise<void> {
    this.#since = this.#warnedAt = this.#now();
    while (!this.#o.sink.complete) {
      this.#remind();
      await this.#tick();
      if (this.#o.sink.complete) break;
      if (await this.#idle()) await this.#o.giveUp();
    }
  }

  /** Sleeps until the next poll, a wake-up or a failure (which throws). */
  async #tick(): Promise<void> {
    if (this.#woken) {
      this.#woken = false;
      return;
    }
    await Promise.race([
      sleep(this.#o.pollMs),
      new Promise<void>((r) => (this.#wakeUp = r)),
      ...this.#o.failures,
    ]);
    this.#wakeUp = undefined;
    this.#woken = false;
  }

  /** Whether the work queue was idle for two polls in a row. */
  async #idle(): Promise<boolean> {
    try {
      this.#idlePolls = (await this.#o.busy()) === 0 ? this.#idlePolls + 1 : 0;
    } catch {
      this.#idlePolls = 0; // server unreachable (restarting?): try again next poll
    }
    return this.#idlePolls >= 2;
  }

  /** The reminders: server unreachable, or no worker heard. */
  #remind(): void {
    const o = this.#o;
    const now = this.#now();
    const hint = `(Ctrl-C stops the sweep; --resume ${o.sweepId} continues it)`;
    const lost = o.lostSince();
    if (lost !== undefined) {
      if (now - Math.max(lost, this.#warnedAt) < 10_000) return;
      this.#warnedAt = now;
      o.log(
        `the nats-server has been unreachable for ${
          Math.round((now - lost) / 1000)
        } s; still waiting ${hint}`,
      );
      return;
    }
    if (o.noWorkerWarnMs <= 0 || now - Math.max(o.lastHeard(), this.#warnedAt) < o.noWorkerWarnMs) {
      return;
    }
    this.#warnedAt = now;
    o.log(
      `no worker has been heard from for ${
        Math.round((now - Math.max(o.lastHeard(), this.#since)) / 1000)
      } s and ${o.sink.total - o.sink.size} cases are waiting; start one with: ` +
        `${o.workerCommand} ${hint}`,
    );
  }
}
