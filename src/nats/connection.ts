/**
 * Connecting to NATS: authentication (token, user/password, credentials file) and TLS
 * options passed through to nats.js, reconnection on by default, and errors that say
 * what went wrong without ever printing a secret.
 *
 * @module
 */
import { connect, credsAuthenticator, type NatsConnection } from "@nats-io/transport-node";
import type { NodeConnectionOptions } from "@nats-io/transport-node";

/** How to authenticate and secure a connection. All fields optional. */
export interface NatsAuth {
  /** Server token (`authorization { token }`). */
  token?: string;
  /** User name (with `pass`). */
  user?: string;
  /** Password (with `user`). */
  pass?: string;
  /** Path of a `.creds` file (JWT + nkey seed) for decentralized auth. */
  credsFile?: string;
  /** Path of a PEM CA bundle to verify the server's TLS certificate. */
  tlsCaFile?: string;
  /** Client certificate and key (PEM paths) for mutual TLS. */
  tlsCertFile?: string;
  tlsKeyFile?: string;
}

/** Options of {@link connectNats}. */
export interface ConnectOptions {
  /** Server URL(s), e.g. `nats://127.0.0.1:4222`. */
  servers: string | string[];
  auth?: NatsAuth;
  /** Connection name shown by the server (e.g. `se3h-worker-host-1234`). */
  name?: string;
  /** Keep reconnecting forever (default true): sweeps outlive server restarts. */
  reconnect?: boolean;
  /** Wait between reconnect attempts, ms. Default 250. */
  reconnectTimeWaitMs?: number;
  /** Timeout of the first connection, ms. Default 10000. */
  timeoutMs?: number;
  /**
   * Ping the server this often, ms; two unanswered pings count as a lost connection (a
   * silent network partition is noticed within about three intervals). Default 120000
   * (nats.js's).
   */
  pingIntervalMs?: number;
}

/** Builds nats.js options from ours; reads the credentials file. Secrets stay in the object. */
export async function natsOptions(opts: ConnectOptions): Promise<NodeConnectionOptions> {
  const a = opts.auth ?? {};
  if ((a.user === undefined) !== (a.pass === undefined)) {
    throw new Error(
      `auth: user and pass go together, got ${
        a.user === undefined ? "pass without user" : "user without pass"
      }`,
    );
  }
  const methods = [a.token !== undefined, a.user !== undefined, a.credsFile !== undefined]
    .filter(Boolean).length;
  if (methods > 1) {
    throw new Error("auth: use one of token, user/pass or credsFile, got more than one");
  }
  const reconnect = opts.reconnect ?? true;
  const o: NodeConnectionOptions = {
    servers: opts.servers,
    name: opts.name,
    reconnect,
    maxReconnectAttempts: reconnect ? -1 : 0,
    reconnectTimeWait: opts.reconnectTimeWaitMs ?? 250,
    timeout: opts.timeoutMs ?? 10_000,
    ...(opts.pingIntervalMs !== undefined ? { pingInterval: opts.pingIntervalMs } : {}),
  };
  if (a.token !== undefined) o.token = a.token;
  if (a.user !== undefined) {
    o.user = a.user;
    o.pass = a.pass;
  }
  if (a.credsFile !== undefined) {
    let creds: Uint8Array;
    try {
      creds = await Deno.readFile(a.credsFile);
    } catch (e) {
      throw new Error(`auth.credsFile: cannot read "${a.credsFile}": ${(e as Error).message}`);
    }
    o.authenticator = credsAuthenticator(creds);
  }
  if (a.tlsCaFile !== undefined || a.tlsCertFile !== undefined || a.tlsKeyFile !== undefined) {
    o.tls = {};
    if (a.tlsCaFile !== undefined) o.tls.caFile = a.tlsCaFile;
    if (a.tlsCertFile !== undefined) o.tls.certFile = a.tlsCertFile;
    if (a.tlsKeyFile !== undefined) o.tls.keyFile = a.tlsKeyFile;
  }
  return o;
}

/** Replaces every secret from `auth` found in `text` with `***`. */
export function redact(text: string, auth?: NatsAuth): string {
  let out = text;
  for (const secret of [auth?.token, auth?.pass]) {
    if (secret && secret.length > 0) out = out.split(secret).join("***");
  }
  // URLs with inline credentials: nats://user:pass@host, and nats://token@host.
  return out.replace(
    /(\w+:\/\/)[^/@\s:,]+(:[^/@\s,]+)?@/g,
    (_, scheme: string, pass?: string) => `${scheme}***${pass ? ":***" : ""}@`,
  );
}

/** A one-line description of the auth method, without secrets (for logs). */
export function describeAuth(auth?: NatsAuth): string {
  if (!auth) return "no auth";
  const parts: string[] = [];
  if (auth.token !== undefined) parts.push("token");
  if (auth.user !== undefined) parts.push(`user "${auth.user}"`);
  if (auth.credsFile !== undefined) parts.push(`creds file ${auth.credsFile}`);
  if (auth.tlsCaFile !== undefined) parts.push(`TLS CA ${auth.tlsCaFile}`);
  if (auth.tlsCertFile !== undefined) parts.push(`TLS client cert ${auth.tlsCertFile}`);
  return parts.length ? parts.join(", ") : "no auth";
}

let resetGuard = false;

/**
 * nats.js (transport-node) removes its socket listeners before destroying a socket it
 * closes; when the server has already reset that connection (it does so right after
 * refusing credentials), Node's socket then emits `error: read ECONNRESET` with no
 * listener, which surfaces as an uncaught exception and kills the process (or fails a
 * test module) after `connectNats` has long returned its clear error. Swallow exactly
 * that: an uncaught ECONNRESET/EPIPE from a socket read/write, which no code of ours can
 * be waiting on. Installed once, on the first connection.
 */
function guardLateSocketResets(): void {
  if (resetGuard) return;
  resetGuard = true;
  globalThis.addEventListener("error", (ev) => {
    const e = (ev as ErrorEvent).error as { code?: string; syscall?: string } | undefined;
    if (
      (e?.code === "ECONNRESET" || e?.code === "EPIPE") &&
      (e.syscall === "read" || e.syscall === "write")
    ) ev.preventDefault();
  });
}

/**
 * Connects to NATS. An authentication failure is reported as
 * `nats: authorization refused by <url> (<method>): …` — never with the secret itself.
 */
export async function connectNats(opts: ConnectOptions): Promise<NatsConnection> {
  guardLateSocketResets();
  const o = await natsOptions(opts);
  const where = redact(Array.isArray(opts.servers) ? opts.servers.join(",") : opts.servers);
  try {
    return await connect(o);
  } catch (e) {
    const err = e as Error & { code?: string };
    const msg = redact(`${err.message ?? err}`, opts.auth);
    const cause = redact(`${(err.cause as Error | undefined)?.message ?? ""}`, opts.auth);
    const text = `${msg} ${cause}`.toLowerCase();
    if (text.includes("authorization") || text.includes("authentication")) {
      throw new Error(
        `nats: authorization refused by ${where} (${describeAuth(opts.auth)}): ${msg}. ` +
          `Check --token / --user and --pass / --creds.`,
      );
    }
    throw new Error(`nats: cannot connect to ${where} (${describeAuth(opts.auth)}): ${msg}`);
  }
}
