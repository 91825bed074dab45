/**
 * Runs one case in a fresh child process (`deno run -A src/runner/child.ts`; for
 * `framework: "torch"` cases `python3 python/child.py`, see src/torch/python.ts for the
 * interpreter and its environment), so one case's heap growth, crash or out-of-memory
 * cannot skew or kill the next. Both children follow the same protocol and are watched the
 * same way.
 *
 * The parent
 * - writes the case as JSON on the child's stdin and reads one result line from its stdout;
 * - kills the child after `case.timeoutMs` → status `timeout`;
 * - samples the child's resident set size (/proc/<pid>/status, every {@link RSS_POLL_MS} ms)
 *   and kills it when it exceeds the memory budget → status `oom` (`oomAt` = seqLen). A
 *   child whose own reported peak RSS ended above the budget (a spike between two samples)
 *   is recorded `oom` too, so results do not depend on sampling luck;
 * - turns a child that died without a result into `oom` when its stderr shows a fatal
 *   V8/wasm out-of-memory or it was SIGKILLed by someone else (the kernel's OOM killer),
 *   else into `error` with the exit status and the tail of its stderr;
 * - calls `onHeartbeat` every {@link HEARTBEAT_MS} ms while the child runs;
 * - on `signal` abort kills the child and returns status `error` with `aborted: true`;
 * - makes the child die with it: on Linux the child starts under util-linux `setpriv
 *   --pdeathsig KILL` (the kernel kills it when the parent dies, even by SIGKILL and even
 *   while the child computes), and everywhere the parent keeps the child's stdin open
 *   ({@link EXIT_ON_STDIN_CLOSE_ENV}): the child exits when it closes. A worker killed
 *   mid-case so leaves no case process behind holding memory (or a GPU) while the case
 *   is redelivered elsewhere.
 *
 * It never throws for a case failure.
 *
 * The memory budget defaults to {@link defaultMemoryBudgetBytes} (min(16 GiB, 70% of RAM)).
 * The child learns it through `SE3_HYENA_MEMORY_BUDGET` and reports it as
 * `memory.budgetBytes` (on wasm: the smaller of it and the wasm heap's 4 GiB ceiling).
 *
 * @module
 */
import { FAULT_KINDS } from "../case/schema.ts";
import { caseId } from "../case/id.ts";
import { passFlops } from "../flops.ts";
import { resolvePython, TORCH_CHILD_PATH, torchChildEnv } from "../torch/python.ts";
import { caseThreads, THREADS_ENV } from "./threads.ts";
import { cpuModel, hostName, totalMemoryBytes } from "../environment.ts";
import type { Case, CaseResult } from "../results.ts";
import { MEMORY_BUDGET_ENV, WASM_HEAP_MAX_BYTES } from "./limits.ts";
import { emptyResult } from "./result.ts";
import { isOomStderr } from "./oom.ts";
import { fmtBytes } from "../report/format.ts";

/** How often `onHeartbeat` is called while a child runs, ms. */
export const HEARTBEAT_MS = 2000;
/** How often the parent samples the child's RSS, ms. */
export const RSS_POLL_MS = 100;
/** Bytes of the child's stderr kept (the tail). */
export const STDERR_TAIL_BYTES = 16 * 1024;
/** V8 heap limit given to a child running the `fatal-oom` test fault, MiB. */
export const FATAL_OOM_HEAP_MIB = 96;

/**
 * Set to "1" in the child's environment: the child reads the case up to the first newline
 * and then exits (code {@link PARENT_GONE_EXIT_CODE}) when its stdin reaches end of file,
 * which happens when the parent closes it or dies.
 */
export const EXIT_ON_STDIN_CLOSE_ENV = "SE3H_EXIT_ON_STDIN_CLOSE";
/** Exit code of a child that saw its parent go (stdin closed before it finished). */
export const PARENT_GONE_EXIT_CODE = 86;

let setpriv: string | null | undefined;
/**
 * The command prefix that makes the kernel SIGKILL a child when this process dies:
 * `[".../setpriv", "--pdeathsig", "KILL", "--"]` where util-linux `setpriv` is on the PATH
 * (Linux), else `[]` (the stdin watch alone then applies).
 */
export function parentDeathPrefix(): string[] {
  if (setpriv === undefined) {
    setpriv = null;
    if (Deno.build.os === "linux") {
      const path = (() => {
        try {
          return Deno.env.get("PATH") ?? "";
        } catch {
          return "";
        }
      })();
      for (const dir of [...path.split(":"), "/usr/bin", "/bin"].filter(Boolean)) {
        try {
          if (Deno.statSync(`${dir}/setpriv`).isFile) {
            setpriv = `${dir}/setpriv`;
            break;
          }
        } catch { /* not here */ }
      }
    }
  }
  return setpriv ? [setpriv, "--pdeathsig", "KILL", "--"] : [];
}

const CHILD_URL = new URL("./child.ts", import.meta.url);
const CONFIG_URL = new URL("../../deno.json", import.meta.url);
const REPO_ROOT_URL = new URL("../../", import.meta.url);

/** Options of {@link runCaseIsolated}. */
export interface RunCaseOptions {
  /** Aborting kills the child; the result is `error` with `aborted: true`. */
  signal?: AbortSignal;
  /** Called every {@link HEARTBEAT_MS} ms while the child runs. */
  onHeartbeat?: () => void;
  /** RSS budget of the child; default {@link defaultMemoryBudgetBytes}. */
  memoryBudgetBytes?: number;
  /** Extra environment variables of the child (added to this process's environment). */
  env?: Record<string, string>;
  /** Python interpreter of torch cases; default: `resolvePython()` (src/torch/python.ts). */
  python?: string;
}

/** The default memory budget: min(16 GiB, 70% of physical memory) (16 GiB when unknown). */
export function defaultMemoryBudgetBytes(): number {
  const total = totalMemoryBytes();
  const cap = 16 * 2 ** 30;
  return total > 0 ? Math.min(cap, Math.floor(0.7 * total)) : cap;
}

/** Whether `command` (a path, or a name looked up on PATH) is an existing file. */
function executableExists(command: string): boolean {
  const isFile = (p: string) => {
    try {
      return Deno.statSync(p).isFile;
    } catch {
      return false;
    }
  };
  if (command.includes("/")) return isFile(command);
  let path = "";
  try {
    path = Deno.env.get("PATH") ?? "";
  } catch { /* no env permission */ }
  return path.split(":").some((dir) => dir !== "" && isFile(`${dir}/${command}`));
}

/** Resident set size of process `pid` in bytes (VmRSS), or null when it cannot be read. */
export function readRss(pid: number): number | null {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const m = status.match(/^VmRSS:\s+(\d+)\s+kB/m);
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Bytes as MiB/GiB for messages (`300.0 MiB`, `1.00 GiB`): the one byte formatter's message style. */
export function formatBytes(bytes: number): string {
  return fmtBytes(bytes, { fixed: bytes >= 2 ** 30 ? 2 : 1, minUnit: "MiB" });
}

/** Reads a stream to its end, keeping everything (`limit` = 0) or only the last `limit` bytes. */
async function drain(stream: ReadableStream<Uint8Array>, limit = 0): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    chunks.push(chunk);
    size += chunk.length;
    while (limit > 0 && size - chunks[0].length > limit) size -= chunks.shift()!.length;
  }
  const all = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.length;
  }
  const text = new TextDecoder().decode(all);
  return limit > 0 && text.length > limit ? text.slice(-limit) : text;
}

/**
 * The post-run budget rule: an `ok` result whose peak RSS (`memory.rssPeakBytes`, the
 * larger of the child's own peak and the parent's samples) ended above `budget` becomes
 * `oom` at `seqLen` — a spike between two samples must not make a result depend on
 * sampling luck. Other results are returned as they are.
 */
export function applyRssBudget(r: CaseResult, budget: number, seqLen: number): CaseResult {
  const peak = r.memory?.rssPeakBytes ?? null;
  if (r.status !== "ok" || peak === null || peak <= budget) return r;
  return {
    ...r,
    status: "oom",
    oomAt: seqLen,
    error: `memory budget: peak RSS ${formatBytes(peak)} exceeded the budget of ${
      formatBytes(budget)
    } (between two samples; detected after the run)`,
  };
}

/** The thread count a torch child reports (`torch.threads`), if any. */
function torchThreads(r: CaseResult): number | undefined {
  const t = (r.torch as { threads?: unknown } | undefined)?.threads;
  return typeof t === "number" && Number.isInteger(t) && t >= 1 ? t : undefined;
}

/** Parses the last JSON line of the child's stdout as a result, or null. */
function parseResultLine(stdout: string): CaseResult | null {
  const lines = stdout.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("{"));
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const r = JSON.parse(lines[i]);
      if (r && typeof r === "object" && typeof r.status === "string" && "id" in r) {
        return r as CaseResult;
      }
    } catch {
      // not our line
    }
  }
  return null;
}

/**
 * Runs case `c` (already validated) in a fresh child process and returns its result, with
 * the machine's load averages before and after (`loadAvg`: noise from other processes).
 * Never throws for case failures; see the module doc for how outcomes are classified.
 */
export async function runCaseIsolated(
  c: Case,
  opts: RunCaseOptions = {},
): Promise<CaseResult> {
  const before = loadAverages();
  const result = await runIsolated(c, opts);
  return { ...result, loadAvg: { before, after: loadAverages() } };
}

/** The machine's 1, 5 and 15 minute load averages (zeros where the platform has none). */
export function loadAverages(): [number, number, number] {
  try {
    const [a, b, c] = Deno.loadavg();
    return [a, b, c];
  } catch {
    return [0, 0, 0];
  }
}

async function runIsolated(c: Case, opts: RunCaseOptions): Promise<CaseResult> {
  const startedAt = new Date().toISOString();
  const budget = opts.memoryBudgetBytes ?? defaultMemoryBudgetBytes();
  const torch = c.framework === "torch";
  const device = c.backend === "cpu" || c.backend === "wasm" || (torch && c.device !== "cuda")
    ? cpuModel()
    : "";
  let maxRss: number | null = null;
  const skeleton = (
    status: CaseResult["status"],
    error: string,
    extra: Partial<CaseResult> = {},
  ): CaseResult => ({
    ...emptyResult(c, status, {
      error,
      rssPeakBytes: maxRss,
      budgetBytes: c.backend === "wasm" && !torch ? Math.min(budget, WASM_HEAP_MAX_BYTES) : budget,
      device,
    }),
    ...(torch ? { worker: { host: hostName(), device, backend: "torch" } } : {}),
    startedAt,
    finishedAt: new Date().toISOString(),
    ...extra,
  });

  if (opts.signal?.aborted) return skeleton("error", "aborted before start", { aborted: true });

  let command = Deno.execPath();
  let childEnv: Record<string, string> = {};
  const args = torch ? [TORCH_CHILD_PATH] : ["run", "-A", "--quiet"];
  if (torch) {
    command = resolvePython(opts.python);
    childEnv = torchChildEnv();
    if (c.threads !== undefined || Deno.env.get(THREADS_ENV) !== undefined) {
      const threads = String(caseThreads(c));
      childEnv = { ...childEnv, OMP_NUM_THREADS: threads, OPENBLAS_NUM_THREADS: threads };
    }
  } else if (CONFIG_URL.protocol === "file:") {
    args.push(`--config=${decodeURIComponent(CONFIG_URL.pathname)}`);
  }
  const fault = (c as { fault?: unknown }).fault;
  if (!torch) {
    if (fault === "fatal-oom" && FAULT_KINDS.includes(fault)) {
      args.push(`--v8-flags=--max-old-space-size=${FATAL_OOM_HEAP_MIB}`);
    }
    args.push(
      CHILD_URL.protocol === "file:" ? decodeURIComponent(CHILD_URL.pathname) : CHILD_URL.href,
    );
  }

  const torchChild = () =>
    `the PyTorch child (${command} ${TORCH_CHILD_PATH}; choose the interpreter with ` +
    `--python PATH)`;
  if (torch && !executableExists(command)) {
    return skeleton("error", `spawn: could not start ${torchChild()}: ${command} not found`);
  }
  let child: Deno.ChildProcess;
  const prefix = parentDeathPrefix();
  try {
    child = new Deno.Command(prefix[0] ?? command, {
      args: prefix.length ? [...prefix.slice(1), command, ...args] : args,
      cwd: REPO_ROOT_URL.protocol === "file:"
        ? decodeURIComponent(REPO_ROOT_URL.pathname)
        : undefined,
      env: {
        ...childEnv,
        ...opts.env,
        [MEMORY_BUDGET_ENV]: String(budget),
        [EXIT_ON_STDIN_CLOSE_ENV]: "1",
      },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    const what = torch ? torchChild() : "the child process";
    return skeleton("error", `spawn: could not start ${what}: ${(e as Error).message}`);
  }

  let killedFor: "timeout" | "budget" | "aborted" | null = null;
  const kill = (reason: "timeout" | "budget" | "aborted") => {
    if (killedFor) return;
    killedFor = reason;
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  };
  const stdoutText = drain(child.stdout);
  const stderrText = drain(child.stderr, STDERR_TAIL_BYTES);
  const timers = [
    setTimeout(() => kill("timeout"), c.timeoutMs),
    setInterval(() => {
      const rss = readRss(child.pid);
      if (rss === null) return;
      maxRss = Math.max(maxRss ?? 0, rss);
      if (rss > budget) kill("budget");
    }, RSS_POLL_MS),
    setInterval(() => {
      try {
        opts.onHeartbeat?.();
      } catch {
        // a failing heartbeat must not fail the case
      }
    }, HEARTBEAT_MS),
  ];
  const onAbort = () => kill("aborted");
  opts.signal?.addEventListener("abort", onAbort);

  // The case, one line; stdin then stays open until the child is done (see the module doc).
  const writer = child.stdin.getWriter();
  try {
    await writer.write(new TextEncoder().encode(JSON.stringify(c) + "\n"));
  } catch {
    // the child died before reading; its status tells why
  }

  const status = await child.status;
  await writer.close().catch(() => {});
  for (const t of timers) clearTimeout(t);
  opts.signal?.removeEventListener("abort", onAbort);
  const [stdout, stderr] = await Promise.all([stdoutText, stderrText]);
  const tail = stderr.trim().split("\n").slice(-20).join("\n");

  if (killedFor === "timeout") {
    return skeleton("timeout", `timeout: killed after ${c.timeoutMs} ms`);
  }
  if (killedFor === "budget") {
    return skeleton(
      "oom",
      `memory budget: RSS ${formatBytes(maxRss ?? 0)} exceeded the budget of ${
        formatBytes(budget)
      }; killed by the parent`,
      { oomAt: c.seqLen },
    );
  }
  if (killedFor === "aborted") {
    return skeleton("error", "aborted: the child was killed", { aborted: true });
  }

  const result = parseResultLine(stdout);
  if (result) {
    const childPeak = result.memory?.rssPeakBytes ?? null;
    const rssPeakBytes = childPeak === null ? maxRss : Math.max(childPeak, maxRss ?? 0);
    const memory = {
      ...result.memory,
      rssPeakBytes,
      budgetBytes: result.memory?.budgetBytes ?? budget,
    };
    const merged: CaseResult = {
      ...result,
      // The torch child computes no FLOPs, and this process's id and case are the reference.
      ...(torch ? { id: caseId(c), case: c, flops: result.flops ?? passFlops(c) } : {}),
      threads: result.threads ?? torchThreads(result) ?? caseThreads(c),
      memory,
      worker: { ...result.worker, host: result.worker?.host || hostName() },
      startedAt: result.startedAt ?? startedAt,
      finishedAt: result.finishedAt ?? new Date().toISOString(),
    };
    return applyRssBudget(merged, budget, c.seqLen);
  }

  const exit = `exit code ${status.code}${status.signal ? `, signal ${status.signal}` : ""}`;
  if (isOomStderr(stderr) || status.signal === "SIGKILL" || status.code === 137) {
    const line = stderr.split("\n").find((l) => isOomStderr(l))?.replace(/^[#\s]+/, "").trim();
    const why = line
      ? `: ${line}`
      : status.signal === "SIGKILL" || status.code === 137
      ? " (killed by SIGKILL without a message: assumed to be the kernel's OOM killer)"
      : "";
    return skeleton("oom", `out of memory: the child died (${exit})${why}`, {
      oomAt: c.seqLen,
    });
  }
  return skeleton(
    "error",
    `child process died without a result (${exit})${tail ? `: ${tail}` : ""}`,
  );
}
