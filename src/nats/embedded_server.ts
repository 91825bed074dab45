/**
 * The embedded nats-server of a distributed sweep without `--nats`: JetStream on
 * loopback, a free port, a random token, its store in the sweep's folder. It is
 * supervised: when the process dies (crash, OOM killer, kill -9) it is started again on
 * the same port, token and store, so the queue, the results stream and every client's
 * subscription come back; one that cannot be restarted is reported as fatal. A guard
 * process stops it when the coordinator dies without cleaning up (SIGKILL).
 *
 * @module
 */
import { type NatsServer, startNatsServer } from "./server.ts";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Makes sure the embedded nats-server does not outlive this process, even when it is
 * killed with SIGKILL (no `finally` runs then): a `sh` child waits for its stdin — a pipe
 * from us — to close, which the kernel does when we die, and then sends SIGTERM to the
 * server if that pid is still a nats-server, and removes the server's config folder
 * (`confDir`, which holds the token; only a `se3h-nats-conf-*` folder). On a normal stop
 * the server is stopped first and `release()` closes the pipe (the guard then finds no
 * server and just exits). Local workers guard themselves the same way
 * (`--exit-on-stdin-close`).
 */
export function guardServer(pid: number, confDir: string): { release(): Promise<void> } {
  const script = `cat >/dev/null; ` +
    `if tr '\\0' ' ' < /proc/$0/cmdline 2>/dev/null | grep -q nats-server; then ` +
    `kill -TERM $0; sleep 1; case "$1" in */se3h-nats-conf-*) rm -rf -- "$1";; esac; fi; ` +
    `exit 0`;
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("sh", {
      args: ["-c", script, String(pid), confDir],
      stdin: "piped",
      stdout: "null",
      stderr: "null",
    }).spawn();
  } catch {
    return { release: () => Promise.resolve() }; // no sh: best effort (resume kills stale servers)
  }
  return {
    async release() {
      try {
        await child.stdin.close();
      } catch { /* already closed */ }
      await child.status;
    },
  };
}

/** A random token for the embedded server (hex, 32 bytes). */
export function randomToken(): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(32)),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
}

/** Options of {@link startEmbeddedServer}. */
export interface EmbeddedServerOptions {
  /** JetStream store (kept between runs of one sweep). */
  storeDir: string;
  /** Token clients must give. */
  token: string;
  /** Pid file (pid and config path), for `killStaleServer` after a crash. */
  pidFile: string;
  /** Progress messages (exit, restart). */
  onLog: (message: string) => void;
  /** The server died and could not be restarted (5 attempts). */
  onFatal: (reason: string) => void;
}

/** A running, supervised embedded server. */
export interface EmbeddedServer {
  readonly url: string;
  /** Pid of the current server process. */
  readonly pid: number;
  /** Stops supervision, the server and its guard. */
  stop(): Promise<void>;
}

/** Starts the embedded server (see the module doc). */
export async function startEmbeddedServer(opts: EmbeddedServerOptions): Promise<EmbeddedServer> {
  let stopping = false;
  let guard: { release(): Promise<void> } | undefined;
  let confDir = "";
  const restart = async (st: Deno.CommandStatus) => {
    if (stopping) return;
    opts.onLog(
      `the embedded nats-server exited (${
        st.signal ? `signal ${st.signal}` : `code ${st.code}`
      }); restarting it on its store ${opts.storeDir}`,
    );
    for (let attempt = 1; attempt <= 5 && !stopping; attempt++) {
      try {
        await server.restart();
        await guard?.release();
        guard = guardServer(server.pid, confDir);
        opts.onLog(`the embedded nats-server is back (pid ${server.pid})`);
        return;
      } catch (e) {
        opts.onLog(
          `restarting the embedded nats-server (attempt ${attempt}): ${
            (e as Error).message.split("\n")[0]
          }`,
        );
        await sleep(500 * attempt);
      }
    }
    if (!stopping) opts.onFatal("the embedded nats-server died and could not be restarted");
  };
  await Deno.mkdir(opts.storeDir, { recursive: true });
  const server: NatsServer = await startNatsServer({
    storeDir: opts.storeDir,
    auth: { token: opts.token },
    pidFile: opts.pidFile,
    // Called only after `server` is set (the process must have started to exit).
    onExit: (st) => void restart(st),
  });
  const confPath = (await Deno.readTextFile(opts.pidFile).catch(() => "")).split("\n")[1] ?? "";
  confDir = confPath.replace(/\/[^/]*$/, "");
  guard = guardServer(server.pid, confDir);
  return {
    url: server.url,
    get pid() {
      return server.pid;
    },
    async stop() {
      stopping = true;
      await server.stop();
      await guard?.release();
    },
  };
}
