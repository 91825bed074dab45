import assert from "node:assert/strict";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connectNats } from "./connection.ts";
import {
  findNatsServer,
  freePort,
  killStaleServer,
  serverConfig,
  startNatsServer,
} from "./server.ts";

Deno.test("findNatsServer finds the installed binary", async () => {
  const path = await findNatsServer();
  assert.ok(path, "nats-server should be installed (Debian package nats-server)");
  assert.match(path, /nats-server$/);
});

Deno.test("serverConfig quotes secrets and paths and enables JetStream on loopback", () => {
  const conf = serverConfig(4333, '/tmp/a "b"', { user: "u", pass: 'p"w' });
  assert.match(conf, /listen: "127\.0\.0\.1:4333"/);
  assert.match(conf, /store_dir: "\/tmp\/a \\"b\\""/);
  assert.match(conf, /password: "p\\"w"/);
  assert.match(serverConfig(1, "/x", { token: "t" }), /token: "t"/);
  assert.doesNotMatch(serverConfig(1, "/x"), /authorization/);
});

Deno.test("startNatsServer: JetStream file storage survives a restart on the same port", async () => {
  const server = await startNatsServer();
  try {
    assert.match(server.url, /^nats:\/\/127\.0\.0\.1:\d+$/);
    const nc = await connectNats({ servers: server.url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "T", subjects: ["t.>"] });
    await jetstream(nc).publish("t.1", "hello");
    const port = server.port;
    await server.restart();
    assert.equal(server.port, port);
    // The client reconnects by itself (a request sent while it notices the drop may be
    // lost: retry); the stored message is still there.
    let text: string | undefined;
    for (let i = 0; i < 20 && text === undefined; i++) {
      try {
        text = (await jsm.streams.getMessage("T", { seq: 1 }))?.string();
      } catch {
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    assert.equal(text, "hello");
    await nc.close();
  } finally {
    await server.stop();
  }
  await assert.rejects(Deno.stat(server.storeDir), Deno.errors.NotFound);
});

Deno.test("startNatsServer: a port already taken is reported with the server's log", async () => {
  const port = freePort();
  const listener = Deno.listen({ hostname: "127.0.0.1", port });
  try {
    await assert.rejects(
      startNatsServer({ port, readyTimeoutMs: 10_000 }),
      (e: Error) => /nats-server: exited before ready/.test(e.message) && /in use/i.test(e.message),
    );
  } finally {
    listener.close();
  }
});

Deno.test("killStaleServer kills a nats-server from its pid file, and nothing else", async () => {
  const dir = await Deno.makeTempDir();
  const pidFile = `${dir}/server.pid`;
  const server = await startNatsServer({ pidFile });
  try {
    const [pid] = (await Deno.readTextFile(pidFile)).split("\n");
    assert.equal(Number(pid), server.pid);
    assert.equal(await killStaleServer(pidFile), true);
    await assert.rejects(Deno.stat(`/proc/${server.pid}`), Deno.errors.NotFound);
    // A pid file pointing at a process that is not nats-server is left alone,
    await Deno.writeTextFile(pidFile, `${Deno.pid}\n`);
    assert.equal(await killStaleServer(pidFile), false);
    // and so is a nats-server started with another config (a reused pid).
    const other = await startNatsServer();
    try {
      await Deno.writeTextFile(pidFile, `${other.pid}\n/some/other/nats.conf\n`);
      assert.equal(await killStaleServer(pidFile), false);
      await Deno.stat(`/proc/${other.pid}`);
    } finally {
      await other.stop();
    }
    assert.equal(await killStaleServer(`${dir}/missing.pid`), false);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
