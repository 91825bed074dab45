/**
 * A pool of Deno workers sharing memory, for kernels that must return synchronously
 * (TensorFlow.js `kernelFunc`s): the calling thread copies the job's inputs into a shared
 * arena, wakes the workers, takes its own share of the units, then blocks
 * (`Atomics.wait`, which Deno allows on the main thread) until every worker that joined
 * is done, and copies the outputs out.
 *
 * - `threads` counts the calling thread: a pool of `threads` has `threads − 1` workers.
 * - Workers are created on the first job (and re-created after they idled out, see
 *   `idleMs`); a job never waits for a worker to start: it runs with whoever is ready, the
 *   calling thread doing the rest. Units are split so that results never depend on the
 *   thread count (see `jobs.ts`).
 * - {@link ThreadPool.dispose} tells the workers to exit and terminates them. A worker
 *   also exits by itself after `idleMs` without a job: a Deno process stays alive while
 *   any worker runs, so a forgotten pool delays exit by at most `idleMs`.
 *
 * @module
 */
import {
  ARENA_ALIGN,
  CONTROL_BYTES,
  CTL,
  jobArrays,
  MAX_ARRAYS,
  MAX_PARAMS,
  MAX_WORKERS,
  PARAMS_BYTE_OFFSET,
  type WorkerInit,
} from "./protocol.ts";
import { JOB_KINDS, JOB_NAMES } from "./jobs.ts";

/** Options of {@link ThreadPool}. */
export interface ThreadPoolOptions {
  /** Threads including the caller's (default `navigator.hardwareConcurrency`), 1–65. */
  threads?: number;
  /** A worker exits after this long without a job, ms (default 2000). */
  idleMs?: number;
  /**
   * Largest arena, bytes (default 1 GiB: the arena holds a copy of a job's arrays for as
   * long as the pool lives, on top of the caller's own); a bigger job throws a RangeError,
   * and {@link ThreadPool.fits} says so beforehand (our kernels then run single-threaded).
   */
  maxArenaBytes?: number;
}

/** A job for {@link ThreadPool.run}. */
export interface PoolJob {
  /** A name of `JOB_KINDS` (jobs.ts). */
  kind: string;
  /** Inputs, copied into the arena (in order, before the outputs). */
  inputs: readonly Float32Array[];
  /** Outputs, copied from the arena after the job (the job overwrites all of them). */
  outputs: readonly Float32Array[];
  /** Numeric parameters (at most 32). */
  params: readonly number[];
  /** Number of units. */
  units: number;
  /**
   * Work the calling thread does first, on its own arrays, while the workers take units
   * (e.g. the rows that were not copied into the arena); then it takes units like a worker.
   */
  callerWork?: () => void;
}

/** The default thread count: every core (`navigator.hardwareConcurrency`, else 1). */
export function defaultThreads(): number {
  return Math.max(1, Math.min(MAX_WORKERS + 1, navigator.hardwareConcurrency || 1));
}

/** Checks a thread count: an integer in [1, 65]; throws a RangeError naming the value. */
export function checkThreads(threads: unknown, what = "threads"): number {
  if (typeof threads !== "number" || !Number.isInteger(threads) || threads < 1) {
    throw new RangeError(`${what}: expected an integer ≥ 1, got ${String(threads)}`);
  }
  if (threads > MAX_WORKERS + 1) {
    throw new RangeError(`${what}: expected an integer ≤ ${MAX_WORKERS + 1}, got ${threads}`);
  }
  return threads;
}

const WORKER_URL = new URL("./worker.ts", import.meta.url);

/** Arena layout of `arrays`: every array at a cache-line boundary; offsets and total bytes. */
function arenaLayout(arrays: readonly Float32Array[]): { offsets: number[]; bytes: number } {
  const offsets: number[] = [];
  let bytes = 0;
  for (const a of arrays) {
    offsets.push(bytes);
    bytes += Math.ceil((4 * a.length) / ARENA_ALIGN) * ARENA_ALIGN;
  }
  return { offsets, bytes };
}

/** A pool of `threads − 1` shared-memory workers plus the calling thread. */
export class ThreadPool {
  /** Threads, the caller's included. */
  readonly threads: number;
  readonly #idleMs: number;
  readonly #control = new SharedArrayBuffer(CONTROL_BYTES);
  readonly #ctl = new Int32Array(this.#control);
  readonly #params = new Float64Array(this.#control, PARAMS_BYTE_OFFSET, MAX_PARAMS);
  readonly #arena: SharedArrayBuffer;
  readonly #workers: (Worker | undefined)[];
  #disposed = false;
  #running = false;
  /** Why workers are no longer started (a worker failed to load or threw), if they are not. */
  #broken: string | undefined;

  constructor(options: ThreadPoolOptions = {}) {
    this.threads = checkThreads(options.threads ?? defaultThreads());
    this.#idleMs = options.idleMs ?? 2000;
    const max = options.maxArenaBytes ?? 2 ** 30;
    this.#arena = new SharedArrayBuffer(0, { maxByteLength: max });
    this.#workers = new Array(this.threads - 1).fill(undefined);
  }

  /** Workers alive now (started and neither idled out nor disposed). */
  get liveWorkers(): number {
    let n = 0;
    for (let w = 0; w < this.#workers.length; w++) {
      if (Atomics.load(this.#ctl, CTL.SLOTS + w) === 1) n++;
    }
    return n;
  }

  /** Bytes the arena holds now (kept for the next job; freed by {@link dispose}). */
  get arenaBytes(): number {
    return this.#arena.byteLength;
  }

  /** Units of the last job that workers ran (the calling thread ran the others). */
  get lastWorkerUnits(): number {
    return Atomics.load(this.#ctl, CTL.WORKER_UNITS);
  }

  /** Whether {@link dispose} was called. */
  get disposed(): boolean {
    return this.#disposed;
  }

  /** Why the pool stopped starting workers (the calling thread then runs every unit). */
  get brokenReason(): string | undefined {
    return this.#broken;
  }

  /** Starts a worker in every slot that has none (or whose worker idled out). */
  #spawn(): void {
    if (this.#broken) return;
    for (let w = 0; w < this.#workers.length; w++) {
      if (Atomics.compareExchange(this.#ctl, CTL.SLOTS + w, 0, 1) !== 0) continue;
      this.#workers[w]?.terminate(); // idled out: already closed
      const worker = new Worker(WORKER_URL, { type: "module" });
      // An uncaught error in a worker would end this process: report it once, start no more
      // workers, and let the calling thread run every unit (jobs never wait for a worker).
      worker.onerror = (e) => {
        e.preventDefault();
        if (!this.#broken) {
          this.#broken = `worker ${w}: ${e.message}`;
          console.error(`ThreadPool: ${this.#broken}; continuing on the calling thread`);
        }
      };
      const init: WorkerInit = {
        control: this.#control,
        arena: this.#arena,
        slot: w,
        idleMs: this.#idleMs,
      };
      worker.postMessage(init);
      this.#workers[w] = worker;
    }
  }

  /** Whether `job`'s arrays fit in the arena (at most `maxArenaBytes`). */
  fits(job: Pick<PoolJob, "inputs" | "outputs">): boolean {
    return arenaLayout([...job.inputs, ...job.outputs]).bytes <= this.#arena.maxByteLength;
  }

  /**
   * Runs `job` on every thread of the pool and returns when all of it is done (outputs
   * written). Synchronous: the calling thread blocks.
   *
   * @throws RangeError naming the value for an unknown kind, too many arrays or params,
   *   or an arena over `maxArenaBytes`; Error when a unit threw (on any thread).
   */
  run(job: PoolJob): void {
    if (this.#disposed) throw new Error("ThreadPool.run: the pool is disposed");
    if (this.#running) throw new Error("ThreadPool.run: a job is already running (re-entered)");
    const kindIndex = JOB_NAMES.indexOf(job.kind);
    if (kindIndex < 0) {
      throw new RangeError(`ThreadPool.run: kind: expected one of ${JOB_NAMES}, got ${job.kind}`);
    }
    const arrays = [...job.inputs, ...job.outputs];
    if (arrays.length > MAX_ARRAYS) {
      throw new RangeError(`ThreadPool.run: at most ${MAX_ARRAYS} arrays, got ${arrays.length}`);
    }
    if (job.params.length > MAX_PARAMS) {
      throw new RangeError(
        `ThreadPool.run: at most ${MAX_PARAMS} params, got ${job.params.length}`,
      );
    }
    const { offsets, bytes } = arenaLayout(arrays);
    if (bytes > this.#arena.byteLength) {
      if (bytes > this.#arena.maxByteLength) {
        throw new RangeError(
          `ThreadPool.run: the job needs ${bytes} bytes, over the arena's ${this.#arena.maxByteLength}`,
        );
      }
      this.#arena.grow(bytes);
    }
    const ctl = this.#ctl;
    arrays.forEach((a, i) => {
      ctl[CTL.ARRAYS + 2 * i] = offsets[i] / 4;
      ctl[CTL.ARRAYS + 2 * i + 1] = a.length;
    });
    ctl[CTL.NARRAYS] = arrays.length;
    ctl[CTL.KIND] = kindIndex;
    ctl[CTL.UNITS] = job.units;
    this.#params.fill(0);
    this.#params.set(job.params);
    const views = jobArrays(ctl, this.#arena);
    job.inputs.forEach((a, i) => views[i].set(a));
    this.#spawn();
    this.#running = true;
    Atomics.store(ctl, CTL.NEXT, 0);
    Atomics.store(ctl, CTL.DONE, 0);
    Atomics.store(ctl, CTL.ERR, 0);
    Atomics.store(ctl, CTL.WORKER_UNITS, 0);
    Atomics.store(ctl, CTL.JOIN, 0);
    Atomics.add(ctl, CTL.GEN, 1);
    Atomics.notify(ctl, CTL.GEN);
    try {
      job.callerWork?.();
      const kind = JOB_KINDS[job.kind];
      let u = Atomics.add(ctl, CTL.NEXT, 1);
      if (u < job.units) {
        const state = kind.prepare(views, this.#params);
        for (; u < job.units; u = Atomics.add(ctl, CTL.NEXT, 1)) kind.run(state, u);
      }
    } finally {
      // Close the job, then wait for the workers that joined it.
      let joined = Atomics.load(ctl, CTL.JOIN);
      for (;;) {
        const was = Atomics.compareExchange(ctl, CTL.JOIN, joined, -1);
        if (was === joined) break;
        joined = was;
      }
      for (
        let done = Atomics.load(ctl, CTL.DONE);
        done < joined;
        done = Atomics.load(ctl, CTL.DONE)
      ) {
        Atomics.wait(ctl, CTL.DONE, done);
      }
      this.#running = false;
    }
    if (Atomics.load(ctl, CTL.ERR) !== 0) {
      throw new Error(`ThreadPool.run: a unit of ${job.kind} threw in a worker (see stderr)`);
    }
    const n = job.inputs.length;
    job.outputs.forEach((a, i) => a.set(views[n + i]));
  }

  /** Tells every worker to exit and terminates it; the pool cannot run jobs afterwards. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    Atomics.store(this.#ctl, CTL.EXIT, 1);
    Atomics.notify(this.#ctl, CTL.GEN);
    for (let w = 0; w < this.#workers.length; w++) {
      this.#workers[w]?.terminate();
      this.#workers[w] = undefined;
      Atomics.store(this.#ctl, CTL.SLOTS + w, 0);
    }
  }
}
