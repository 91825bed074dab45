"""Child-process entry of the torch framework: reads one case as JSON on stdin, measures
it with the PyTorch models (python/se3_torch), writes exactly one line on stdout, the
result as JSON (the results contract of src/results.ts), and exits 0.

The protocol is the one of src/runner/measure.ts (design/harness.md §2):
1. Seeded model (``torch.manual_seed(case.seed)``) and inputs ``x: [B, N, 3]``,
   ``f: [B, N, D]`` on ``case.device``.
2. A step: forward = the model under ``torch.inference_mode`` (per-token parts in chunks of
   ``tokenChunk``, default 8192) reduced to ``sum(x̂) + sum(f̂)``; backward = the gradients of
   ``mean(x̂²) + mean(f̂²)`` wrt every parameter, reduced to ``loss + Σ sum(grad)``. The clock
   stops after ``torch.cuda.synchronize()`` (CUDA) and reading the scalar back.
3. Warm-up: at least ``warmup`` steps, and while under 300 ms (at most 50).
4. Timed steps: at least max(3, repeats), then more while the median's 95% CI is wider than
   ±5% and the next step fits in ``budgetMs``; at most 200 (python/se3_torch/stats.py, a port
   of src/stats.ts).
5. Memory: ``deviceBytes`` = ``torch.cuda.max_memory_allocated`` over the case (CUDA),
   ``peakBytes`` = the same over one more untimed step (CUDA; null on CPU, where PyTorch
   keeps no allocator statistics), ``rssPeakBytes`` = ``ru_maxrss``.
6. Out of memory (CUDA's, or the CPU allocator's) is ``status: "oom"`` with ``oomAt``.

The result's ``torch`` field records the version, device, threads, and the BLAS and
allocator libraries actually mapped into the process (/proc/self/maps).

Test doubles: ``fault`` (accepted only with ``SE3_HYENA_TEST_FAULTS=1``, as in
src/case/schema.ts): ``noop`` times a trivial op, ``oom`` raises a simulated CUDA
out-of-memory error, ``grow`` allocates until the parent's RSS budget kills the process,
``hang`` never finishes, ``crash`` exits 70 without a result.

Like src/runner/child.ts, with ``SE3H_EXIT_ON_STDIN_CLOSE=1`` the case is stdin's first line and
the child exits (code 86) when stdin closes: the parent is gone.

Run: ``python3 python/child.py < case.json``
"""
import hashlib
import json
import os
import platform
import resource
import sys
import threading
import time
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

DEFAULT_TOKEN_CHUNK = 8192
MIN_WARMUP_MS = 300
MAX_WARMUP_STEPS = 50
MAX_REPEATS = 200
MIN_REPEATS = 3
REL_TOL = 0.05
MEMORY_BUDGET_ENV = "SE3_HYENA_MEMORY_BUDGET"
TEST_FAULTS_ENV = "SE3_HYENA_TEST_FAULTS"
EXIT_ON_STDIN_CLOSE_ENV = "SE3H_EXIT_ON_STDIN_CLOSE"  # src/runner/isolated.ts
PARENT_GONE_EXIT_CODE = 86


def now():
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def canonical_json(v):
    """src/case/id.ts canonicalJson for JSON data (keys sorted, no spaces)."""
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def case_id(c):
    """src/case/id.ts caseId: ``framework: "tfjs"`` is left out of the hash."""
    if isinstance(c, dict) and c.get("framework") == "tfjs":
        c = {k: v for k, v in c.items() if k != "framework"}
    return hashlib.sha256(canonical_json(c).encode()).hexdigest()[:16]


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return f"{platform.machine()} CPU"


def rss_peak_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def mapped_libraries():
    """The BLAS and allocator libraries mapped into this process."""
    libs = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                name = os.path.basename(path)
                if any(k in name for k in ("blas", "jemalloc", "tcmalloc", "mkl_rt", "lapack")):
                    libs.add(os.path.realpath(path))
    except OSError:
        pass
    blas = sorted(p for p in libs if "blas" in os.path.basename(p) or "mkl" in p)
    alloc = sorted(p for p in libs if "malloc" in os.path.basename(p))
    return blas, alloc


def result_base(c, cid):
    return {
        "id": cid,
        "case": c,
        "status": "error",
        "timeMs": None,
        "memory": {"peakBytes": None, "rssPeakBytes": rss_peak_bytes(), "deviceBytes": None,
                   "budgetBytes": budget_bytes()},
        "flops": None,
        "worker": {"host": platform.node() or "unknown", "device": cpu_model(),
                   "backend": "torch"},
        "startedAt": now(),
    }


def budget_bytes():
    try:
        v = int(os.environ.get(MEMORY_BUDGET_ENV, ""))
        return v if v > 0 else None
    except ValueError:
        return None


def emit(result):
    result.setdefault("finishedAt", now())
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
    os._exit(0)


def is_oom(e):
    import torch
    oom_type = getattr(torch.cuda, "OutOfMemoryError", None)
    if oom_type is not None and isinstance(e, oom_type):
        return True
    if isinstance(e, MemoryError):
        return True
    text = str(e)
    return isinstance(e, RuntimeError) and (
        "out of memory" in text or "can't allocate memory" in text
        or "DefaultCPUAllocator" in text)


def check_case(raw):
    """The parent validated the case (src/case/schema.ts); this checks what the child needs."""
    from se3_torch.context import ATTENTION_MODES
    from se3_torch.models import MODEL_KINDS, PRESETS
    problems = []
    if raw.get("framework") != "torch":
        problems.append(f"framework: expected \"torch\", got {json.dumps(raw.get('framework'))}")
    if raw.get("model") not in MODEL_KINDS:
        problems.append(f"model: expected one of {', '.join(MODEL_KINDS)}, got "
                        f"{json.dumps(raw.get('model'))}")
    if raw.get("pass") not in ("forward", "backward"):
        problems.append(f"pass: expected forward or backward, got {json.dumps(raw.get('pass'))}")
    if raw.get("preset") not in PRESETS:
        problems.append(f"preset: expected one of {', '.join(PRESETS)}, got "
                        f"{json.dumps(raw.get('preset'))}")
    if raw.get("device", "cpu") not in ("cpu", "cuda"):
        problems.append(f"device: expected cpu or cuda, got {json.dumps(raw.get('device'))}")
    if raw.get("attention", "materialized") not in ATTENTION_MODES:
        problems.append(f"attention: expected one of {', '.join(ATTENTION_MODES)}, got "
                        f"{json.dumps(raw.get('attention'))}")
    for field in ("seqLen", "batch", "repeats", "warmup", "budgetMs", "seed"):
        v = raw.get(field)
        if not isinstance(v, int) or isinstance(v, bool) or v < 0:
            problems.append(f"{field}: expected a non-negative integer, got {json.dumps(v)}")
    if raw.get("fault") is not None and os.environ.get(TEST_FAULTS_ENV) != "1":
        problems.append(f"fault: test-only field, accepted only with {TEST_FAULTS_ENV}=1")
    return problems


def make_step(c, torch, device):
    """The step of case ``c`` and the model's parameter count."""
    from se3_torch.models import EquivariantModel, PRESETS
    d = PRESETS[c["preset"]]["D"]
    torch.manual_seed(c["seed"])
    model = EquivariantModel(c["model"], c["preset"],
                             attention=c.get("attention", "materialized")).to(device)
    gen = torch.Generator(device="cpu")
    x = torch.randn(c["batch"], c["seqLen"], 3, generator=gen.manual_seed(c["seed"] + 1))
    f = torch.randn(c["batch"], c["seqLen"], d, generator=gen.manual_seed(c["seed"] + 2))
    x, f = x.to(device), f.to(device)
    params = model.ordered_parameters()
    count = sum(p.numel() for p in params)
    if c["pass"] == "forward":
        chunk = c.get("tokenChunk") or DEFAULT_TOKEN_CHUNK

        def step():
            with torch.inference_mode():
                ox, of = model(x, f, token_chunk=chunk)
                return ox.sum() + of.sum()
        return step, count, chunk

    def step():
        ox, of = model(x, f)
        loss = (ox * ox).mean() + (of * of).mean()
        grads = torch.autograd.grad(loss, params, allow_unused=True)
        with torch.no_grad():
            return loss.detach() + sum(g.sum() for g in grads if g is not None)
    return step, count, None


def fault_step(c, torch):
    fault = c["fault"]
    if fault == "noop":
        x = torch.randn(c["batch"], min(c["seqLen"], 1024), 3)
        return lambda: (x * x).sum()
    if fault == "oom":
        raise RuntimeError("CUDA out of memory. Tried to allocate 1.00 GiB (simulated by fault: oom)")
    if fault in ("grow", "fatal-oom"):
        hoard = []
        for _ in range(64):  # 64 × 32 MiB = 2 GiB at most, then wait to be killed
            hoard.append(bytearray(b"\1" * (32 << 20)))
            time.sleep(0.01)
        while True:
            time.sleep(1)
    if fault == "hang":
        while True:
            time.sleep(1)
    if fault == "crash":
        print("simulated crash (fault: crash)", file=sys.stderr)
        os._exit(70)
    raise ValueError(f"fault: unknown fault {json.dumps(fault)}")


def measure(c, result):
    import torch
    from se3_torch.stats import is_median_stable, summarize
    device = c.get("device", "cpu")
    threads = os.environ.get("OMP_NUM_THREADS")
    if threads and threads.isdigit() and int(threads) > 0:
        torch.set_num_threads(int(threads))
    blas, alloc = mapped_libraries()
    cuda = device == "cuda"
    info = {
        "version": torch.__version__,
        "device": device,
        "threads": torch.get_num_threads(),
        "blas": blas,
        "allocator": alloc or ["glibc malloc"],
        "env": {k: os.environ[k] for k in ("LD_PRELOAD", "OMP_NUM_THREADS",
                                           "OPENBLAS_NUM_THREADS", "OMP_WAIT_POLICY", "MALLOC_CONF",
                                           "CUDA_VISIBLE_DEVICES")
                if k in os.environ},
    }
    result["torch"] = info
    result["worker"]["framework"] = f"torch {torch.__version__} {device}"
    if cuda:
        if not torch.cuda.is_available():
            raise RuntimeError("device cuda: torch.cuda.is_available() is false "
                               f"(torch {torch.__version__}, CUDA build {torch.version.cuda})")
        props = torch.cuda.get_device_properties(0)
        result["worker"]["device"] = props.name
        result["memory"]["budgetBytes"] = props.total_memory
        info["cuda"] = torch.version.cuda
        torch.cuda.reset_peak_memory_stats()

    def sync_value(s):
        if cuda:
            torch.cuda.synchronize()
        return float(s.item())

    def timed(step):
        t0 = time.perf_counter()
        sync_value(step())
        return (time.perf_counter() - t0) * 1000

    stage = "model"
    try:
        if c.get("fault") is not None:
            step, count, chunk = fault_step(c, torch), None, None
        else:
            step, count, chunk = make_step(c, torch, device)
        stage = "warmup"
        warmup_ms = []
        start = time.perf_counter()
        while len(warmup_ms) < c["warmup"] or (
                c["warmup"] > 0 and (time.perf_counter() - start) * 1000 < MIN_WARMUP_MS
                and len(warmup_ms) < MAX_WARMUP_STEPS):
            warmup_ms.append(timed(step))
        stage = "timed"
        min_repeats = max(MIN_REPEATS, c["repeats"])
        max_repeats = max(min_repeats, MAX_REPEATS)
        samples, stop = [], "repeats"
        t0 = time.perf_counter()
        while True:
            samples.append(timed(step))
            n = len(samples)
            if n < min_repeats:
                continue
            if n >= max_repeats:
                stop = "max-repeats"
                break
            if is_median_stable(samples, rel_tol=REL_TOL):
                stop = "repeats" if n == min_repeats else "stable"
                break
            elapsed = (time.perf_counter() - t0) * 1000
            if elapsed + elapsed / n > c["budgetMs"]:
                stop = "repeats" if n == min_repeats else "budget"
                break
        stage = "profile"
        device_bytes = peak = None
        if cuda:
            device_bytes = torch.cuda.max_memory_allocated()
            torch.cuda.reset_peak_memory_stats()
            sync_value(step())
            peak = torch.cuda.max_memory_allocated()
        result.update({
            "status": "ok",
            "timeMs": summarize(samples),
            "parameterCount": count,
            "tokenChunk": chunk,
            "warmupMs": warmup_ms,
            "stopReason": stop,
        })
        result["memory"].update({"peakBytes": peak, "deviceBytes": device_bytes,
                                  "rssPeakBytes": rss_peak_bytes()})
    except Exception as e:  # a case failure is a result, never a crash
        message = f"{type(e).__name__}: {e}"
        result["stage"] = stage
        result["error"] = message
        result["memory"]["rssPeakBytes"] = rss_peak_bytes()
        if cuda and torch.cuda.is_available():
            result["memory"]["deviceBytes"] = torch.cuda.max_memory_allocated()
        if is_oom(e):
            result["status"], result["oomAt"] = "oom", c["seqLen"]


def read_case_text():
    """The case text. With ``SE3H_EXIT_ON_STDIN_CLOSE=1`` (src/runner/isolated.ts) the case is
    the first line and the parent keeps stdin open while the case runs: end of file then means
    the parent is gone, and the child exits with code 86 (as src/runner/child.ts does)."""
    if os.environ.get(EXIT_ON_STDIN_CLOSE_ENV) != "1":
        return sys.stdin.read()
    line = sys.stdin.buffer.readline().decode()

    def watch():
        try:
            while sys.stdin.buffer.read1(65536):
                pass
        except (OSError, ValueError):
            pass
        print("child: stdin closed (the parent is gone): exiting", file=sys.stderr, flush=True)
        os._exit(PARENT_GONE_EXIT_CODE)
    threading.Thread(target=watch, daemon=True).start()
    return line


def main():
    text = read_case_text()
    try:
        raw = json.loads(text)
        if not isinstance(raw, dict):
            raise ValueError(f"expected an object, got {type(raw).__name__}")
    except ValueError as e:
        r = result_base({}, "invalid")
        r["error"] = f"stdin: expected one case as JSON: {e}"
        emit(r)
    try:
        cid = case_id(raw)
    except ValueError:
        cid = "invalid"
    result = result_base(raw, cid)
    problems = check_case(raw)
    if problems:
        result["error"] = f"invalid case: {'; '.join(problems)}"
        emit(result)
    try:
        measure(raw, result)
    except Exception as e:  # torch missing or broken: an error result, not a traceback
        result["error"] = f"{type(e).__name__}: {e}"
    emit(result)


if __name__ == "__main__":
    main()
