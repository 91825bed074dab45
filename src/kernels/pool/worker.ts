/**
 * A {@link ThreadPool} worker: waits on the control block for a job, joins it while it is
 * open, takes units until none are left, reports done, and waits again. It exits when told
 * to (`EXIT`) or after `idleMs` without a job (clearing its slot first), so an idle pool
 * never keeps a process alive for long. See `protocol.ts`.
 *
 * @module
 */
import { CTL, jobArrays, PARAMS_BYTE_OFFSET, type WorkerInit } from "./protocol.ts";
import { JOB_KINDS, JOB_NAMES } from "./jobs.ts";

function serve({ control, arena, slot, idleMs }: WorkerInit): void {
  const ctl = new Int32Array(control);
  const params = new Float64Array(control, PARAMS_BYTE_OFFSET);
  let seen = Atomics.load(ctl, CTL.GEN);
  for (;;) {
    const woke = Atomics.wait(ctl, CTL.GEN, seen, idleMs);
    if (Atomics.load(ctl, CTL.EXIT) !== 0) return;
    if (woke === "timed-out") {
      // Idle: leave, unless the main thread is just starting a job with us (slot kept).
      if (Atomics.compareExchange(ctl, CTL.SLOTS + slot, 1, 0) === 1) return;
      continue;
    }
    seen = Atomics.load(ctl, CTL.GEN);
    let joined = Atomics.load(ctl, CTL.JOIN);
    while (joined >= 0) {
      const was = Atomics.compareExchange(ctl, CTL.JOIN, joined, joined + 1);
      if (was === joined) break;
      joined = was;
    }
    if (joined < 0) continue; // closed: the main thread finished without us
    try {
      const kind = JOB_KINDS[JOB_NAMES[ctl[CTL.KIND]]];
      const units = ctl[CTL.UNITS];
      let u = Atomics.add(ctl, CTL.NEXT, 1);
      if (u < units) {
        const state = kind.prepare(jobArrays(ctl, arena), params);
        for (; u < units; u = Atomics.add(ctl, CTL.NEXT, 1)) {
          kind.run(state, u);
          Atomics.add(ctl, CTL.WORKER_UNITS, 1);
        }
      }
    } catch (e) {
      console.error(`pool worker ${slot}:`, e);
      Atomics.store(ctl, CTL.ERR, 1);
    } finally {
      Atomics.add(ctl, CTL.DONE, 1);
      Atomics.notify(ctl, CTL.DONE);
    }
  }
}

/** The worker scope's slice used here. */
const scope = self as unknown as {
  onmessage: ((e: MessageEvent<WorkerInit>) => void) | null;
  close(): void;
};
scope.onmessage = (e) => {
  scope.onmessage = null;
  serve(e.data);
  scope.close();
};
