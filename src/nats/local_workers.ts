/**
 * Local worker processes started by the embedded coordinator: one `deno run -A
 * workers/worker.ts …` per slot (one per GPU with `CUDA_VISIBLE_DEVICES`, else per CPU
 * slot), restarted when they exit while the sweep runs (a case that crashes its worker
 * must not end the sweep), and stopped at the end.
 *
 * Secrets go to the children through the environment (`NATS_TOKEN`, `NATS_USER`,
 * `NATS_PASSWORD`), never on their command line. Each child is started with
 * `--exit-on-stdin-close` and a pipe on stdin, so if the coordinator dies (even by
 * `kill -9`) the children notice the closed pipe and exit.
 *
 * @module
 */

/** The worker CLI, relative to this module. */
export const WORKER_SCRIPT = new URL("../../workers/worker.ts", import.meta.url);
/** The project's deno.json, passed explicitly so children resolve the same import map. */
const DENO_JSON = new URL("../../deno.json", import.meta.url);

/** One worker slot. */
export interface WorkerSlot {
  /** GPU index (sets `--gpu` and `CUDA_VISIBLE_DEVICES`), or undefined for a CPU worker. */
  gpu?: number;
}

/** Options of {@link startLocalWorkers}. */
export interface LocalWorkersOptions {
  natsUrl: string;
  sweepId: string;
  slots: WorkerSlot[];
  /** `--backend` of each worker. Default: any backend. */
  backend?: string;
  /** Secrets and settings passed through the environment. */
  env?: Record<string, string>;
  /** Extra arguments for every worker (e.g. the test-only `--fake-runner`). */
  args?: string[];
  /** Worker heartbeat interval, ms. */
  heartbeatMs?: number;
  memoryBudgetBytes?: number;
  /** Called with each line a worker prints, and on exits/restarts. */
  onLine?: (slot: number, line: string) => void;
  onExit?: (slot: number, pid: number, code: number, restarting: boolean) => void;
  /** A slot whose worker exits this many times in a row within `quickExitMs` of starting is given up. Default 5. */
  maxQuickExits?: number;
  /** Default 3000 ms. */
  quickExitMs?: number;
}

/** Running local workers. */
export interface LocalWorkers {
  /** Pids of the live worker processes. */
  pids(): number[];
  /** Rejects if a slot was given up (its worker keeps dying right after start). */
  readonly failed: Promise<never>;
  /** Stops all workers (SIGTERM, SIGKILL after `graceMs`) and stops restarting them. */
  stop(graceMs?: number): Promise<void>;
}

/** The worker command line of one slot. */
function workerArgs(opts: LocalWorkersOptions, slot: WorkerSlot): string[] {
  const a = [
    "run",
    "-A",
    `--config=${DENO_JSON.pathname}`,
    WORKER_SCRIPT.pathname,
    "--nats",
    opts.natsUrl,
    "--sweep",
    opts.sweepId,
    "--exit-on-stdin-close",
  ];
  if (opts.backend) a.push("--backend", opts.backend);
  if (slot.gpu !== undefined) a.push("--gpu", String(slot.gpu));
  if (opts.heartbeatMs !== undefined) a.push("--heartbeat-ms", String(opts.heartbeatMs));
  if (opts.memoryBudgetBytes !== undefined) {
    a.push("--memory-budget", String(opts.memoryBudgetBytes));
  }
  return [...a, ...(opts.args ?? [])];
}

/** Passes a child's output on line by line, keeping the last 20 lines in `tail`. */
async function pump(
  stream: ReadableStream<Uint8Array>,
  tail: string[],
  onLine: (line: string) => void,
): Promise<void> {
  const dec = new TextDecoder();
  let buf = "";
  for await (const chunk of stream) {
    buf += dec.decode(chunk, { stream: true });
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      tail.push(line);
      if (tail.length > 20) tail.shift();
      onLine(line);
    }
  }
  if (buf) {
    tail.push(buf);
    onLine(buf);
  }
}

/** Starts one worker process per slot and keeps it running until `stop()`. */
export function startLocalWorkers(opts: LocalWorkersOptions): LocalWorkers {
  const pool = new WorkerPool(opts);
  opts.slots.forEach((slot, i) => pool.spawn(i, slot, 0));
  return {
    pids: () => pool.pids(),
    failed: pool.failed,
    stop: (graceMs) => pool.stop(graceMs),
  };
}

/** The processes of {@link startLocalWorkers}. */
class WorkerPool {
  readonly #opts: LocalWorkersOptions;
  readonly #maxQuickExits: number;
  readonly #quickExitMs: number;
  #stopping = false;
  readonly #children = new Map<number, Deno.ChildProcess>();
  readonly #exits: Promise<void>[] = [];
  #rejectFailed!: (e: Error) => void;
  readonly failed: Promise<never>;

  constructor(opts: LocalWorkersOptions) {
    this.#opts = opts;
    this.#maxQuickExits = opts.maxQuickExits ?? 5;
    this.#quickExitMs = opts.quickExitMs ?? 3000;
    this.failed = new Promise<never>((_, reject) => (this.#rejectFailed = reject));
    this.failed.catch(() => {}); // observed by the coordinator; avoid unhandled rejections
  }

  pids(): number[] {
    return [...this.#children.values()].map((c) => c.pid);
  }

  /** Starts slot `index`'s worker (`quickExits`: its exits in a row right after start). */
  spawn(index: number, slot: WorkerSlot, quickExits: number): void {
    const env: Record<string, string> = { ...this.#opts.env };
    if (slot.gpu !== undefined) env.CUDA_VISIBLE_DEVICES = String(slot.gpu);
    const started = performance.now();
    const child = new Deno.Command(Deno.execPath(), {
      args: workerArgs(this.#opts, slot),
      env,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#children.set(index, child);
    const tail: string[] = [];
    const onLine = (line: string) => this.#opts.onLine?.(index, line);
    const pumps = Promise.all([
      pump(child.stdout, tail, onLine).catch(() => {}),
      pump(child.stderr, tail, onLine).catch(() => {}),
    ]);
    this.#exits.push(this.#onExit(index, slot, child, pumps, started, quickExits, tail));
  }

  /** After a worker exits: restart it, or give the slot up when it keeps dying at start. */
  async #onExit(
    index: number,
    slot: WorkerSlot,
    child: Deno.ChildProcess,
    pumps: Promise<unknown>,
    started: number,
    quickExits: number,
    tail: string[],
  ): Promise<void> {
    const status = await child.status;
    await pumps;
    try {
      await child.stdin.close();
    } catch { /* already closed */ }
    if (this.#children.get(index) === child) this.#children.delete(index);
    const quick = performance.now() - started < this.#quickExitMs;
    const nextQuick = quick ? quickExits + 1 : 0;
    const restarting = !this.#stopping && nextQuick < this.#maxQuickExits;
    this.#opts.onExit?.(index, child.pid, status.code, restarting);
    if (this.#stopping) return;
    if (!restarting) {
      this.#rejectFailed(
        new Error(
          `local worker ${index} exited ${nextQuick} times within ${this.#quickExitMs} ms of ` +
            `starting (last exit code ${status.code}); its last output:\n${tail.join("\n")}`,
        ),
      );
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
    if (!this.#stopping) this.spawn(index, slot, nextQuick);
  }

  /** Stops all workers (SIGTERM, SIGKILL after `graceMs`) and stops restarting them. */
  async stop(graceMs = 5000): Promise<void> {
    this.#stopping = true;
    const live = [...this.#children.values()];
    for (const c of live) {
      try {
        c.kill("SIGTERM");
      } catch { /* gone */ }
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const all = Promise.all(live.map((c) => c.status));
    const ok = await Promise.race([
      all.then(() => true),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), graceMs))),
    ]);
    clearTimeout(timer);
    if (!ok) {
      for (const c of live) {
        try {
          c.kill("SIGKILL");
        } catch { /* gone */ }
      }
      await all;
    }
    // Wait for the exit handlers (which may have been mid-restart) to settle.
    for (let n = 0; n !== this.#exits.length;) {
      n = this.#exits.length;
      await Promise.all(this.#exits);
    }
    for (const c of this.#children.values()) {
      try {
        c.kill("SIGKILL");
      } catch { /* gone */ }
      await c.status;
    }
  }
}
