/**
 * A terminal view of a distributed sweep, fed by `runDistributedSweep`'s `onEvent`: a
 * progress bar (cli-progress) and one line per worker (host, device, backend, memory,
 * current case). Without a terminal it prints one line per finished case and per worker
 * that joins or leaves.
 *
 * Everything shown that came over the network (host names, ids, messages) is stripped of
 * control characters first, so a hostile worker cannot drive the terminal with escapes.
 *
 * @example
 * ```ts
 * const view = createLiveView({ total: cases.length });
 * try {
 *   await runDistributedSweep({ ...opts, onEvent: view.onEvent });
 * } finally {
 *   view.stop();
 * }
 * ```
 *
 * @module
 */
import cliProgress from "cli-progress";
import process from "node:process";
import type { SweepEvent } from "./coordinator.ts";
import type { WorkerEvent } from "./protocol.ts";

/** Options of {@link createLiveView}. */
export interface LiveViewOptions {
  /** Number of cases (updated by the coordinator's `queued` event). */
  total?: number;
  /** Draw bars (default: when stderr is a terminal). */
  tty?: boolean;
  /** Line sink without a terminal. Default `console.error`. */
  write?: (line: string) => void;
  /** A worker silent for this long is shown as lost, ms. Default 15000. */
  staleMs?: number;
}

/** A live view. */
export interface LiveView {
  /** Pass as `onEvent`. */
  onEvent: (e: SweepEvent) => void;
  /** The worker lines as they would be drawn now. */
  workerLines(): string[];
  /** Stops drawing (call at the end, also on errors). */
  stop(): void;
}

/** Removes control characters (ESC, CR, …) and truncates: safe to print. */
export function sanitize(s: unknown, max = 80): string {
  // deno-lint-ignore no-control-regex
  const clean = String(s ?? "").replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");
  return clean.length > max ? clean.slice(0, max - 1) + "…" : clean;
}

const mib = (b: number | undefined) => b === undefined ? "?" : `${Math.round(b / 2 ** 20)} MiB`;
const gib = (b: number | undefined) => b === undefined ? "?" : `${(b / 2 ** 30).toFixed(1)}`;

/** One worker's line: `host gpu 1 [tensorflow] rss 310 MiB free 12.3/24.0 GiB running <id> (#2)`. */
export function formatWorkerLine(
  w: Omit<WorkerEvent, "v" | "type">,
  nowMs: number,
  staleMs = 15_000,
): string {
  const age = nowMs - Date.parse(w.time);
  const state = w.caseId
    ? `running ${sanitize(w.caseId, 24)}${(w.delivery ?? 1) > 1 ? ` (#${w.delivery})` : ""}`
    : "idle";
  const lost = Number.isFinite(age) && age > staleMs ? ` — silent ${Math.round(age / 1000)} s` : "";
  return `${sanitize(w.host, 32)} ${sanitize(w.device, 16)} [${sanitize(w.backend, 12)}] ` +
    `rss ${mib(w.rssBytes)} free ${gib(w.memFreeBytes)}/${
      gib(w.memTotalBytes)
    } GiB ${state}${lost}`;
}

/** Creates a live view; see the module doc. */
export function createLiveView(opts: LiveViewOptions = {}): LiveView {
  const tty = opts.tty ?? Deno.stderr.isTerminal();
  const write = opts.write ?? ((l: string) => console.error(l));
  const staleMs = opts.staleMs ?? 15_000;
  let total = opts.total ?? 0;
  let done = 0;
  let failed = 0;
  const workers = new Map<string, Omit<WorkerEvent, "v" | "type">>();
  const gone = new Set<string>();

  const multi = tty
    ? new cliProgress.MultiBar({
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
      autopadding: true,
      format: "{bar} {value}/{total} cases | {failed} failed | ETA {eta_formatted}",
    }, cliProgress.Presets.shades_classic)
    : undefined;
  const main = multi?.create(total, 0, { failed: 0 });
  const bars = new Map<string, cliProgress.SingleBar>();

  const lines = () =>
    [...workers.entries()].map(([id, w]) =>
      `${gone.has(id) ? "(left) " : ""}${formatWorkerLine(w, Date.now(), staleMs)}`
    );

  const redraw = () => {
    if (!multi || !main) return;
    main.setTotal(Math.max(total, 1));
    main.update(done, { failed });
    for (const [id, w] of workers) {
      const line = `  ${gone.has(id) ? "(left) " : ""}${formatWorkerLine(w, Date.now(), staleMs)}`;
      let bar = bars.get(id);
      if (!bar) {
        bar = multi.create(1, 0, { line }, { format: "{line}" });
        bars.set(id, bar);
      }
      bar.update(0, { line });
    }
  };

  const onEvent = (e: SweepEvent) => {
    switch (e.type) {
      case "queued":
        total = e.total;
        done = e.alreadyDone;
        break;
      case "case-finished":
        done = e.done;
        total = e.total;
        if (!tty) {
          const r = e.result;
          write(
            `[${done}/${total}] ${sanitize(r.id, 24)} ${r.status} ` +
              `${r.timeMs ? `${r.timeMs.median.toFixed(1)} ms` : ""} on ${
                sanitize(r.worker?.host, 32)
              }`,
          );
        }
        break;
      case "case-failed":
        done = e.done;
        total = e.total;
        failed++;
        if (!tty) {
          write(`[${done}/${total}] ${sanitize(e.caseId, 24)} failed: ${sanitize(e.reason, 200)}`);
        } else multi?.log(`case ${sanitize(e.caseId, 24)} failed: ${sanitize(e.reason, 200)}\n`);
        break;
      case "worker": {
        const { v: _v, type, ...row } = e.worker;
        // `finished` names the case just done: the worker is idle now.
        if (type === "finished" || type === "bye") row.caseId = undefined;
        const known = workers.has(row.workerId);
        workers.set(row.workerId, row);
        if (type === "bye") gone.add(row.workerId);
        else gone.delete(row.workerId);
        if (!tty && (!known || type === "bye")) {
          write(
            `worker ${type === "bye" ? "left" : "joined"}: ${
              formatWorkerLine(row, Date.now(), staleMs)
            }`,
          );
        }
        break;
      }
      case "worker-exit":
        if (e.code !== 0) {
          const msg = `local worker ${e.slot} (pid ${e.pid}) exited with code ${e.code}` +
            (e.restarting ? "; restarting it" : "");
          if (tty) multi?.log(msg + "\n");
          else write(msg);
        }
        break;
      case "server":
        if (!tty) write(`nats: ${e.embedded ? "embedded server" : "cluster"} ${sanitize(e.url)}`);
        break;
      case "log":
        if (tty) multi?.log(sanitize(e.message, 300) + "\n");
        else write(sanitize(e.message, 300));
        break;
      case "case-started":
        break;
    }
    redraw();
  };

  return {
    onEvent,
    workerLines: lines,
    stop() {
      multi?.stop();
    },
  };
}
