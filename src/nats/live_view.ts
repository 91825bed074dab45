/**
 * A terminal view of a distributed sweep, fed by `runDistributedSweep`'s `onEvent`: a
 * progress bar (cli-progress: cases done/total — failed ones count as done — failures,
 * ETA) and one line per worker (host, device, backend, memory, current case). Cases that
 * fail (`failed`, and `oom`/`timeout`/`error` that really ran) are printed as they
 * happen. Without a terminal it prints one line per finished case and per worker that
 * joins or leaves.
 *
 * ETA: mean wall time per case finished in this run × cases left ("…" before the first
 * one); it restarts with each run (`queued` event), e.g. in a scaling study.
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
import { fmtBytes } from "../report/format.ts";
import cliProgress from "cli-progress";
import process from "node:process";
import type { CaseResult } from "../results.ts";
import type { SweepEvent } from "../sweep/engine.ts";
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
  /** A readable name of a case id (e.g. `se3-hyena forward N=4096`). Default: the id. */
  caseLabel?: (caseId: string) => string | undefined;
  /** One line describing a result. Default: id, status, median time, host. */
  formatResult?: (r: CaseResult) => string;
  /** Clock, ms (tests). Default `performance.now`. */
  now?: () => number;
}

/** A live view. */
export interface LiveView {
  /** Pass as `onEvent`. */
  onEvent: (e: SweepEvent) => void;
  /** The worker lines as they would be drawn now. */
  workerLines(): string[];
  /** What the progress bar shows now: cases done (failed ones included), total, failures, ETA. */
  progress(): { done: number; total: number; failed: number; eta: string };
  /** Stops drawing (call at the end, also on errors). */
  stop(): void;
}

/** Removes control characters (ESC, CR, …) and truncates: safe to print. */
export function sanitize(s: unknown, max = 80): string {
  // deno-lint-ignore no-control-regex
  const clean = String(s ?? "").replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");
  return clean.length > max ? clean.slice(0, max - 1) + "…" : clean;
}

const mib = (b: number | undefined) =>
  b === undefined ? "?" : fmtBytes(b, { fixed: 1, minUnit: "MiB" });
const gib = (b: number | undefined) =>
  b === undefined ? "?" : fmtBytes(b, { fixed: 1, minUnit: "GiB" });

/**
 * One worker's line: `host gpu 1 [tensorflow] rss 310.0 MiB free 12.3 GiB/24.0 GiB running <case> (#2)`,
 * where `<case>` is `caseLabel(caseId)` if given and known, else the id.
 */
export function formatWorkerLine(
  w: Omit<WorkerEvent, "v" | "type">,
  nowMs: number,
  staleMs = 15_000,
  caseLabel?: (caseId: string) => string | undefined,
): string {
  const age = nowMs - Date.parse(w.time);
  const name = w.caseId ? (caseLabel?.(w.caseId) ?? w.caseId) : "";
  const state = w.caseId
    ? `running ${sanitize(name, 60)}${(w.delivery ?? 1) > 1 ? ` (#${w.delivery})` : ""}`
    : "idle";
  const lost = Number.isFinite(age) && age > staleMs ? ` — silent ${Math.round(age / 1000)} s` : "";
  return `${sanitize(w.host, 32)}:${sanitize(w.pid, 10)} ${sanitize(w.device, 16)} [${
    sanitize(w.backend, 12)
  }] ` +
    `rss ${mib(w.rssBytes)} free ${gib(w.memFreeBytes)}/${gib(w.memTotalBytes)} ${state}${lost}`;
}

/** Formats seconds as `42s` or `3m07s`. */
export function formatEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

const defaultFormatResult = (r: CaseResult): string =>
  `${sanitize(r.id, 24)} ${r.status} ${r.timeMs ? `${r.timeMs.median.toFixed(1)} ms` : ""} on ${
    sanitize(r.worker?.host, 32)
  }`;

/** Creates a live view; see the module doc. */
export function createLiveView(opts: LiveViewOptions = {}): LiveView {
  const tty = opts.tty ?? Deno.stderr.isTerminal();
  const write = opts.write ?? ((l: string) => console.error(l));
  const staleMs = opts.staleMs ?? 15_000;
  const now = opts.now ?? (() => performance.now());
  const label = (id: string) => opts.caseLabel?.(id) ?? id;
  const formatResult = opts.formatResult ?? defaultFormatResult;
  let total = opts.total ?? 0;
  let done = 0;
  let failed = 0;
  let stopped = false;
  // ETA of the current run: cases finished since `queued` and the time since then.
  let runStart = now();
  let runStartDone = 0;
  const etaText = () => {
    const n = done - runStartDone;
    if (n <= 0) return total > 0 && done >= total ? "0s" : "…";
    return formatEta(((now() - runStart) / n) * Math.max(0, total - done) / 1000);
  };
  const workers = new Map<string, Omit<WorkerEvent, "v" | "type">>();
  const gone = new Set<string>();

  const multi = tty
    ? new cliProgress.MultiBar({
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
      autopadding: true,
      format: "{bar} {value}/{total} cases | {failed} failed | ETA {etaText}",
    }, cliProgress.Presets.shades_classic)
    : undefined;
  const main = multi?.create(total, 0, { failed: 0, etaText: "…" });
  const bars = new Map<string, cliProgress.SingleBar>();

  const lines = () =>
    [...workers.entries()].map(([id, w]) =>
      `${gone.has(id) ? "(left) " : ""}${formatWorkerLine(w, Date.now(), staleMs, label)}`
    );

  /** Prints a line above the bars (terminal) or as a line (no terminal). */
  const say = (line: string) => {
    if (tty) multi?.log(line + "\n");
    else write(line);
  };

  const redraw = () => {
    if (!multi || !main) return;
    main.setTotal(Math.max(total, 1));
    main.update(done, { failed, etaText: etaText() });
    for (const [id, w] of workers) {
      const line = `  ${gone.has(id) ? "(left) " : ""}${
        formatWorkerLine(w, Date.now(), staleMs, label)
      }`;
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
        runStart = now();
        runStartDone = done;
        break;
      case "case-finished": {
        done = e.done;
        total = e.total;
        const r = e.result;
        const ranAndFailed = r.status !== "ok" && r.skipped !== true;
        if (ranAndFailed) failed++;
        if (!tty) write(`[${done}/${total}] ${sanitize(formatResult(r), 300)}`);
        else if (ranAndFailed) say(`[${done}/${total}] ${sanitize(formatResult(r), 300)}`);
        break;
      }
      case "case-failed":
        done = e.done;
        total = e.total;
        failed++;
        say(
          `[${done}/${total}] ${sanitize(label(e.caseId), 80)} failed: ${sanitize(e.reason, 200)}`,
        );
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
              formatWorkerLine(row, Date.now(), staleMs, label)
            }`,
          );
        }
        break;
      }
      case "worker-exit":
        if (e.code !== 0) {
          say(
            `local worker ${e.slot} (pid ${e.pid}) exited with code ${e.code}` +
              (e.restarting ? "; restarting it" : ""),
          );
        }
        break;
      case "server":
        // A new run (e.g. the next step of a scaling study): forget the previous workers.
        for (const bar of bars.values()) multi?.remove(bar);
        bars.clear();
        workers.clear();
        gone.clear();
        if (!tty) write(`nats: ${e.embedded ? "embedded server" : "cluster"} ${sanitize(e.url)}`);
        break;
      case "log":
        say(sanitize(e.message, 300));
        break;
      case "case-started":
        break;
    }
    redraw();
  };

  return {
    onEvent,
    workerLines: lines,
    progress: () => ({ done, total, failed, eta: etaText() }),
    stop() {
      if (stopped) return;
      stopped = true;
      multi?.stop();
    },
  };
}
