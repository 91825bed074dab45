/**
 * Stable case ids: the first 16 hex digits of the SHA-256 of the case's canonical JSON
 * (object keys sorted recursively, no whitespace). Results are keyed by this id, so a
 * re-delivered or repeated case never counts twice.
 *
 * Hash the validated case (defaults filled, see `parseCase`), so that `{seqLen: 64}` and
 * `{seqLen: 64, batch: 1}` get the same id. The default framework (`framework: "tfjs"`) is
 * left out of the hash: cases from before the field existed keep their ids.
 *
 * @module
 */
import { createHash } from "node:crypto";

/** Number of hex digits kept from the SHA-256 (64 bits). */
export const CASE_ID_HEX_DIGITS = 16;

/**
 * Canonical JSON: keys sorted at every depth, `undefined` members dropped, no spaces.
 *
 * @throws TypeError for values JSON cannot represent faithfully (non-finite numbers,
 * functions, bigints).
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number ${value}`);
      return JSON.stringify(value);
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) {
        return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
      }
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(",")}}`;
    }
    default:
      throw new TypeError(`canonicalJson: cannot encode a ${typeof value}`);
  }
}

/**
 * `c` without a `framework` of `"tfjs"` (the default): the form ids and group keys hash, so
 * that a case with the default filled in and one without it are the same case.
 */
export function withoutDefaultFramework(c: unknown): unknown {
  if (c === null || typeof c !== "object" || Array.isArray(c)) return c;
  const { framework, ...rest } = c as Record<string, unknown>;
  return framework === "tfjs" ? rest : c;
}

/**
 * The stable id of a (validated) case: 16 hex digits of SHA-256(canonicalJson(c)), with a
 * `framework` of `"tfjs"` (the default) left out.
 */
export function caseId(c: unknown): string {
  return createHash("sha256").update(canonicalJson(withoutDefaultFramework(c))).digest("hex").slice(
    0,
    CASE_ID_HEX_DIGITS,
  );
}
