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

/** How {@link fmtBytes} writes a size. */
export interface BytesStyle {
  /** Decimals (fixed) instead of three significant digits. */
  fixed?: number;
  /** Smallest unit used (`"MiB"`: 512 KiB is `0.5 MiB`). Default `"B"`. */
  minUnit?: "B" | "KiB" | "MiB" | "GiB";
}

const BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

/**
 * Bytes in binary units, the project's one byte formatter: `1536` → `1.5 KiB`,
 * `4 * 2**30` → `4 GiB`; with `{ fixed: 2 }`, `2**30` → `1.00 GiB`.
 */
export function fmtBytes(x: number | null | undefined, style: BytesStyle = {}): string {
  if (!ok(x)) return DASH;
  let v = x, i = 0;
  const min = BYTE_UNITS.indexOf(style.minUnit ?? "B");
  while (i < min || (Math.abs(v) >= 1024 && i < BYTE_UNITS.length - 1)) (v /= 1024, i++);
  return `${style.fixed === undefined ? fmtNum(v) : v.toFixed(style.fixed)} ${BYTE_UNITS[i]}`;
}

/** A ratio: `6.61` → `×6.61`. */
export function fmtRatio(x: number | null | undefined): string {
  return ok(x) ? `×${fmtNum(x)}` : DASH;
}
