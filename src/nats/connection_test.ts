import assert from "node:assert/strict";
import { connectNats, describeAuth, natsOptions, redact } from "./connection.ts";
import { startNatsServer } from "./server.ts";

Deno.test("natsOptions passes token, user/password and TLS files through to nats.js", async () => {
  const t = await natsOptions({
    servers: "nats://h:1",
    auth: { token: "tok", tlsCaFile: "/ca.pem" },
  });
  assert.equal(t.token, "tok");
  assert.deepEqual(t.tls, { caFile: "/ca.pem" });
  assert.equal(t.maxReconnectAttempts, -1, "reconnects forever by default");
  const u = await natsOptions({ servers: "nats://h:1", auth: { user: "u", pass: "p" } });
  assert.equal(u.user, "u");
  assert.equal(u.pass, "p");
  assert.equal(u.tls, undefined);
});

Deno.test("natsOptions reads a credentials file and rejects conflicting or half auth", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const creds = `${dir}/user.creds`;
    await Deno.writeTextFile(creds, "not really a creds file");
    const o = await natsOptions({ servers: "nats://h:1", auth: { credsFile: creds } });
    assert.equal(typeof o.authenticator, "function");
    await assert.rejects(
      natsOptions({ servers: "x", auth: { credsFile: `${dir}/missing.creds` } }),
      /auth\.credsFile: cannot read ".*missing\.creds"/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  await assert.rejects(natsOptions({ servers: "x", auth: { user: "u" } }), /user without pass/);
  await assert.rejects(
    natsOptions({ servers: "x", auth: { token: "t", user: "u", pass: "p" } }),
    /one of token/,
  );
});

Deno.test("redact and describeAuth never show secrets", () => {
  const auth = { token: "s3cret-token", user: "alice", pass: "hunter2" };
  assert.equal(redact("token s3cret-token and hunter2", auth), "token *** and ***");
  assert.equal(redact("nats://alice:hunter2@host:4222"), "nats://***:***@host:4222");
  // A token in the URL, and several servers.
  assert.equal(
    redact("nats://s3cret-token@a:4222,tls://bob:pw@b:4222"),
    "nats://***@a:4222,tls://***:***@b:4222",
  );
  assert.equal(redact("nats://host:4222"), "nats://host:4222");
  const d = describeAuth(auth);
  assert.ok(!d.includes("s3cret") && !d.includes("hunter2"), d);
});

Deno.test("connectNats: a wrong token is refused with a clear error that hides the token", async () => {
  const server = await startNatsServer({ auth: { token: "right-token" } });
  try {
    await assert.rejects(
      connectNats({ servers: server.url, auth: { token: "wrong-token-value" }, timeoutMs: 5000 }),
      (e: Error) => {
        assert.match(e.message, /authorization refused by nats:\/\/127\.0\.0\.1:\d+ \(token\)/);
        assert.ok(!e.message.includes("wrong-token-value"), e.message);
        return true;
      },
    );
    await assert.rejects(
      connectNats({ servers: server.url, timeoutMs: 5000 }),
      /authorization refused/,
    );
    const nc = await connectNats({ servers: server.url, auth: { token: "right-token" } });
    await nc.close();
  } finally {
    await server.stop();
  }
});

Deno.test("connectNats: a wrong password is refused with a clear error", async () => {
  const server = await startNatsServer({ auth: { user: "bench", pass: "right-pass" } });
  try {
    await assert.rejects(
      connectNats({
        servers: server.url,
        auth: { user: "bench", pass: "wrong-pass" },
        timeoutMs: 5000,
      }),
      (e: Error) =>
        /authorization refused .*user "bench"/.test(e.message) && !e.message.includes("wrong-pass"),
    );
    const nc = await connectNats({
      servers: server.url,
      auth: { user: "bench", pass: "right-pass" },
    });
    await nc.close();
  } finally {
    await server.stop();
  }
});
