import assert from "node:assert/strict";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { caseId } from "../case/id.ts";
import { parseCase } from "../case/schema.ts";
import type { Case } from "../results.ts";
import { connectNats } from "./connection.ts";
import { syntheticResult } from "./fake_runner.ts";
import {
  encodeWorkMessage,
  ensureSweepStreams,
  MAX_WORK_MESSAGE_BYTES,
  streamNames,
  subjects,
} from "./protocol.ts";
import { startNatsServer } from "./server.ts";
import { type RunCaseFn, runWorker } from "./worker.ts";

/** A runner that records what it ran and returns a synthetic ok at once. */
function recordingRunner(): { run: RunCaseFn; ran: Case[] } {
  const ran: Case[] = [];
  return { ran, run: (c) => (ran.push(c), Promise.resolve(syntheticResult(c, "ok", 1))) };
}

Deno.test("worker: malformed and oversized work messages are terminated and logged, never run; the worker keeps serving", async () => {
  const server = await startNatsServer();
  const nc = await connectNats({ servers: server.url });
  try {
    const jsm = await jetstreamManager(nc);
    await ensureSweepStreams(jsm, "bad", { ackWaitMs: 60_000, storage: "memory" });
    const js = jetstream(nc);
    const s = subjects("bad");
    const good = parseCase({ model: "se3-hyena", pass: "forward", seqLen: 64, backend: "cpu" });
    const wrongBackend = parseCase({
      model: "se3-hyena",
      pass: "forward",
      seqLen: 64,
      backend: "wasm",
    });
    await js.publish(s.work("cpu"), "{ this is not json");
    const oversized = JSON.stringify({
      v: 1,
      sweepId: "bad",
      id: "x",
      case: { label: "y".repeat(MAX_WORK_MESSAGE_BYTES) },
    });
    await js.publish(s.work("cpu"), oversized);
    await js.publish(
      s.work("cpu"),
      JSON.stringify({
        v: 1,
        sweepId: "bad",
        id: "x",
        case: { model: "nope", pass: "forward", seqLen: 8 },
      }),
    );
    // A valid case on the wrong backend's subject: rejected too (it would bypass --backend).
    await js.publish(s.work("cpu"), encodeWorkMessage("bad", caseId(wrongBackend), wrongBackend));
    await js.publish(s.work("cpu"), encodeWorkMessage("bad", caseId(good), good));

    const logs: string[] = [];
    const { run, ran } = recordingRunner();
    const stats = await runWorker(nc, {
      runCase: run,
      sweep: "bad",
      backend: "cpu",
      maxCases: 1,
      heartbeatMs: 60_000,
      log: (l) => logs.push(l),
    });
    assert.equal(stats.rejected, 4);
    assert.equal(stats.completed, 1);
    assert.deepEqual(ran, [good], "only the valid case ran");
    const text = logs.join("\n");
    assert.match(text, /rejected work message .*: not JSON/);
    assert.match(text, /rejected work message .*: oversized: \d+ bytes > limit 65536/);
    assert.match(text, /rejected work message .*: case: invalid case: model: expected one of/);
    assert.match(
      text,
      /rejected work message .*: case\.backend: expected cpu \(the subject's backend\), got wasm/,
    );
    // Terminated messages are gone from the work queue; the result is in the results stream.
    const work = await jsm.streams.info(streamNames("bad").work);
    assert.equal(work.state.messages, 0);
    const r = await jsm.streams.getMessage(streamNames("bad").results, {
      last_by_subj: s.result(caseId(good)),
    });
    assert.equal(r?.json<{ status: string }>().status, "ok");
  } finally {
    await nc.close();
    await server.stop();
  }
});

Deno.test("worker: a redelivered case whose result is already published is acked without running again", async () => {
  const server = await startNatsServer();
  const nc = await connectNats({ servers: server.url });
  try {
    const jsm = await jetstreamManager(nc);
    await ensureSweepStreams(jsm, "dup", { ackWaitMs: 300, storage: "memory" });
    const js = jetstream(nc);
    const s = subjects("dup");
    const c = parseCase({ model: "se3-hyena", pass: "forward", seqLen: 64, backend: "cpu" });
    const id = caseId(c);
    await js.publish(s.work("cpu"), encodeWorkMessage("dup", id, c));
    // First delivery taken and "lost" (never acked), as if its worker died after publishing.
    const consumer = await js.consumers.get(streamNames("dup").work, "w_cpu");
    const first = await consumer.next({ expires: 2000 });
    assert.ok(first);
    await js.publish(s.result(id), JSON.stringify(syntheticResult(c, "ok", 1)), { msgID: id });
    const { run, ran } = recordingRunner();
    const ac = new AbortController();
    const done = runWorker(nc, {
      runCase: run,
      sweep: "dup",
      backend: "cpu",
      signal: ac.signal,
      log: () => {},
    });
    for (let i = 0; i < 100; i++) {
      if ((await jsm.streams.info(streamNames("dup").work)).state.messages === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    ac.abort();
    const stats = await done;
    assert.equal(stats.skippedDuplicates, 1);
    assert.equal(ran.length, 0);
  } finally {
    await nc.close();
    await server.stop();
  }
});

Deno.test("worker: --sweep all discovers a sweep whose streams appear after it started", async () => {
  const server = await startNatsServer();
  const nc = await connectNats({ servers: server.url });
  const wnc = await connectNats({ servers: server.url });
  try {
    const { run, ran } = recordingRunner();
    const events: string[] = [];
    const sub = nc.subscribe("se3h.late.workers.>");
    (async () => {
      for await (const m of sub) events.push(m.json<{ type: string }>().type);
    })();
    const done = runWorker(wnc, {
      runCase: run,
      sweep: "all",
      maxCases: 1,
      heartbeatMs: 60_000,
      log: () => {},
    });
    await new Promise((r) => setTimeout(r, 300));
    const jsm = await jetstreamManager(nc);
    await ensureSweepStreams(jsm, "late", { storage: "memory" });
    const c = parseCase({
      model: "equivariant-transformer",
      pass: "backward",
      seqLen: 32,
      backend: "webgpu",
    });
    await jetstream(nc).publish(
      subjects("late").work("webgpu"),
      encodeWorkMessage("late", caseId(c), c),
    );
    const stats = await done;
    assert.equal(stats.completed, 1);
    assert.deepEqual(ran, [c]);
    await nc.flush();
    assert.deepEqual(events.slice(0, 2), ["announce", "started"]);
    sub.unsubscribe();
  } finally {
    await wnc.close();
    await nc.close();
    await server.stop();
  }
});
