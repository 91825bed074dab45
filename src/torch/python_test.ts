import assert from "node:assert/strict";
import {
  DEBIAN_PYTHON,
  JEMALLOC_PATHS,
  JEMALLOC_RETAIN,
  OPENBLAS_DIRS,
  PYTHON_ENV,
  resolvePython,
  torchAvailable,
  torchChildEnv,
} from "./python.ts";

const exists = (p: string) => {
  try {
    Deno.statSync(p);
    return true;
  } catch {
    return false;
  }
};

Deno.test("resolvePython: --python, then SE3_HYENA_PYTHON, then Debian's python3 with torch", () => {
  const saved = Deno.env.get(PYTHON_ENV);
  try {
    Deno.env.set(PYTHON_ENV, "/opt/env/python");
    assert.equal(resolvePython("/x/python3"), "/x/python3");
    assert.equal(resolvePython(), "/opt/env/python");
    Deno.env.delete(PYTHON_ENV);
    const debian = exists("/usr/lib/python3/dist-packages/torch") && exists(DEBIAN_PYTHON);
    assert.equal(resolvePython(), debian ? DEBIAN_PYTHON : "python3");
  } finally {
    if (saved === undefined) Deno.env.delete(PYTHON_ENV);
    else Deno.env.set(PYTHON_ENV, saved);
  }
});

Deno.test("torchChildEnv: jemalloc preloaded, OpenBLAS first, threads and wait policy unless set", () => {
  const env = torchChildEnv({ LD_PRELOAD: "/lib/a.so", LD_LIBRARY_PATH: "/lib/x" });
  const jemalloc = JEMALLOC_PATHS.find(exists);
  const blas = OPENBLAS_DIRS.find(exists);
  if (jemalloc) {
    assert.equal(env.LD_PRELOAD, `/lib/a.so:${jemalloc}`);
    assert.equal(env.MALLOC_CONF, JEMALLOC_RETAIN, "freed pages kept for reuse");
    assert.equal(torchChildEnv({ MALLOC_CONF: "" }).MALLOC_CONF, undefined, "the user's kept");
  }
  if (blas) assert.equal(env.LD_LIBRARY_PATH, `${blas}:/lib/x`);
  assert.equal(env.OMP_NUM_THREADS, String(navigator.hardwareConcurrency));
  assert.equal(env.OPENBLAS_NUM_THREADS, String(navigator.hardwareConcurrency));
  assert.equal(env.OMP_WAIT_POLICY, "PASSIVE");
  const user = torchChildEnv({ OMP_NUM_THREADS: "1", OMP_WAIT_POLICY: "ACTIVE" });
  assert.equal(user.OMP_NUM_THREADS, undefined, "the user's setting is kept");
  assert.equal(user.OMP_WAIT_POLICY, undefined);
  if (jemalloc) {
    assert.equal(torchChildEnv({ LD_PRELOAD: jemalloc }).LD_PRELOAD, undefined, "not twice");
  }
});

Deno.test("torchAvailable: false for an interpreter that does not exist", async () => {
  assert.equal(await torchAvailable("/nonexistent/python3"), false);
});
