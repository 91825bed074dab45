/**
 * Plain-text tables for the terminal (`report --compare`, `report --history`): columns
 * padded to their widest cell, numbers right-aligned.
 *
 * @module
 */

/** Column alignment: `l` left, `r` right. */
export type Align = "l" | "r";

/**
 * Lays out `rows` under `headers` with two spaces between columns and a dashed rule
 * under the header; `align[i]` aligns column i (default left). Widths count code points.
 */
export function textTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[] = [],
): string {
  const len = (s: string) => [...s].length;
  const widths = headers.map((h, i) => Math.max(len(h), ...rows.map((r) => len(r[i] ?? ""))));
  const line = (cells: readonly string[]) =>
    widths.map((w, i) => {
      const c = cells[i] ?? "", pad = " ".repeat(w - len(c));
      return align[i] === "r" ? pad + c : c + pad;
    }).join("  ").trimEnd();
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join(
    "\n",
  );
}
