/**
 * A local `nats-server` with JetStream: started on loopback on a free port, with file
 * storage in a folder of our choosing, and stopped (or restarted on the same port and
 * storage) on request. Used by the embedded coordinator and by the tests.
 *
 * The server is configured through a config file written with mode 0600 (never through
 * command-line flags), so tokens and passwords do not show up in `ps` output or logs.
 *
 * @module
 */

/** Where {@link ensureNatsServer} looks for the binary after `$PATH`. */
const WELL_KNOWN_PATHS = ["/usr/sbin/nats-server", "/usr/bin/nats-server"];

/** How a local server authenticates clients. */
export type ServerAuth =
  | { token: string }
  | { user: string; pass: string };

/** Options of {@link startNatsServer}. */
export interface NatsServerOptions {
  /** JetStream storage folder (created if missing). Default: a fresh temporary folder, removed by `stop()`. */
  storeDir?: string;
  /** TCP port on 127.0.0.1. Default: a free port. */
  port?: number;
  /** Require a token or user/password from clients. Default: no authentication. */
  auth?: ServerAuth;
  /** Path of the `nats-server` binary. Default: {@link ensureNatsServer}(). */
  binary?: string;
  /** How long to wait for "Server is ready", ms. Default 20000. */
  readyTimeoutMs?: number;
  /** File to write the server's pid to (for cleaning up after a crashed parent). Default: none. */
  pidFile?: string;
  /**
   * Called when the server process exits without `stop()`, `restart()` or `kill()`
   * asking it to (it crashed, or someone killed it). The owner may `restart()` it.
   */
  onExit?: (status: Deno.CommandStatus) => void;
}

/** A running local server. */
export interface NatsServer {
  /** `nats://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** JetStream storage folder. */
  readonly storeDir: string;
  /** Pid of the current server process. */
  readonly pid: number;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s); removes a temporary storage folder. */
  stop(): Promise<void>;
  /** Stops and starts it again on the same port with the same storage (for tests). */
  restart(): Promise<void>;
  /** Kills the server abruptly (SIGKILL) without removing anything (for tests). */
  kill(): Promise<void>;
  /** The last lines the server logged. */
  logTail(): string;
}

/** Whether `path` is an executable regular file. */
async function isExecutable(path: string): Promise<boolean> {
  try {
    const st = await Deno.stat(path);
    return st.isFile && ((st.mode ?? 0o111) & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** Looks for `nats-server` on `$PATH` and in the Debian locations; `undefined` if absent. */
export async function findNatsServer(): Promise<string | undefined> {
  const dirs = (Deno.env.get("PATH") ?? "").split(":").filter((d) => d !== "");
  for (const dir of dirs) {
    const candidate = `${dir}/nats-server`;
    if (await isExecutable(candidate)) return candidate;
  }
  for (const candidate of WELL_KNOWN_PATHS) {
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Runs a command, inheriting nothing; returns its exit code and output. */
async function runQuiet(cmd: string, args: string[]): Promise<{ code: number; output: string }> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  const dec = new TextDecoder();
  return { code: out.code, output: dec.decode(out.stdout) + dec.decode(out.stderr) };
}

/**
 * Returns the path of a `nats-server` binary: from `$PATH`, `/usr/sbin` or `/usr/bin`;
 * if there is none and we are root with `apt-get`, installs Debian's `nats-server`
 * (`apt-get update && apt-get install -y nats-server`). Otherwise throws an error that
 * says how to install it.
 */
export async function ensureNatsServer(): Promise<string> {
  const found = await findNatsServer();
  if (found) return found;
  const howTo = "install it with `apt-get install -y nats-server` (Debian/Ubuntu), " +
    "`brew install nats-server` (macOS), or download a release from " +
    "https://github.com/nats-io/nats-server/releases and put `nats-server` on PATH";
  const isRoot = Deno.uid?.() === 0;
  const aptGet = (await isExecutable("/usr/bin/apt-get")) ? "/usr/bin/apt-get" : undefined;
  if (!isRoot || !aptGet) {
    throw new Error(`nats-server: not found on PATH, /usr/sbin or /usr/bin; ${howTo}`);
  }
  console.error("nats-server: not found; installing Debian package nats-server with apt-get …");
  const update = await runQuiet(aptGet, ["update"]);
  if (update.code !== 0) {
    throw new Error(
      `nats-server: apt-get update failed (exit ${update.code}); ${howTo}\n` +
        update.output.slice(-2000),
    );
  }
  const install = await runQuiet(aptGet, ["install", "-y", "nats-server"]);
  if (install.code !== 0) {
    throw new Error(
      `nats-server: apt-get install -y nats-server failed (exit ${install.code}); ${howTo}\n` +
        install.output.slice(-2000),
    );
  }
  const after = await findNatsServer();
  if (!after) throw new Error(`nats-server: installed, but still not found; ${howTo}`);
  return after;
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Quotes a string for the NATS config format (a JSON string literal is valid there). */
function confString(s: string): string {
  return JSON.stringify(s);
}

/** The config file text for a server. */
export function serverConfig(port: number, storeDir: string, auth?: ServerAuth): string {
  const lines = [
    `listen: "127.0.0.1:${port}"`,
    `jetstream {`,
    `  store_dir: ${confString(storeDir)}`,
    `}`,
  ];
  if (auth && "token" in auth) {
    lines.push(`authorization {`, `  token: ${confString(auth.token)}`, `}`);
  } else if (auth) {
    lines.push(
      `authorization {`,
      `  user: ${confString(auth.user)}`,
      `  password: ${confString(auth.pass)}`,
      `}`,
    );
  }
  return lines.join("\n") + "\n";
}

/** Keeps the last `max` characters of what a stream prints, and watches for a marker. */
class LogTail {
  text = "";
  constructor(private readonly max = 8000) {}
  push(chunk: string): void {
    this.text = (this.text + chunk).slice(-this.max);
  }
}

/** One server process. */
interface Running {
  child: Deno.ChildProcess;
  exited: Promise<Deno.CommandStatus>;
}

/**
 * Starts a `nats-server` with JetStream on 127.0.0.1 and waits until it is ready.
 *
 * @example
 * ```ts
 * const server = await startNatsServer();
 * // … connect to server.url …
 * await server.stop();
 * ```
 */
export async function startNatsServer(opts: NatsServerOptions = {}): Promise<NatsServer> {
  const binary = opts.binary ?? await ensureNatsServer();
  const tempStore = opts.storeDir === undefined;
  const storeDir = opts.storeDir ?? await Deno.makeTempDir({ prefix: "se3h-nats-" });
  await Deno.mkdir(storeDir, { recursive: true });
  const confDir = await Deno.makeTempDir({ prefix: "se3h-nats-conf-" });
  const confPath = `${confDir}/nats.conf`;
  const readyTimeoutMs = opts.readyTimeoutMs ?? 20_000;
  const log = new LogTail();
  let port = opts.port ?? freePort();
  let current: Running | undefined;

  async function launch(): Promise<Running> {
    await Deno.writeTextFile(confPath, serverConfig(port, storeDir, opts.auth), { mode: 0o600 });
    const child = new Deno.Command(binary, {
      args: ["-c", confPath],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const exited = child.status;
    let ready = false;
    let resolveReady!: () => void;
    const readyP = new Promise<void>((r) => (resolveReady = r));
    const pump = async (stream: ReadableStream<Uint8Array>) => {
      const dec = new TextDecoder();
      for await (const chunk of stream) {
        const s = dec.decode(chunk, { stream: true });
        log.push(s);
        if (!ready && log.text.includes("Server is ready")) {
          ready = true;
          resolveReady();
        }
      }
    };
    pump(child.stdout).catch(() => {});
    pump(child.stderr).catch(() => {});
    log.text = "";
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      readyP.then(() => "ready" as const),
      exited.then(() => "exited" as const),
      new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), readyTimeoutMs))),
    ]);
    clearTimeout(timer);
    if (outcome !== "ready") {
      if (outcome === "timeout") {
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
      }
      await exited;
      throw new Error(
        `nats-server: ${
          outcome === "timeout" ? `not ready after ${readyTimeoutMs} ms` : "exited before ready"
        } (port ${port}, storage ${storeDir}); log:\n${log.text.slice(-2000)}`,
      );
    }
    // Line 1: pid; line 2: the config path, which identifies this very server process.
    if (opts.pidFile) await Deno.writeTextFile(opts.pidFile, `${child.pid}\n${confPath}\n`);
    const run = { child, exited };
    exited.then((status) => {
      if (current === run) {
        current = undefined;
        opts.onExit?.(status);
      }
    });
    return run;
  }

  // A port picked by us can be taken between freePort() and the server binding it: retry.
  for (let attempt = 0;; attempt++) {
    try {
      current = await launch();
      break;
    } catch (e) {
      const inUse = /address already in use/i.test((e as Error).message);
      if (!inUse || opts.port !== undefined || attempt >= 4) {
        await Deno.remove(confDir, { recursive: true }).catch(() => {});
        if (tempStore) await Deno.remove(storeDir, { recursive: true }).catch(() => {});
        throw e;
      }
      port = freePort();
    }
  }

  async function halt(signal: Deno.Signal): Promise<void> {
    const run = current;
    current = undefined;
    if (!run) return;
    try {
      run.child.kill(signal);
    } catch { /* already gone */ }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = await Promise.race([
      run.exited.then(() => true),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 5000))),
    ]);
    clearTimeout(timer);
    if (!done) {
      try {
        run.child.kill("SIGKILL");
      } catch { /* already gone */ }
      await run.exited;
    }
  }

  return {
    get url() {
      return `nats://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    storeDir,
    get pid() {
      return current?.child.pid ?? -1;
    },
    async stop() {
      await halt("SIGTERM");
      if (opts.pidFile) await Deno.remove(opts.pidFile).catch(() => {});
      await Deno.remove(confDir, { recursive: true }).catch(() => {});
      if (tempStore) await Deno.remove(storeDir, { recursive: true }).catch(() => {});
    },
    async restart() {
      await halt("SIGTERM");
      current = await launch();
    },
    async kill() {
      await halt("SIGKILL");
    },
    logTail() {
      return log.text;
    },
  };
}

/**
 * Kills a `nats-server` left behind by a crashed parent, given the pid file that
 * {@link startNatsServer} wrote, but only if that pid is still a `nats-server` running
 * with the config file named there. Returns whether one was killed.
 */
export async function killStaleServer(pidFile: string): Promise<boolean> {
  let pid: number;
  let confPath: string | undefined;
  try {
    const [first, second] = (await Deno.readTextFile(pidFile)).split("\n");
    pid = Number(first.trim());
    confPath = second?.trim() || undefined;
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 1) return false;
  let cmdline = "";
  try {
    cmdline = await Deno.readTextFile(`/proc/${pid}/cmdline`);
  } catch {
    await Deno.remove(pidFile).catch(() => {});
    return false; // not running (or no /proc: nothing we can check safely)
  }
  // Only a nats-server started with our config file (pids get reused).
  if (!cmdline.includes("nats-server") || (confPath && !cmdline.includes(confPath))) return false;
  try {
    Deno.kill(pid, "SIGKILL");
  } catch {
    return false;
  }
  for (let i = 0; i < 100; i++) {
    try {
      await Deno.stat(`/proc/${pid}`);
    } catch {
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await Deno.remove(pidFile).catch(() => {});
  return true;
}
