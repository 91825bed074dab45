/**
 * The one place that turns the NATS authentication flags of the sweep and worker CLIs
 * (`--token`, `--user`/`--pass`, `--creds`, `--tls-ca`, `--tls-cert`, `--tls-key`, and
 * the `NATS_TOKEN` / `NATS_USER` / `NATS_PASSWORD` variables) into a {@link NatsAuth},
 * checking them before anything connects: one method, pairs complete, no empty secret,
 * every file readable. Errors name the flag and never show a secret.
 *
 * @module
 */
import type { NatsAuth } from "./connection.ts";

/** The flags, as parsed (undefined where not given). */
export interface AuthFlags {
  token?: string;
  user?: string;
  pass?: string;
  creds?: string;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
}

/** A problem with the authentication flags (a usage error: exit 2). */
export class AuthUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AuthUsageError";
  }
}

/** The flag of each {@link AuthFlags} field. */
export const AUTH_FLAGS: Record<keyof AuthFlags, string> = {
  token: "--token",
  user: "--user",
  pass: "--pass",
  creds: "--creds",
  tlsCa: "--tls-ca",
  tlsCert: "--tls-cert",
  tlsKey: "--tls-key",
};

/** The auth flags given (flag names, for messages). */
export function givenAuthFlags(flags: AuthFlags): string[] {
  return (Object.keys(AUTH_FLAGS) as (keyof AuthFlags)[])
    .filter((k) => flags[k] !== undefined)
    .map((k) => AUTH_FLAGS[k]);
}

/**
 * Builds the auth: flags first, then `NATS_TOKEN` / `NATS_USER` / `NATS_PASSWORD` (an
 * empty variable counts as unset). Returns undefined when nothing is given.
 * @throws AuthUsageError naming the flag (and a file's path, never a secret).
 */
export function authFromFlags(
  flags: AuthFlags,
  env: (k: string) => string | undefined = (k) => Deno.env.get(k),
): NatsAuth | undefined {
  const fromEnv = (k: string) => env(k) || undefined;
  for (const k of ["token", "user", "pass"] as const) {
    if (flags[k] === "") {
      throw new AuthUsageError(`${AUTH_FLAGS[k]}: expected a non-empty value, got ""`);
    }
  }
  const auth: NatsAuth = {
    token: flags.token ?? fromEnv(AUTH_ENV.token),
    user: flags.user ?? fromEnv(AUTH_ENV.user),
    pass: flags.pass ?? fromEnv(AUTH_ENV.pass),
    credsFile: flags.creds,
    tlsCaFile: flags.tlsCa,
    tlsCertFile: flags.tlsCert,
    tlsKeyFile: flags.tlsKey,
  };
  for (const k of Object.keys(auth) as (keyof NatsAuth)[]) {
    if (auth[k] === undefined) delete auth[k];
  }
  if ((auth.user === undefined) !== (auth.pass === undefined)) {
    throw new AuthUsageError(
      auth.user === undefined
        ? "--pass: needs --user (or NATS_USER)"
        : "--user: needs --pass (or NATS_PASSWORD)",
    );
  }
  const methods = [
    auth.token !== undefined && "token",
    auth.user !== undefined && "user/pass",
    auth.credsFile !== undefined && "--creds",
  ].filter(Boolean);
  if (methods.length > 1) {
    throw new AuthUsageError(
      `--token, --user/--pass, --creds: use one, got ${methods.join(" and ")}`,
    );
  }
  if ((auth.tlsCertFile === undefined) !== (auth.tlsKeyFile === undefined)) {
    throw new AuthUsageError("--tls-cert and --tls-key go together");
  }
  for (const k of ["creds", "tlsCa", "tlsCert", "tlsKey"] as const) {
    const path = flags[k];
    if (path === undefined) continue;
    let problem: string | undefined;
    try {
      if (!Deno.statSync(path).isFile) problem = "not a file";
      else Deno.openSync(path, { read: true }).close();
    } catch (e) {
      problem = (e as Error).message;
    }
    if (problem !== undefined) {
      throw new AuthUsageError(
        `${AUTH_FLAGS[k]}: cannot read ${JSON.stringify(path)}: ${problem}`,
      );
    }
  }
  return Object.keys(auth).length ? auth : undefined;
}

/** The environment variable of each secret (the children's side of {@link authFromFlags}). */
export const AUTH_ENV = { token: "NATS_TOKEN", user: "NATS_USER", pass: "NATS_PASSWORD" } as const;

/**
 * The inverse of {@link authFromFlags}, for worker processes started by the sweep: secrets
 * in the environment (never on a command line, where `ps` shows them), file paths as the
 * same flags (`--creds`, `--tls-ca`, `--tls-cert`, `--tls-key`). The worker CLI reads both
 * back with {@link authFromFlags}.
 */
export function authForChild(auth: NatsAuth | undefined): {
  env: Record<string, string>;
  args: string[];
} {
  const env: Record<string, string> = {};
  const args: string[] = [];
  for (const k of ["token", "user", "pass"] as const) {
    if (auth?.[k] !== undefined) env[AUTH_ENV[k]] = auth[k]!;
  }
  const files = [
    ["credsFile", "creds"],
    ["tlsCaFile", "tlsCa"],
    ["tlsCertFile", "tlsCert"],
    ["tlsKeyFile", "tlsKey"],
  ] as const;
  for (const [field, flag] of files) {
    if (auth?.[field] !== undefined) args.push(AUTH_FLAGS[flag], auth[field]!);
  }
  return { env, args };
}
