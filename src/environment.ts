/**
 * The environment a sweep or case ran in: host, OS, CPUs, memory, runtime and library
 * versions, git commit. Every probe degrades to a placeholder instead of throwing (a
 * missing `git`, no /proc, no permission).
 *
 * @module
 */
import type { Environment } from "./results.ts";
import config from "../deno.json" with { type: "json" };

/** The pinned TensorFlow.js version (from deno.json's import map; no need to load tfjs). */
export const TFJS_VERSION: string = config.imports["@tensorflow/tfjs-core"].replace(
  /^npm:@tensorflow\/tfjs-core@/,
  "",
);

/** The repository root (where deno.json lives), from this module's location. */
const REPO_ROOT = new URL("../", import.meta.url);

/** The host name, or "unknown". */
export function hostName(): string {
  try {
    return Deno.hostname();
  } catch {
    return "unknown";
  }
}

/** The CPU model name from /proc/cpuinfo (Linux), else `<arch> CPU`. */
export function cpuModel(): string {
  try {
    const info = Deno.readTextFileSync("/proc/cpuinfo");
    const m = info.match(/^model name\s*:\s*(.+)$/m);
    if (m) return m[1].trim();
  } catch {
    // not Linux, or no permission
  }
  return `${Deno.build.arch} CPU`;
}

/** Total physical memory in bytes, or 0 when unknown. */
export function totalMemoryBytes(): number {
  try {
    return Deno.systemMemoryInfo().total;
  } catch {
    return 0;
  }
}

/** The git commit of the repository this code runs from, or null. */
export async function gitCommit(): Promise<string | null> {
  if (REPO_ROOT.protocol !== "file:") return null;
  try {
    const out = await new Deno.Command("git", {
      args: ["rev-parse", "HEAD"],
      cwd: REPO_ROOT,
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!out.success) return null;
    const sha = new TextDecoder().decode(out.stdout).trim();
    return /^[0-9a-f]{40}$/.test(sha) ? sha : null;
  } catch {
    return null;
  }
}

/**
 * The committer date of the commit this code runs from (ISO 8601, e.g.
 * `2026-11-27T12:20:01+00:00`), or null. Report history orders sweeps by it.
 */
export async function gitCommitDate(): Promise<string | null> {
  if (REPO_ROOT.protocol !== "file:") return null;
  try {
    const out = await new Deno.Command("git", {
      args: ["show", "-s", "--format=%cI", "HEAD"],
      cwd: REPO_ROOT,
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!out.success) return null;
    const date = new TextDecoder().decode(out.stdout).trim();
    return Number.isFinite(Date.parse(date)) ? date : null;
  } catch {
    return null;
  }
}

/** Whether the working tree has uncommitted changes to tracked files (null when unknown). */
export async function gitDirty(): Promise<boolean | null> {
  if (REPO_ROOT.protocol !== "file:") return null;
  try {
    const out = await new Deno.Command("git", {
      args: ["status", "--porcelain", "--untracked-files=no"],
      cwd: REPO_ROOT,
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!out.success) return null;
    return new TextDecoder().decode(out.stdout).trim().length > 0;
  } catch {
    return null;
  }
}

/** Collects the {@link Environment} of this process. */
export async function collectEnvironment(): Promise<Environment> {
  let osRelease = "";
  try {
    osRelease = Deno.osRelease();
  } catch {
    // no sys permission
  }
  return {
    host: hostName(),
    os: `${Deno.build.os} ${osRelease} ${Deno.build.arch}`.replace(/\s+/g, " ").trim(),
    cpus: navigator.hardwareConcurrency ?? 0,
    cpuModel: cpuModel(),
    memoryBytes: totalMemoryBytes(),
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    typescript: Deno.version.typescript,
    tfjs: TFJS_VERSION,
    gitCommit: await gitCommit(),
    gitCommitDate: await gitCommitDate(),
    gitDirty: await gitDirty(),
  };
}
