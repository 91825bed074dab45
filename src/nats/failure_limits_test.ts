import assert from "node:assert/strict";
import { Kvm } from "@nats-io/kv";
import { jetstreamManager } from "@nats-io/jetstream";
import { caseId } from "../case/id.ts";
import { parseCase } from "../case/schema.ts";
import type { Case, CaseResult } from "../results.ts";
import { connectNats } from "./connection.ts";
import { FailureLimits, limitKey, parseFailureLimit } from "./failure_limits.ts";
import { syntheticResult } from "./fake_runner.ts";
import { ensureSweepStreams, limitsBucket } from "./protocol.ts";
import { startNatsServer } from "./server.ts";

const mk = (seqLen: number, extra: Partial<Case> = {}): Case =>
  parseCase({
    model: "equivariant-transformer",
    pass: "forward",
    seqLen,
    backend: "cpu",
    ...extra,
  });
const oom = (c: Case): CaseResult => ({ ...syntheticResult(c, "oom", 0), oomAt: c.seqLen });
const CPU = { deviceClass: "cpu", memoryBudgetBytes: 2 ** 30 };

Deno.test("limitKey: one key per group and device scope, whatever the length or label", () => {
  const k = limitKey(mk(64), CPU);
  assert.match(k, /^[0-9a-f]{32}$/);
  assert.equal(limitKey(mk(4096, { label: "x" }), CPU), k);
  assert.notEqual(limitKey(mk(64, { pass: "backward" }), CPU), k);
  assert.notEqual(limitKey(mk(64, { batch: 2 }), CPU), k);
  assert.notEqual(limitKey(mk(64), { ...CPU, deviceClass: "gpu" }), k);
  assert.notEqual(limitKey(mk(64), { ...CPU, memoryBudgetBytes: 2 ** 31 }), k);
  assert.notEqual(limitKey(mk(64), { ...CPU, memoryBudgetBytes: null }), k);
});

Deno.test("parseFailureLimit: only well-formed limits", () => {
  const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
  const ok = { v: 1, status: "oom", seqLen: 128, caseId: "abc", deviceClass: "cpu" };
  assert.deepEqual(parseFailureLimit(enc(ok)), ok);
  assert.equal(parseFailureLimit(enc({ ...ok, status: "error" })), null);
  assert.equal(parseFailureLimit(enc({ ...ok, seqLen: -1 })), null);
  assert.equal(parseFailureLimit(enc({ ...ok, seqLen: "128" })), null);
  assert.equal(parseFailureLimit(enc({ ...ok, v: 2 })), null);
  assert.equal(parseFailureLimit(new TextEncoder().encode("{nope")), null);
  assert.equal(parseFailureLimit(new Uint8Array(5000)), null);
});

Deno.test("FailureLimits: the smallest failing length wins (also under concurrent writers), per device scope; skips mirror a local sweep", async () => {
  const server = await startNatsServer();
  const nc = await connectNats({ servers: server.url });
  try {
    await ensureSweepStreams(await jetstreamManager(nc), "lim", { storage: "memory" });
    const a = (await FailureLimits.open(nc, "lim", CPU))!;
    const b = (await FailureLimits.open(nc, "lim", CPU))!;
    const gpu = (await FailureLimits.open(nc, "lim", { ...CPU, deviceClass: "gpu" }))!;
    assert.ok(a && b && gpu);
    assert.equal(await FailureLimits.open(nc, "no-such-sweep", CPU), null);

    assert.equal(await a.skip(mk(4096)), null, "no limit yet: run it");
    assert.equal(await a.record(oom(mk(1024))), true);
    assert.equal(await b.record(oom(mk(2048))), false, "a larger failure does not raise it");
    assert.equal((await b.limit(mk(32)))?.seqLen, 1024);
    // Concurrent writers: compare-and-set keeps the minimum.
    await Promise.all([
      a.record(oom(mk(512))),
      b.record(oom(mk(256))),
      a.record(oom(mk(768))),
      b.record(oom(mk(384))),
    ]);
    assert.equal((await a.limit(mk(32)))?.seqLen, 256);
    // Not-run results never lower it.
    assert.equal(await a.record({ ...oom(mk(64)), skipped: true }), false);
    assert.equal(await a.record(syntheticResult(mk(64), "error", 0)), false);
    assert.equal((await a.limit(mk(32)))?.seqLen, 256);

    assert.equal(await a.skip(mk(256)), null, "the failing length itself is not skipped");
    assert.equal(await a.skip(mk(128)), null);
    const s = (await b.skip(mk(512)))!;
    assert.equal(s.status, "skipped");
    assert.equal(s.skippedAfter, "oom");
    assert.equal(s.skipped, true);
    assert.equal(s.oomAt, 256);
    assert.equal(s.id, caseId(mk(512)));
    assert.equal(s.timeMs, null);
    assert.match(s.error!, /ran out of memory at seqLen 256.*device class cpu/);
    assert.equal(await a.skip(mk(512, { pass: "backward" })), null, "other groups run");
    assert.equal(await gpu.skip(mk(512)), null, "another device class runs it");

    // A timeout lowers the limit too, and its skip says timeout.
    const t = mk(1024, { pass: "backward" });
    await a.record(syntheticResult(t, "timeout", 0));
    const st = (await a.skip(mk(2048, { pass: "backward" })))!;
    assert.equal(st.status, "skipped");
    assert.equal(st.skippedAfter, "timeout");
    assert.equal(st.oomAt, undefined);

    // Garbage written to the bucket is ignored (the case runs) and overwritten by a real failure.
    const kv = await new Kvm(nc).open(limitsBucket("lim"));
    const g = mk(64, { batch: 3 });
    await kv.put(limitKey(g, CPU), "{garbage");
    assert.equal(await a.skip(mk(128, { batch: 3 })), null);
    assert.equal(await a.record(oom(mk(64, { batch: 3 }))), true);
    assert.equal((await a.skip(mk(128, { batch: 3 })))?.oomAt, 64);
  } finally {
    await nc.close();
    await server.stop();
  }
});
