import assert from "node:assert/strict";
import { circularConvF32, type ConvShape, convUnitCount } from "../../fft/circular_conv.ts";
import { randomArray, seededUniform } from "../../fft/testing.ts";
import { checkThreads, ThreadPool } from "./pool.ts";
import {
  disposeKernelPool,
  getThreads,
  kernelPool,
  kernelPoolWorkers,
  setThreads,
  workerRows,
} from "./threads.ts";

/** Runs `fn` with a pool of `threads` and disposes it (checking that no worker is left). */
async function withPool(
  options: ConstructorParameters<typeof ThreadPool>[0],
  fn: (pool: ThreadPool) => void | Promise<void>,
): Promise<void> {
  const pool = new ThreadPool(options);
  try {
    await fn(pool);
  } finally {
    pool.dispose();
    assert.equal(pool.liveWorkers, 0, "workers left after dispose");
  }
  // Let terminated workers' ops settle before the test's sanitizers look.
  await new Promise((r) => setTimeout(r, 50));
}

function convInputs(shape: ConvShape, seed: number) {
  const size = shape[0] * shape[1] * shape[2];
  const random = seededUniform(seed);
  return { x: randomArray(size, random), k: randomArray(size, random), size };
}

const SHAPES: ConvShape[] = [[1, 1, 3], [2, 3, 5], [1, 1000, 7], [3, 64, 4], [1, 4096, 16]];

for (const threads of [1, 2, 3]) {
  Deno.test(`ThreadPool fftConv job, ${threads} thread(s): bitwise equal to single-threaded`, async () => {
    await withPool({ threads }, (pool) => {
      assert.equal(pool.threads, threads);
      for (const shape of SHAPES) {
        for (const flip of [false, true]) {
          const { x, k, size } = convInputs(shape, shape[1] + (flip ? 1 : 0));
          const want = new Float32Array(size);
          circularConvF32(x, k, want, shape, flip);
          const got = new Float32Array(size).fill(NaN);
          // Repeated: later jobs find the workers started (the first may run without them).
          for (let rep = 0; rep < 3; rep++) {
            pool.run({
              kind: "fftConv",
              inputs: [x, k],
              outputs: [got],
              params: [...shape, flip ? 1 : 0],
              units: convUnitCount(shape),
            });
            assert.deepEqual(got, want, `shape [${shape}], flip ${flip}, rep ${rep}`);
          }
        }
      }
      assert.ok(pool.liveWorkers <= threads - 1);
    });
  });
}

Deno.test("ThreadPool: workers start on the first job and take units", async () => {
  await withPool({ threads: 3 }, async (pool) => {
    assert.equal(pool.liveWorkers, 0, "created lazily");
    const shape: ConvShape = [1, 4096, 64];
    const { x, k, size } = convInputs(shape, 1);
    const out = new Float32Array(size);
    const job = {
      kind: "fftConv",
      inputs: [x, k],
      outputs: [out],
      params: [...shape, 0],
      units: convUnitCount(shape),
    };
    pool.run(job);
    assert.equal(pool.liveWorkers, 2);
    // Workers load their modules (type-checked under deno test: seconds).
    for (let t = 0; t < 100 && pool.lastWorkerUnits === 0; t++) {
      await new Promise((r) => setTimeout(r, 100));
      pool.run(job);
    }
    pool.run(job);
    assert.equal(pool.liveWorkers, 2);
    assert.ok(pool.lastWorkerUnits > 0, "the workers took units");
    assert.ok(pool.arenaBytes >= 3 * 4 * size);
  });
});

Deno.test("ThreadPool: idle workers exit by themselves and are started again", async () => {
  await withPool({ threads: 2, idleMs: 100 }, async (pool) => {
    const shape: ConvShape = [1, 256, 8];
    const { x, k, size } = convInputs(shape, 2);
    const want = new Float32Array(size);
    circularConvF32(x, k, want, shape, false);
    const run = () => {
      const out = new Float32Array(size);
      pool.run({
        kind: "fftConv",
        inputs: [x, k],
        outputs: [out],
        params: [...shape, 0],
        units: 4,
      });
      return out;
    };
    assert.deepEqual(run(), want);
    assert.equal(pool.liveWorkers, 1);
    // The worker loads its modules (type-checked under deno test: seconds), idles 0.1 s.
    for (let t = 0; t < 200 && pool.liveWorkers > 0; t++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(pool.liveWorkers, 0, "the idle worker exited");
    assert.deepEqual(run(), want);
    assert.equal(pool.liveWorkers, 1, "started again");
  });
});

Deno.test("ThreadPool: bad jobs and thread counts are named", async () => {
  await withPool({ threads: 2 }, (pool) => {
    assert.throws(
      () => pool.run({ kind: "nope", inputs: [], outputs: [], params: [], units: 0 }),
      /kind: expected one of .*got nope/,
    );
    assert.throws(
      () =>
        pool.run({
          kind: "fftConv",
          inputs: [],
          outputs: [],
          params: new Array(40).fill(0),
          units: 0,
        }),
      /at most 32 params, got 40/,
    );
  });
  assert.throws(() => checkThreads(0), /threads: expected an integer ≥ 1, got 0/);
  assert.throws(() => checkThreads(1.5), /got 1.5/);
  assert.throws(() => checkThreads(1000), /≤ 65, got 1000/);
  assert.throws(() => new ThreadPool({ threads: -2 }), /got -2/);
  await withPool({ threads: 2, maxArenaBytes: 1024 }, (pool) => {
    const a = new Float32Array(1000);
    assert.equal(pool.fits({ inputs: [a, a], outputs: [a] }), false);
    assert.equal(pool.fits({ inputs: [a.subarray(0, 100)], outputs: [a.subarray(0, 100)] }), true);
    assert.throws(
      () =>
        pool.run({
          kind: "fftConv",
          inputs: [a, a],
          outputs: [a],
          params: [1, 1000, 1, 0],
          units: 1,
        }),
      /needs 12096 bytes, over the arena's 1024/,
    );
  });
});

Deno.test("ThreadPool: a disposed pool refuses jobs and has no workers", async () => {
  const pool = new ThreadPool({ threads: 2 });
  const a = new Float32Array(64);
  pool.run({
    kind: "fftConv",
    inputs: [a, a],
    outputs: [a.slice()],
    params: [1, 64, 1, 0],
    units: 1,
  });
  assert.equal(pool.liveWorkers, 1);
  pool.dispose();
  assert.equal(pool.liveWorkers, 0);
  assert.throws(
    () => pool.run({ kind: "fftConv", inputs: [], outputs: [], params: [], units: 0 }),
    /disposed/,
  );
  await new Promise((r) => setTimeout(r, 50));
});

Deno.test("setThreads: default every core; 1 means no pool; another count replaces the pool", async () => {
  const previous = getThreads();
  try {
    assert.equal(previous, navigator.hardwareConcurrency);
    setThreads(1);
    assert.equal(kernelPool(), undefined);
    setThreads(2);
    const pool = kernelPool()!;
    assert.equal(pool.threads, 2);
    assert.equal(kernelPool(), pool, "kept between calls");
    const a = new Float32Array(64);
    pool.run({
      kind: "fftConv",
      inputs: [a, a],
      outputs: [a.slice()],
      params: [1, 64, 1, 0],
      units: 1,
    });
    assert.equal(kernelPoolWorkers(), 1);
    setThreads(1);
    assert.equal(kernelPool(), undefined);
    assert.ok(!pool.disposed, "kept while single-threaded (its workers idle out)");
    setThreads(2);
    assert.equal(kernelPool(), pool, "and used again");
    setThreads(3);
    assert.ok(pool.disposed);
    assert.equal(pool.liveWorkers, 0);
    assert.equal(kernelPool()!.threads, 3);
    assert.throws(() => setThreads(0), /threads: expected an integer ≥ 1, got 0/);
  } finally {
    disposeKernelPool();
    assert.equal(kernelPoolWorkers(), 0);
    setThreads(previous);
    await new Promise((r) => setTimeout(r, 50));
  }
});

Deno.test("workerRows: the split where the calling thread (copies + its rows) and the workers end together", () => {
  // 2 threads, copies free: half each; copies as costly as compute: all rows to the worker.
  assert.equal(workerRows(1000, 2, 0), 500);
  assert.equal(workerRows(1000, 2, 1), 1000);
  // 2 threads, copies 0.45 of compute: x = 1 / 1.55 of the rows to the worker.
  assert.equal(workerRows(1000, 2, 0.45), 645);
  // More workers take everything once the caller's copies alone fill its time.
  assert.equal(workerRows(1000, 4, 0.45), 1000);
  assert.equal(workerRows(1, 2, 0.45), 1);
  assert.equal(workerRows(7, 3, 0.08), 5); // 7 / (1/2 + 0.92) = 4.93
});

Deno.test("kernelPool: once its workers idled out, the pool (and its arena) is replaced", async () => {
  const previous = getThreads();
  try {
    setThreads(2);
    const pool = kernelPool()!;
    const a = new Float32Array(1024);
    pool.run({
      kind: "fftConv",
      inputs: [a, a],
      outputs: [a.slice()],
      params: [1, 1024, 1, 0],
      units: 1,
    });
    assert.ok(pool.arenaBytes > 0);
    assert.equal(kernelPool(), pool, "kept while its worker lives");
    // The worker loads (type-checked under deno test: seconds), then idles out after 2 s.
    for (let t = 0; t < 300 && pool.liveWorkers > 0; t++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(pool.liveWorkers, 0);
    const next = kernelPool()!;
    assert.notEqual(next, pool);
    assert.ok(pool.disposed);
    assert.equal(next.arenaBytes, 0, "a fresh arena");
  } finally {
    disposeKernelPool();
    setThreads(previous);
    await new Promise((r) => setTimeout(r, 50));
  }
});
