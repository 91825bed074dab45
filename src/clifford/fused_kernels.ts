/**
 * The switch between the Clifford layers' fused kernels (`cpu`, `wasm`) and their
 * TensorFlow.js-ops reference formulations, shared by every fused op.
 *
 * @module
 */
import { tf } from "../backend.ts";

let fusedEnabled = true;

/**
 * Enables or disables the fused Clifford kernels (geometric product, MVSiLU; default
 * enabled); for benchmarks and tests that compare against the tf-ops reference. Returns the
 * previous setting.
 */
export function setFusedKernels(enabled: boolean): boolean {
  const previous = fusedEnabled;
  fusedEnabled = enabled;
  return previous;
}

/** Whether fused kernels are enabled and the active backend has `kernelName`. */
export function useFusedKernel(kernelName: string): boolean {
  return fusedEnabled && tf.getKernel(kernelName, tf.getBackend()) !== undefined;
}

/** A short description of a value for error messages. */
export function describeValue(v: unknown): string {
  if (v instanceof tf.Tensor) return `a ${v.dtype} tensor of shape [${v.shape.join(",")}]`;
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  return typeof v === "object" ? (v.constructor?.name ?? "an object") : `${typeof v} ${String(v)}`;
}

/**
 * Checks that `t` is a float32 tensor of exactly `shape`.
 *
 * @throws Error `${op}: ${name} must be a float32 tensor [shape], got …`.
 */
export function assertFloatTensor(op: string, name: string, t: unknown, shape: number[]): void {
  if (
    !(t instanceof tf.Tensor) || t.dtype !== "float32" || t.rank !== shape.length ||
    t.shape.some((s: number, i: number) => s !== shape[i])
  ) {
    throw new Error(
      `${op}: ${name} must be a float32 tensor [${shape.join(",")}], got ${describeValue(t)}`,
    );
  }
}

/**
 * Checks a blade-split multivector argument: an array of 8 float32 tensors `[M, C]`.
 *
 * @throws Error naming the op, the argument and the offending value.
 */
export function assertMultivector(
  op: string,
  name: string,
  mv: unknown,
  m: number,
  c: number,
): void {
  if (!Array.isArray(mv) || mv.length !== 8) {
    throw new Error(
      `${op}: ${name} must be an array of 8 tensors [M, C], got ${describeValue(mv)}`,
    );
  }
  mv.forEach((t, b) => assertFloatTensor(op, `${name}[${b}]`, t, [m, c]));
}

/** `[M, C]` of a blade-split argument's first tensor, or an Error naming it. */
export function bladeShape(op: string, name: string, mv: unknown): [number, number] {
  const first = Array.isArray(mv) ? mv[0] : undefined;
  if (!(first instanceof tf.Tensor) || first.rank !== 2) {
    throw new Error(
      `${op}: ${name}[0] must be a float32 tensor [M, C], got ${describeValue(first ?? mv)}`,
    );
  }
  return [first.shape[0], first.shape[1]];
}
