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
  const view = new TerminalView(opts);
  return {
    onEvent: (e) => view.onEvent(e),
    workerLines: () => view.lines(),
    progress: () => view.progress(),
    stop: () => view.stop(),
  };
}

type Row = Omit<WorkerEvent, "v" | "type">;

/** The state and drawing of {@link createLiveView}. */
class TerminalView {
  readonly #tty: boolean;
  readonly #write: (line: string) => void;
  readonly #staleMs: number;
  readonly #now: () => number;
  readonly #opts: LiveViewOptions;
  #total: number;
  #done = 0;
  #failed = 0;
  #stopped = false;
  // ETA of the current run: cases finished since `queued` and the time since then.
  #runStart: number;
  #runStartDone = 0;
  readonly #workers = new Map<string, Row>();
  readonly #gone = new Set<string>();
  readonly #multi?: cliProgress.MultiBar;
  readonly #main?: cliProgress.SingleBar;
  readonly #bars = new Map<string, cliProgress.SingleBar>();

  constructor(opts: LiveViewOptions) {
    this.#opts = opts;
    this.#tty = opts.tty ?? Deno.stderr.isTerminal();
    this.#write = opts.write ?? ((l: string) => console.error(l));
    this.#staleMs = opts.staleMs ?? 15_000;
    this.#now = opts.now ?? (() => performance.now());
    this.#total = opts.total ?? 0;
    this.#runStart = this.#now();
    if (!this.#tty) return;
    this.#multi = new cliProgress.MultiBar({
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
      autopadding: true,
      format: "{bar} {value}/{total} cases | {failed} failed | ETA {etaText}",
    }, cliProgress.Presets.shades_classic);
    this.#main = this.#multi.create(this.#total, 0, { failed: 0, etaText: "…" });
  }

  #label = (id: string) => this.#opts.caseLabel?.(id) ?? id;

  #formatResult(r: CaseResult): string {
    return (this.#opts.formatResult ?? defaultFormatResult)(r);
  }

  #eta(): string {
    const n = this.#done - this.#runStartDone;
    if (n <= 0) return this.#total > 0 && this.#done >= this.#total ? "0s" : "…";
    const perCase = (this.#now() - this.#runStart) / n;
    return formatEta(perCase * Math.max(0, this.#total - this.#done) / 1000);
  }

  #line(id: string, w: Row): string {
    return `${this.#gone.has(id) ? "(left) " : ""}${
      formatWorkerLine(w, Date.now(), this.#staleMs, this.#label)
    }`;
  }

  lines(): string[] {
    return [...this.#workers.entries()].map(([id, w]) => this.#line(id, w));
  }

  progress(): { done: number; total: number; failed: number; eta: string } {
    return { done: this.#done, total: this.#total, failed: this.#failed, eta: this.#eta() };
  }

  /** Prints a line above the bars (terminal) or as a line (no terminal). */
  #say(line: string): void {
    if (this.#tty) this.#multi?.log(line + "\n");
    else this.#write(line);
  }

  #redraw(): void {
    if (!this.#multi || !this.#main) return;
    this.#main.setTotal(Math.max(this.#total, 1));
    this.#main.update(this.#done, { failed: this.#failed, etaText: this.#eta() });
    for (const [id, w] of this.#workers) {
      const line = `  ${this.#line(id, w)}`;
      let bar = this.#bars.get(id);
      if (!bar) {
        bar = this.#multi.create(1, 0, { line }, { format: "{line}" });
        this.#bars.set(id, bar);
      }
      bar.update(0, { line });
    }
  }

  onEvent(e: SweepEvent): void {
    switch (e.type) {
      case "queued":
        this.#total = e.total;
        this.#done = e.alreadyDone;
        this.#runStart = this.#now();
        this.#runStartDone = this.#done;
        break;
      case "case-finished":
        this.#finished(e.result, e.done, e.total);
        break;
      case "case-failed":
        this.#done = e.done;
        this.#total = e.total;
        this.#failed++;
        this.#say(
          `[${e.done}/${e.total}] ${sanitize(this.#label(e.caseId), 80)} failed: ${
            sanitize(e.reason, 200)
          }`,
        );
        break;
      case "worker":
        this.#worker(e.worker);
        break;
      case "worker-exit":
        if (e.code === 0) break;
        this.#say(
          `local worker ${e.slot} (pid ${e.pid}) exited with code ${e.code}` +
            (e.restarting ? "; restarting it" : ""),
        );
        break;
      case "server":
        this.#newRun(e.embedded, e.url);
        break;
      case "log":
        this.#say(sanitize(e.message, 300));
        break;
      case "case-started":
        break;
    }
    this.#redraw();
  }

  #finished(r: CaseResult, done: number, total: number): void {
    this.#done = done;
    this.#total = total;
    const ranAndFailed = r.status !== "ok" && r.skipped !== true;
    if (ranAndFailed) this.#failed++;
    const line = `[${done}/${total}] ${sanitize(this.#formatResult(r), 300)}`;
    if (!this.#tty) this.#write(line);
    else if (ranAndFailed) this.#say(line);
  }

  #worker(ev: WorkerEvent): void {
    const { v: _v, type, ...row } = ev;
    // `finished` names the case just done: the worker is idle now.
    if (type === "finished" || type === "bye") row.caseId = undefined;
    const known = this.#workers.has(row.workerId);
    this.#workers.set(row.workerId, row);
    if (type === "bye") this.#gone.add(row.workerId);
    else this.#gone.delete(row.workerId);
    if (this.#tty || (known && type !== "bye")) return;
    this.#write(
      `worker ${type === "bye" ? "left" : "joined"}: ${
        formatWorkerLine(row, Date.now(), this.#staleMs, this.#label)
      }`,
    );
  }

  /** A new run (e.g. the next step of a scaling study): forget the previous workers. */
  #newRun(embedded: boolean, url: string): void {
    for (const bar of this.#bars.values()) this.#multi?.remove(bar);
    this.#bars.clear();
    this.#workers.clear();
    this.#gone.clear();
    if (!this.#tty) {
      this.#write(`nats: ${embedded ? "embedded server" : "cluster"} ${sanitize(url)}`);
    }
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#multi?.stop();
  }
}
