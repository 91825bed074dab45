#!/usr/bin/env bash
# GPU check of the webgpu backend, and a PyTorch/CUDA sweep, on a lent NVIDIA machine
# (x86-64, no internet; python3 there has PyTorch with CUDA, Deno travels in .gpucheck/).
# See bench/GPU_CHECK.md.
#
#   bash bench/gpu-check.sh prepare              # here (has internet): fills .gpucheck/
#   bash bench/gpu-check.sh run [options]        # there: writes the report to $OUT
#
# run options:
#   --any-adapter      accept any WebGPU adapter (e.g. lavapipe) instead of requiring NVIDIA
#   --sweep-seconds S  wall-clock cap of the paper-fig5 sweep (default 300)
#   --no-sweep         skip the sweep
#   --scale LIST       N list of the fftConv scaling study (default 2^12..2^20)
#   --compare LIST     N at which tf.spectral is timed too (default 4096,16384)
#   --torch-seconds S  wall-clock cap of the torch/cuda paper-fig5 sweep (default 180)
#   --no-torch         skip the torch/cuda sweep
#   --no-webgpu        only the torch/cuda sweep (no adapter check, tests, bench, webgpu sweep)
#
# Files written to $OUT (8 at most, the device tool's limit): gpu-check.md (summary),
# gpu-check.log, adapter.json, tests.log, fftconv_webgpu.json, sweep-results.json,
# sweep-index.html, torch-results.json.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CARRY="$ROOT/.gpucheck"
WORK="${GPUCHECK_WORK:-/tmp/gpucheck}"

die() {
  echo "gpu-check: $*" >&2
  exit 2
}

# Decompresses an .xz file without needing the xz tool (python3's lzma as a fallback).
unxz_to() { # <file.xz> <dest>
  if command -v xz >/dev/null; then
    xz -dc "$1" >"$2"
  else
    python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"
  fi
}

# Runs a command in its own process group, killing the whole group after S seconds.
run_limited() { # <seconds> <cmd...>
  local secs="$1"
  shift
  setsid "$@" &
  local pid=$! waited=0
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= secs)); then
      echo "gpu-check: time limit ${secs}s reached, stopping: $*"
      kill -TERM -- "-$pid" 2>/dev/null
      sleep 5
      kill -KILL -- "-$pid" 2>/dev/null
      wait "$pid" 2>/dev/null
      return 124
    fi
    sleep 1
    waited=$((waited + 1))
  done
  wait "$pid"
}

prepare() {
  command -v deno >/dev/null || die "prepare needs deno on PATH"
  command -v xz >/dev/null || die "prepare needs xz (apt-get install -y xz-utils)"
  [ "$(uname -m)" = x86_64 ] || die "prepare must run on x86-64 (the GPU machine is x86-64): uname -m is $(uname -m)"
  cd "$ROOT" || exit 2
  local exclude
  exclude="$(git rev-parse --git-path info/exclude)"
  mkdir -p "$(dirname "$exclude")"
  grep -qx '/.gpucheck/' "$exclude" 2>/dev/null || echo '/.gpucheck/' >>"$exclude"
  mkdir -p "$CARRY/debs"

  # 1. The Deno binary, xz-compressed (about 28 MiB for Deno 2.x).
  local version
  version="$(deno --version | head -1)"
  if [ ! -s "$CARRY/deno.xz" ] || [ "$(cat "$CARRY/deno.version" 2>/dev/null)" != "$version" ]; then
    echo "compressing $(readlink -f "$(command -v deno)") ($version)…"
    xz -T0 -6 -c "$(readlink -f "$(command -v deno)")" >"$CARRY/deno.xz.tmp" && mv "$CARRY/deno.xz.tmp" "$CARRY/deno.xz"
    echo "$version" >"$CARRY/deno.version"
  fi

  # 2. node_modules: install everything in the import map, then pack what runs (no source
  #    maps, type declarations, TypeScript sources or duplicate minified/es2017/fesm bundles).
  deno install >/dev/null || die "deno install failed"
  (cd "$ROOT" && find node_modules \( -type l -o -type f \) \
    ! -name '*.map' ! -name '*.ts' ! -name '*.mts' ! -name '*.cts' ! -name '*.min.js' \
    ! -name '*.es2017.js' ! -name '*.fesm.js' ! -name '*.md' -print |
    tar -cJf "$CARRY/node_modules.tar.xz" --no-recursion -T -) || die "packing node_modules failed"

  # 3. The Vulkan loader (and the GL dispatch libraries NVIDIA's ICD links against).
  local o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  mkdir -p /tmp/amd64/partial
  # shellcheck disable=SC2086
  apt-get $o update >/dev/null || die "apt-get update failed"
  # shellcheck disable=SC2086
  (cd "$CARRY/debs" && rm -f ./*.deb && apt-get $o download libvulkan1 libglvnd0 libegl1 libgl1 libglx0 libopengl0 libgles2 >/dev/null) ||
    die "apt-get download failed"

  du -sh "$CARRY"/* "$CARRY/debs"/*.deb
  local tree carry
  tree=$(git ls-files -co --exclude-standard -z | du -cb --files0-from=- 2>/dev/null | tail -1 | cut -f1)
  carry=$(du -sb "$CARRY" | cut -f1)
  echo "working tree $((tree / 1048576)) MiB + .gpucheck $((carry / 1048576)) MiB (limit 64 MiB)"
  ((tree + carry < 64 * 1048576)) || die "over the 64 MiB the device tool carries"
  echo 'ready: run on the device with carry [".gpucheck"] and: bash bench/gpu-check.sh run'
}

run() {
  local any_adapter=0 sweep_seconds=300 sweep=1 compare="4096,16384"
  local torch_seconds=180 torch=1 webgpu=1
  local scale="4096,8192,16384,32768,65536,131072,262144,524288,1048576"
  while [ $# -gt 0 ]; do
    case "$1" in
    --any-adapter) any_adapter=1 ;;
    --sweep-seconds) sweep_seconds="$2" && shift ;;
    --no-sweep) sweep=0 ;;
    --scale) scale="$2" && shift ;;
    --compare) compare="$2" && shift ;;
    --torch-seconds) torch_seconds="$2" && shift ;;
    --no-torch) torch=0 ;;
    --no-webgpu) webgpu=0 ;;
    *) die "run: unknown option $1" ;;
    esac
    shift
  done
  OUT="${OUT:-$ROOT/gpu-check-out}"
  mkdir -p "$OUT" "$WORK/bin" "$WORK/xdg" || exit 2
  chmod 700 "$WORK/xdg"
  exec > >(tee -a "$OUT/gpu-check.log") 2>&1
  echo "gpu-check run $(date -u +%FT%TZ) on $(hostname) ($(uname -m)); repo $ROOT; out $OUT"
  cd "$ROOT" || exit 2

  # Deno.
  if [ -s "$CARRY/deno.xz" ]; then
    unxz_to "$CARRY/deno.xz" "$WORK/bin/deno" && chmod +x "$WORK/bin/deno"
    export PATH="$WORK/bin:$PATH"
  fi
  command -v deno >/dev/null || die "no deno: carry .gpucheck (bash bench/gpu-check.sh prepare)"
  deno --version | head -1

  # node_modules (only when the tree does not have them already).
  if [ ! -d node_modules/.deno ]; then
    [ -s "$CARRY/node_modules.tar.xz" ] || die "no node_modules and no $CARRY/node_modules.tar.xz"
    if command -v xz >/dev/null; then
      tar -xJf "$CARRY/node_modules.tar.xz"
    else
      python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall()' "$CARRY/node_modules.tar.xz"
    fi
  fi

  # Vulkan loader and NVIDIA's ICD.
  if ! ldconfig -p | grep -q 'libvulkan.so.1'; then
    if [ "$(id -u)" = 0 ]; then
      for f in "$CARRY"/debs/*.deb; do dpkg -x "$f" /; done
      ldconfig
    else
      mkdir -p "$WORK/root"
      for f in "$CARRY"/debs/*.deb; do dpkg -x "$f" "$WORK/root"; done
      export LD_LIBRARY_PATH="$WORK/root/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    fi
  fi
  local icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  if [ -f "$icd" ] && ! ls /usr/share/vulkan/icd.d/nvidia* /etc/vulkan/icd.d/nvidia* >/dev/null 2>&1; then
    export VK_DRIVER_FILES="$icd" VK_ICD_FILENAMES="$icd"
    export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
  fi
  # Vulkan only (Deno would otherwise fall back to a GL adapter); a private runtime dir
  # silences Mesa's XDG_RUNTIME_DIR warning; npm cache of our own (read-only is fine).
  # The registry is unreachable there: point npm look-ups at a closed local port so that
  # they fail at once instead of waiting on a network time-out.
  export DENO_WEBGPU_BACKEND=vulkan XDG_RUNTIME_DIR="$WORK/xdg" DENO_DIR="$WORK/deno_dir"
  export NPM_CONFIG_REGISTRY="${NPM_CONFIG_REGISTRY:-http://127.0.0.1:9/}" DENO_NO_UPDATE_CHECK=1
  command -v nvidia-smi >/dev/null && nvidia-smi -L
  echo "VK_DRIVER_FILES=${VK_DRIVER_FILES:-<loader default>}"

  local summary="$OUT/gpu-check.md"
  {
    echo "# GPU check"
    echo
    echo "- date: $(date -u +%FT%TZ), host $(hostname)"
    echo "- $(deno --version | head -1)"
    command -v nvidia-smi >/dev/null && echo "- nvidia-smi: $(nvidia-smi -L | head -1)"
  } >"$summary"

  # 0. PyTorch on CUDA: the paper-fig5 lengths through the same runner (python/child.py),
  #    capped at --torch-seconds. Needs no Vulkan; runs first so that it fits.
  if [ "$torch" = 1 ]; then
    local py torch_line
    py="$(command -v python3)"
    torch_line=$(run_limited 60 "$py" -c 'import torch; print(torch.__version__, torch.version.cuda, torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else "-")' 2>&1 | tail -1)
    echo "- torch: $py: $torch_line" >>"$summary"
    rm -rf "$WORK/torch-reports"
    run_limited "$torch_seconds" deno task sweep --local --preset paper-fig5 --framework torch \
      --device cuda --python "$py" --backend wasm --out "$WORK/torch-reports" --no-progress --no-report
    local torch_rc=$? tdir
    tdir=$(ls -d "$WORK"/torch-reports/*/ 2>/dev/null | head -1)
    [ -n "$tdir" ] && [ -f "$tdir/results.json" ] && cp "$tdir/results.json" "$OUT/torch-results.json"
    echo "- sweep paper-fig5, torch on cuda: exit $torch_rc (124 = stopped at ${torch_seconds}s); rows in torch-results.json" >>"$summary"
    if [ -f "$OUT/torch-results.json" ]; then
      echo '```' >>"$summary"
      "$py" -c 'import json, sys
print("model attention pass N status median_ms device_MiB")
for r in json.load(open(sys.argv[1]))["results"][:40]:
    c, t, m = r["case"], r.get("timeMs") or {}, r.get("memory") or {}
    d = m.get("deviceBytes")
    print(c["model"], c.get("attention", "-"), c["pass"], c["seqLen"], r["status"],
          "%.2f" % t["median"] if t else "-", "%.0f" % (d / 2**20) if d else "-")' \
        "$OUT/torch-results.json" >>"$summary" 2>&1
      echo '```' >>"$summary"
    fi
  fi
  if [ "$webgpu" = 0 ]; then
    cat "$summary"
    return 0
  fi

  # 1. The adapter.
  local line name vendor fallback
  line=$(ADAPTER_JSON="$OUT/adapter.json" deno eval '
    import { webgpuAdapterSummary } from "./src/webgpu/adapter_info.ts";
    const a = await webgpuAdapterSummary();
    Deno.writeTextFileSync(Deno.env.get("ADAPTER_JSON")!, JSON.stringify(a ?? null, null, 2) + "\n");
    console.log(a ? `${a.vendor}|${a.isFallbackAdapter}|${a.name}` : "none|true|none");' | tail -1)
  IFS='|' read -r vendor fallback name <<<"$line"
  cat "$OUT/adapter.json"
  echo "- webgpu adapter: ${name:-none} (vendor ${vendor:-?}, fallback ${fallback:-?})" >>"$summary"
  if [ "$any_adapter" = 0 ] && { [ "$vendor" != NVIDIA ] || [ "$fallback" != false ]; }; then
    echo "- FAILED: the WebGPU adapter is not the NVIDIA GPU (use --any-adapter to accept it)" >>"$summary"
    cat "$summary"
    die "adapter is '${name:-none}' (vendor ${vendor:-none}), not an NVIDIA GPU"
  fi

  # 2. fftConv correctness (and the models on webgpu vs wasm).
  run_limited 300 deno test -A --no-check src/kernels/fft_conv_webgpu_test.ts src/webgpu/ >"$OUT/tests.log" 2>&1
  local tests_rc=$?
  echo "- tests (src/kernels/fft_conv_webgpu_test.ts src/webgpu/): exit $tests_rc, $(sed 's/\x1b\[[0-9;]*m//g' "$OUT/tests.log" | grep -E '^(ok|FAILED) \|' | tail -1)" >>"$summary"

  # 3. fftConv: ours vs tf.spectral, and the scaling exponent.
  echo '- fftConv webgpu bench (`deno run -A bench/fft_conv_webgpu_bench.ts --compare '"$compare"' --scale '"$scale"'`):' >>"$summary"
  echo '```' >>"$summary"
  run_limited 240 deno run -A bench/fft_conv_webgpu_bench.ts --compare "$compare" --scale "$scale" \
    --json "$OUT/fftconv_webgpu.json" 2>&1 | grep -v XDG_RUNTIME_DIR | tee -a "$summary"
  echo '```' >>"$summary"

  # 4. The paper-fig5 forward sweep on webgpu.
  if [ "$sweep" = 1 ]; then
    rm -rf "$WORK/reports"
    run_limited "$sweep_seconds" deno task sweep --local --preset paper-fig5 --backend webgpu \
      --out "$WORK/reports" --no-progress
    local sweep_rc=$? dir
    dir=$(ls -d "$WORK"/reports/*/ 2>/dev/null | head -1)
    if [ -n "$dir" ] && [ -f "$dir/results.json" ] && [ ! -f "$dir/index.html" ]; then
      # Stopped before its report: render one from the results so far.
      run_limited 60 deno task report "$dir/results.json"
    fi
    if [ -n "$dir" ]; then
      for f in results.json index.html; do
        [ -f "$dir/$f" ] && cp "$dir/$f" "$OUT/sweep-$f"
      done
    fi
    echo "- sweep paper-fig5 on webgpu: exit $sweep_rc (124 = stopped at ${sweep_seconds}s); results in sweep-results.json, report sweep-index.html" >>"$summary"
    if [ -n "$dir" ] && [ -f "$dir/results.csv" ]; then
      echo '```' >>"$summary"
      cut -d, -f1-12 "$dir/results.csv" | head -40 >>"$summary"
      echo '```' >>"$summary"
    fi
  fi
  cat "$summary"
  [ "$tests_rc" = 0 ]
}

case "${1:-}" in
prepare) prepare ;;
run)
  shift
  run "$@"
  ;;
*) die "usage: bash bench/gpu-check.sh prepare | run [--any-adapter] [--sweep-seconds S] [--no-sweep] [--scale LIST] [--torch-seconds S] [--no-torch] [--no-webgpu]" ;;
esac
