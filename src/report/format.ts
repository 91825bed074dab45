/**
 * Number formatting for the report's text (the charts format on the client side).
 * Every function returns "–" for `null`/`undefined`/non-finite input.
 *
 * @module
 */

const DASH = "–";

function ok(x: number | null | undefined): x is number {
  return typeof x === "number" && Number.isFinite(x);
}

/** A length or count with thousands separators: `20000` → `20,000`. */
export function fmtInt(x: number | null | undefined): string {
  return ok(x) ? Math.round(x).toLocaleString("en-US") : DASH;
}

/** Three significant digits, thousands separated above 1000: `0.01234` → `0.0123`. */
export function fmtNum(x: number | null | undefined, digits = 3): string {
  if (!ok(x)) return DASH;
  if (Math.abs(x) >= 10 ** digits) return fmtInt(x);
  return Number(x.toPrecision(digits)).toString();
}

/** Milliseconds: `12.345` → `12.3 ms`, `12345` → `12.3 s`. */
export function fmtMs(x: number | null | undefined): string {
  if (!ok(x)) return DASH;
  return Math.abs(x) >= 10_000 ? `${fmtNum(x / 1000)} s` : `${fmtNum(x)} ms`;
}

/** Bytes in binary units: `1536` → `1.5 KiB`, `4 * 2**30` → `4 GiB`. */
export function fmtBytes(x: number | null | undefined): string {
  if (!ok(x)) return DASH;
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = x, i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) (v /= 1024, i++);
  return `${fmtNum(v)} ${units[i]}`;
}

/** A ratio: `6.61` → `×6.61`. */
export function fmtRatio(x: number | null | undefined): string {
  return ok(x) ? `×${fmtNum(x)}` : DASH;
}
