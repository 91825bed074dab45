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

/** Starts one worker process per slot and keeps it running until `stop()`. */
export function startLocalWorkers(opts: LocalWorkersOptions): LocalWorkers {
  const maxQuickExits = opts.maxQuickExits ?? 5;
  const quickExitMs = opts.quickExitMs ?? 3000;
  let stopping = false;
  const children = new Map<number, Deno.ChildProcess>();
  const exits: Promise<void>[] = [];
  let rejectFailed!: (e: Error) => void;
  const failed = new Promise<never>((_, reject) => (rejectFailed = reject));
  failed.catch(() => {}); // observed by the coordinator; avoid unhandled rejections

  const argsFor = (slot: WorkerSlot): string[] => {
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
  };

  const pump = async (slot: number, stream: ReadableStream<Uint8Array>, tail: string[]) => {
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
        opts.onLine?.(slot, line);
      }
    }
    if (buf) {
      tail.push(buf);
      opts.onLine?.(slot, buf);
    }
  };

  const spawn = (index: number, slot: WorkerSlot, quickExits: number) => {
    const env: Record<string, string> = { ...opts.env };
    if (slot.gpu !== undefined) env.CUDA_VISIBLE_DEVICES = String(slot.gpu);
    const started = performance.now();
    const child = new Deno.Command(Deno.execPath(), {
      args: argsFor(slot),
      env,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    children.set(index, child);
    const tail: string[] = [];
    const pumps = Promise.all([
      pump(index, child.stdout, tail).catch(() => {}),
      pump(index, child.stderr, tail).catch(() => {}),
    ]);
    exits.push((async () => {
      const status = await child.status;
      await pumps;
      try {
        await child.stdin.close();
      } catch { /* already closed */ }
      if (children.get(index) === child) children.delete(index);
      const quick = performance.now() - started < quickExitMs;
      const nextQuick = quick ? quickExits + 1 : 0;
      const restarting = !stopping && nextQuick < maxQuickExits;
      opts.onExit?.(index, child.pid, status.code, restarting);
      if (stopping) return;
      if (!restarting) {
        rejectFailed(
          new Error(
            `local worker ${index} exited ${nextQuick} times within ${quickExitMs} ms of starting ` +
              `(last exit code ${status.code}); its last output:\n${tail.join("\n")}`,
          ),
        );
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
      if (!stopping) spawn(index, slot, nextQuick);
    })());
  };

  opts.slots.forEach((slot, i) => spawn(i, slot, 0));

  return {
    pids: () => [...children.values()].map((c) => c.pid),
    failed,
    async stop(graceMs = 5000) {
      stopping = true;
      const live = [...children.values()];
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
      for (let n = 0; n !== exits.length;) {
        n = exits.length;
        await Promise.all(exits);
      }
      for (const c of children.values()) {
        try {
          c.kill("SIGKILL");
        } catch { /* gone */ }
        await c.status;
      }
    },
  };
}
