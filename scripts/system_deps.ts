/**
 * System packages the project needs, installed on demand with Debian's apt when we are
 * root, else a message that says how. Used by `deno task test` (everything the tests
 * need) and `deno task sweep` (nats-server; {@link TORCH_DEPS} too when the sweep has
 * PyTorch cases).
 *
 * @module
 */

/** A system dependency: how to tell it is present, and the Debian package that provides it. */
export interface SystemDep {
  /** Human name. */
  name: string;
  /** Debian package. */
  apt: string;
  /** Present when any of these paths exists. */
  paths: string[];
  /** Present when any of these globs' directories holds a matching file (checked as prefix in dir). */
  dirPrefix?: { dir: string; prefix: string };
}

/**
 * What the `torch` framework needs on CPU (src/torch/python.ts): Debian's PyTorch, and
 * for fair CPU timing OpenBLAS (OpenMP build; Debian's torch otherwise calls the reference
 * BLAS) and jemalloc (glibc malloc made it 2–3× slower here).
 */
export const TORCH_DEPS: SystemDep[] = [
  {
    name: "PyTorch (python3-torch)",
    apt: "python3-torch",
    paths: ["/usr/lib/python3/dist-packages/torch/__init__.py"],
  },
  {
    name: "OpenBLAS (OpenMP)",
    apt: "libopenblas0-openmp",
    paths: [
      "/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3",
      "/usr/lib/aarch64-linux-gnu/openblas-openmp/libblas.so.3",
    ],
  },
  {
    name: "jemalloc",
    apt: "libjemalloc2",
    paths: [
      "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2",
      "/usr/lib/aarch64-linux-gnu/libjemalloc.so.2",
    ],
  },
];

/** What the whole test suite needs (the cross-check runs PyTorch). */
export const TEST_DEPS: SystemDep[] = [
  {
    name: "nats-server",
    apt: "nats-server",
    paths: ["/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"],
  },
  { name: "chromium", apt: "chromium", paths: ["/usr/bin/chromium"] },
  {
    name: "Mesa software Vulkan (lavapipe)",
    apt: "mesa-vulkan-drivers",
    paths: [],
    dirPrefix: { dir: "/usr/share/vulkan/icd.d", prefix: "lvp_icd" },
  },
  ...TORCH_DEPS,
];

/** What a sweep with the embedded NATS server needs. */
export const SWEEP_DEPS: SystemDep[] = TEST_DEPS.slice(0, 1);
/** What a sweep with PyTorch cases needs. */
export const TORCH_SWEEP_DEPS: SystemDep[] = [...SWEEP_DEPS, ...TORCH_DEPS];

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function onPath(bin: string): boolean {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir && exists(`${dir}/${bin}`)) return true;
  }
  return false;
}

/** Whether `dep` is installed. */
export function isInstalled(dep: SystemDep): boolean {
  if (dep.paths.some(exists)) return true;
  if (dep.apt === "nats-server" && onPath("nats-server")) return true;
  if (dep.dirPrefix) {
    try {
      for (const e of Deno.readDirSync(dep.dirPrefix.dir)) {
        if (e.name.startsWith(dep.dirPrefix.prefix)) return true;
      }
    } catch { /* no such dir */ }
  }
  return false;
}

async function run(cmd: string[], env: Record<string, string> = {}): Promise<number> {
  const { code } = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    env,
    stdout: "inherit",
    stderr: "inherit",
    stdin: "null",
  }).output();
  return code;
}

/**
 * Installs the missing `deps` with apt-get when running as root; throws with the
 * command to run otherwise.
 */
export async function ensureSystemDeps(deps: SystemDep[]): Promise<void> {
  const missing = deps.filter((d) => !isInstalled(d));
  if (missing.length === 0) return;
  const pkgs = missing.map((d) => d.apt);
  const isRoot = Deno.uid?.() === 0;
  const hasApt = exists("/usr/bin/apt-get");
  if (!isRoot || !hasApt) {
    throw new Error(
      `missing system packages: ${missing.map((d) => d.name).join(", ")}. ` +
        (hasApt
          ? `Install them with: sudo apt-get install -y ${pkgs.join(" ")}`
          : `Install ${pkgs.join(", ")} with your system's package manager ` +
            `(nats-server also from https://github.com/nats-io/nats-server/releases)`),
    );
  }
  console.error(`installing system packages: ${pkgs.join(" ")}`);
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  if (await run(["apt-get", "update", "-qq"], env) !== 0) {
    throw new Error("apt-get update failed");
  }
  if (
    await run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", ...pkgs], env) !== 0
  ) {
    throw new Error(`apt-get install ${pkgs.join(" ")} failed`);
  }
  const still = missing.filter((d) => !isInstalled(d));
  if (still.length) {
    throw new Error(`still missing after apt-get: ${still.map((d) => d.name).join(", ")}`);
  }
}

if (import.meta.main) {
  const which = Deno.args[0] ?? "test";
  const sets: Record<string, SystemDep[]> = {
    test: TEST_DEPS,
    sweep: SWEEP_DEPS,
    torch: TORCH_SWEEP_DEPS,
  };
  if (!(which in sets)) {
    console.error(
      `system_deps: expected one of ${Object.keys(sets).join(", ")}, got ${JSON.stringify(which)}`,
    );
    Deno.exit(2);
  }
  try {
    await ensureSystemDeps(sets[which]);
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
