/**
 * The case schema: a case is data, validated before anything runs.
 *
 * {@link parseCase} turns untrusted input (a sweep file entry, a NATS message, the child's
 * stdin) into a {@link Case} with every default filled in, or throws a {@link CaseError}
 * whose message names each offending field and its value, e.g.
 * `seqLen: expected an integer ≤ 67108864, got 100000000`.
 *
 * Defaults (applied when a field is absent):
 *
 * | field | default |
 * |---|---|
 * | `batch` | 1 (training cases: 32, as src/train/run.ts) |
 * | `preset` | `"paper-runtime"` (training cases: `"tiny"`) |
 * | `backend` | `"wasm"` |
 * | `dtype` | `"float32"` |
 * | `attention` | `"materialized"` for `equivariant-transformer`, absent otherwise |
 * | `repeats` | 5 (minimum timed repeats; the runner adds more while the median is unstable) |
 * | `warmup` | 2 |
 * | `budgetMs` | 5000 (time budget for the timed repeats) |
 * | `timeoutMs` | 600000 (the child process is killed after this) |
 * | `seed` | 0 |
 * | `framework` | `"tfjs"` (TensorFlow.js; `"torch"`: PyTorch, python/child.py) |
 * | `device` | `"cpu"` for `torch` cases; not allowed for `tfjs` ones |
 * | `checkpoint` | absent (false; `false` is dropped so the case id does not change) |
 * | `threads` | absent: every core (or the worker's `--threads`), see src/runner/threads.ts |
 *
 * `threads` (1–65) is the number of threads of our cpu/wasm kernels' worker pool
 * (src/kernels/pool; 1: single-threaded) or of PyTorch. It has no default value in the
 * case, so cases that do not name it keep their ids; the result records the count used.
 *
 * `framework: "tfjs"` is left out of the case id (src/case/id.ts), so the ids of cases
 * written before the field existed do not change. Torch cases support the equivariant
 * models' forward and backward passes (not the baselines, not training); `backend` does not
 * apply to them (they run on `device`) and is kept only as the default value. The attention
 * form `flash` (row blocks with an online softmax) runs in PyTorch and, in TensorFlow.js, on
 * the backends with our attention kernels (`cpu`, `wasm`).
 *
 * Forward and backward cases are strict: an unknown field (a typo such as `seqlen`) is an
 * error. Training cases (`pass: "train"`) pass extra fields (`task`, `epochs`, …) through
 * to the training runner, which validates them.
 *
 * Test doubles: the field `fault` (`noop | oom | grow | hang | crash | fatal-oom`) makes the
 * runner simulate an outcome instead of measuring a model. It is accepted only when the
 * environment variable `SE3_HYENA_TEST_FAULTS=1` is set in the validating process (tests
 * set it for the child); otherwise a case carrying it is rejected.
 *
 * @module
 */
import { PRESET_NAMES } from "../models/presets.ts";
import { z } from "zod";
import type { Case } from "../results.ts";

/** Largest accepted `seqLen` and `seqLen · batch` (2^26 tokens: far past any budget here). */
export const MAX_TOKENS = 2 ** 26;
/** Model kinds. */
export const MODEL_KINDS = [
  "se3-hyena",
  "equivariant-transformer",
  "hyena",
  "transformer",
] as const;
/** Pass kinds. */
export const PASS_KINDS = ["forward", "backward", "train"] as const;
/** Model size presets (see design/model.md §6). */
export { PRESET_NAMES };
/** Backends a case may name. */
export const CASE_BACKENDS = ["cpu", "wasm", "webgpu", "tensorflow"] as const;
/** Attention implementations of the equivariant transformer. */
export const ATTENTION_KINDS = ["materialized", "gram", "flash"] as const;
/** Frameworks a case may run in. */
export const FRAMEWORKS = ["tfjs", "torch"] as const;
/** A framework. */
export type Framework = (typeof FRAMEWORKS)[number];
/** Devices of a torch case. */
export const TORCH_DEVICES = ["cpu", "cuda"] as const;
/** Models implemented in PyTorch (python/se3_torch/models.py). */
export const TORCH_MODELS = ["se3-hyena", "equivariant-transformer"] as const;
/** Most threads a case may ask for (the kernel pool's limit, src/kernels/pool). */
export const MAX_THREADS = 65;
/** Simulated outcomes for tests of the runner (see the module doc). */
export const FAULT_KINDS = ["noop", "oom", "grow", "hang", "crash", "fatal-oom"] as const;
/** A simulated outcome. */
export type FaultKind = (typeof FAULT_KINDS)[number];
/** The environment variable that enables the `fault` field. */
export const TEST_FAULTS_ENV = "SE3_HYENA_TEST_FAULTS";

/** Case defaults (see the module doc). */
export const CASE_DEFAULTS = {
  batch: 1,
  preset: "paper-runtime",
  backend: "wasm",
  dtype: "float32",
  repeats: 5,
  warmup: 2,
  budgetMs: 5000,
  timeoutMs: 600_000,
  seed: 0,
} as const;

const int = (min: number, max: number) =>
  z.number({ error: "expected a number" }).int({ error: "expected an integer" })
    .min(min, { error: `expected an integer ≥ ${min}` })
    .max(max, { error: `expected an integer ≤ ${max}` });

const enumOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `expected one of ${values.join(", ")}` });

/** Fields shared by every pass. */
const baseShape = {
  model: enumOf(MODEL_KINDS),
  seqLen: int(1, MAX_TOKENS),
  batch: int(1, 65_536).default(CASE_DEFAULTS.batch),
  preset: enumOf(PRESET_NAMES).default(CASE_DEFAULTS.preset),
  backend: enumOf(CASE_BACKENDS).default(CASE_DEFAULTS.backend),
  dtype: z.literal("float32", { error: "expected float32" }).default(CASE_DEFAULTS.dtype),
  attention: enumOf(ATTENTION_KINDS).optional(),
  repeats: int(1, 10_000).default(CASE_DEFAULTS.repeats),
  warmup: int(0, 1000).default(CASE_DEFAULTS.warmup),
  budgetMs: int(0, 86_400_000).default(CASE_DEFAULTS.budgetMs),
  timeoutMs: int(1, 7 * 86_400_000).default(CASE_DEFAULTS.timeoutMs),
  seed: int(0, 2 ** 31 - 1).default(CASE_DEFAULTS.seed),
  label: z.string({ error: "expected a string" }).max(200, {
    error: "expected at most 200 characters",
  })
    .optional(),
  /**
   * Tokens per chunk of the per-token parts (see src/runner/measure.ts): forward cases, and
   * backward cases with `checkpoint`.
   */
  tokenChunk: int(1, MAX_TOKENS).optional(),
  /** Backward cases of the equivariant models: gradient checkpointing (default false). */
  checkpoint: z.boolean({ error: "expected true or false" }).optional(),
  fault: enumOf(FAULT_KINDS).optional(),
  framework: enumOf(FRAMEWORKS).default("tfjs"),
  device: enumOf(TORCH_DEVICES).optional(),
  threads: int(1, MAX_THREADS).optional(),
};

const measuredSchema = z.strictObject(
  { ...baseShape, pass: z.enum(["forward", "backward"]) },
  { error: (iss) => iss.code === "unrecognized_keys" ? "unknown field" : undefined },
);
/** Training cases: batch and preset defaults follow src/train/run.ts (32, tiny). */
const trainSchema = z.looseObject({
  ...baseShape,
  batch: int(1, 65_536).default(32),
  preset: enumOf(PRESET_NAMES).default("tiny"),
  pass: z.literal("train"),
});

/** The zod schema of a case (input: partial JSON; output: a {@link Case} with defaults). */
export const CaseSchema = z.discriminatedUnion("pass", [measuredSchema, trainSchema], {
  error: `expected one of ${PASS_KINDS.join(", ")}`,
}).superRefine((c, ctx) => {
  if (c.seqLen <= MAX_TOKENS && c.seqLen * c.batch > MAX_TOKENS) {
    ctx.addIssue({
      code: "custom",
      path: ["batch"],
      message: `seqLen × batch must be ≤ ${MAX_TOKENS} (seqLen is ${c.seqLen})`,
      input: c.batch,
    });
  }
  if (
    c.attention !== undefined && c.model !== "equivariant-transformer" && c.model !== "transformer"
  ) {
    ctx.addIssue({
      code: "custom",
      path: ["attention"],
      message: `only applies to attention models, not to model ${c.model}`,
      input: c.attention,
    });
  }
  if (c.framework === "torch") {
    if (!(TORCH_MODELS as readonly string[]).includes(c.model)) {
      ctx.addIssue({
        code: "custom",
        path: ["model"],
        message: `framework torch implements ${TORCH_MODELS.join(", ")} only`,
        input: c.model,
      });
    }
    if (c.pass === "train") {
      ctx.addIssue({
        code: "custom",
        path: ["pass"],
        message: "framework torch measures forward and backward passes only",
        input: c.pass,
      });
    }
  } else {
    if (c.device !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["device"],
        message: 'only applies to framework "torch" (tfjs cases choose a backend)',
        input: c.device,
      });
    }
    if (c.attention === "flash" && c.backend !== "cpu" && c.backend !== "wasm") {
      ctx.addIssue({
        code: "custom",
        path: ["attention"],
        message: `flash has TensorFlow.js kernels on backends cpu and wasm only, not ${c.backend}`,
        input: c.attention,
      });
    }
  }
  if (
    c.checkpoint === true &&
    (c.pass !== "backward" || c.framework === "torch" ||
      (c.model !== "se3-hyena" && c.model !== "equivariant-transformer"))
  ) {
    ctx.addIssue({
      code: "custom",
      path: ["checkpoint"],
      message: "only applies to tfjs backward passes of se3-hyena and equivariant-transformer",
      input: c.checkpoint,
    });
  }
  if (c.fault !== undefined && !testFaultsEnabled()) {
    ctx.addIssue({
      code: "custom",
      path: ["fault"],
      message: `test-only field, accepted only with ${TEST_FAULTS_ENV}=1`,
      input: c.fault,
    });
  }
}).transform((c) => {
  let out = c;
  if (c.checkpoint === false) {
    // The default: left out, so that the case id stays that of a case without the field.
    const { checkpoint: _, ...rest } = out;
    out = rest as typeof c;
  }
  if (c.model === "equivariant-transformer" && c.attention === undefined) {
    out = { ...out, attention: "materialized" as const };
  }
  if (c.framework === "torch" && c.device === undefined) out = { ...out, device: "cpu" as const };
  return out;
});

/** Whether the `fault` test field is enabled in this process. */
export function testFaultsEnabled(): boolean {
  try {
    return Deno.env.get(TEST_FAULTS_ENV) === "1";
  } catch {
    return false; // no env permission: faults stay off
  }
}

/** A validation failure; `issues` holds one line per problem. */
export class CaseError extends Error {
  /** One `field: problem, got value` line per issue. */
  readonly issues: string[];
  constructor(issues: string[], context?: string) {
    super(`${context ? context + ": " : ""}invalid case: ${issues.join("; ")}`);
    this.name = "CaseError";
    this.issues = issues;
  }
}

/** Reads the value at `path` inside `input` (for error messages). */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const key of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** Renders a value for an error message (short, JSON where possible). */
export function showValue(v: unknown): string {
  if (v === undefined) return "nothing";
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 80 ? s.slice(0, 77) + "..." : s;
}

/** Formats zod issues as `field: problem, got value` lines. */
export function formatIssues(error: z.ZodError, input: unknown): string[] {
  const lines: string[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        lines.push(`${path.join(".")}: unknown field, got ${showValue(valueAt(input, path))}`);
      }
      continue;
    }
    const field = issue.path.length ? issue.path.join(".") : "(case)";
    const got = issue.path.length ? valueAt(input, issue.path) : input;
    lines.push(
      got === undefined
        ? `${field}: required field missing (${issue.message})`
        : `${field}: ${issue.message}, got ${showValue(got)}`,
    );
  }
  return lines;
}

/**
 * Validates `input` and fills defaults.
 *
 * @param input untrusted case data.
 * @param context prefix for the error message (e.g. `grid[2]`).
 * @throws CaseError naming every offending field and its value.
 */
export function parseCase(input: unknown, context?: string): Case {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw new CaseError([`(case): expected an object, got ${showValue(input)}`], context);
  }
  const r = CaseSchema.safeParse(input);
  if (!r.success) throw new CaseError(formatIssues(r.error, input), context);
  return r.data satisfies Case;
}
