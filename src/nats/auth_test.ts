import assert from "node:assert/strict";
import { authForChild, authFromFlags } from "./auth.ts";

const noEnv = () => undefined;

Deno.test("authFromFlags: flags, then NATS_* variables; one method; files must be readable", async () => {
  assert.equal(authFromFlags({}, noEnv), undefined);
  assert.deepEqual(authFromFlags({ token: "t" }, noEnv), { token: "t" });
  const env = (k: string) => ({ NATS_USER: "u", NATS_PASSWORD: "p", NATS_TOKEN: "" })[k];
  assert.deepEqual(authFromFlags({}, env), { user: "u", pass: "p" }, "empty NATS_TOKEN is unset");
  const cases: [Parameters<typeof authFromFlags>[0], RegExp][] = [
    [{ token: "" }, /^--token: expected a non-empty value, got ""$/],
    [{ user: "u" }, /^--user: needs --pass/],
    [{ pass: "s3cret" }, /^--pass: needs --user/],
    [{ token: "s3cret", creds: "/x" }, /use one, got token and --creds/],
    [{ tlsCert: "/c" }, /--tls-cert and --tls-key go together/],
    [{ creds: "/nonexistent.creds" }, /^--creds: cannot read "\/nonexistent\.creds": /],
    [{ tlsCa: "/nonexistent-ca.pem" }, /^--tls-ca: cannot read "\/nonexistent-ca\.pem"/],
    [{ tlsCa: "/tmp" }, /^--tls-ca: cannot read "\/tmp": not a file/],
  ];
  for (const [flags, re] of cases) {
    assert.throws(() => authFromFlags(flags, noEnv), (e: Error) => {
      assert.match(e.message, re);
      assert.doesNotMatch(e.message, /s3cret/);
      return e.name === "AuthUsageError";
    });
  }
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/ca.pem`, "x");
    assert.deepEqual(authFromFlags({ tlsCa: `${dir}/ca.pem` }, noEnv), {
      tlsCaFile: `${dir}/ca.pem`,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("authForChild: secrets in the environment, files as flags; the worker reads them back", async () => {
  assert.deepEqual(authForChild(undefined), { env: {}, args: [] });
  assert.deepEqual(authForChild({ user: "u", pass: "s3cret" }), {
    env: { NATS_USER: "u", NATS_PASSWORD: "s3cret" },
    args: [],
  });
  const dir = await Deno.makeTempDir();
  try {
    const creds = `${dir}/x.creds`, ca = `${dir}/ca.pem`;
    await Deno.writeTextFile(creds, "");
    await Deno.writeTextFile(ca, "");
    const auth = { credsFile: creds, tlsCaFile: ca };
    const child = authForChild(auth);
    assert.deepEqual(child.args, ["--creds", creds, "--tls-ca", ca]);
    assert.ok(!child.args.some((a) => a.includes("s3cret")));
    // Round trip through the worker's parser.
    const flags = { creds: child.args[1], tlsCa: child.args[3] };
    assert.deepEqual(authFromFlags(flags, (k) => child.env[k]), auth);
    const t = authForChild({ token: "tok" });
    assert.deepEqual(authFromFlags({}, (k) => t.env[k]), { token: "tok" });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
