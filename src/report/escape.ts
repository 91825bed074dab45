/**
 * Escaping for the HTML report: every string that comes from `results.json`
 * (host names, labels, error messages, case fields) passes through here before it
 * reaches the page.
 *
 * @module
 */

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Escapes a value for HTML text and (quoted) attribute context.
 * `null`/`undefined` become the empty string; other non-strings are stringified first.
 *
 * @example
 * escapeHtml(`<script>alert(1)</script>"'`); // "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;"
 */
export function escapeHtml(value: unknown): string {
  if (value === null || value === undefined) return "";
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/**
 * Serialises a value as JSON that is safe to embed in a
 * `<script type="application/json">` element: `<`, `>` and `&` are written as
 * `\u003c`, `\u003e`, `\u0026` (so no `</script>` or `<!--` can close or confuse the
 * element), and U+2028/U+2029 as escapes. `JSON.parse` of the element's text gives
 * back the original value.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value ?? null)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/**
 * Makes JavaScript source safe to inline in a `<script>` element: any `</script`
 * (in any letter case) becomes `<\/script`, which means the same inside JavaScript
 * strings, regular expressions and comments. Source containing `<!--` is refused
 * (it could switch the HTML parser into its "script data escaped" state, and no
 * rewrite of it is meaning-preserving in every JavaScript context).
 *
 * @throws {Error} if `source` contains `<!--`.
 */
export function inlineScriptSource(source: string): string {
  const at = source.indexOf("<!--");
  if (at >= 0) {
    throw new Error(
      `inlineScriptSource: source contains "<!--" at offset ${at}; cannot inline it safely`,
    );
  }
  return source.replace(/<\/(script)/gi, "<\\/$1");
}

/** A string of HTML that is already safe (escaped or built from trusted parts). */
export class SafeHtml {
  /** Wraps trusted HTML; prefer {@linkcode html} to build it. */
  constructor(readonly value: string) {}
  /** The HTML text. */
  toString(): string {
    return this.value;
  }
}

/**
 * Tagged template for HTML: every interpolated value is escaped with
 * {@linkcode escapeHtml}, except {@linkcode SafeHtml} values (inserted as they are);
 * arrays are joined, each item treated the same way; `null`, `undefined` and `false`
 * give nothing.
 *
 * @example
 * html`<td>${userText}</td>`; // userText escaped
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += htmlPart(values[i]) + strings[i + 1];
  return new SafeHtml(out);
}

function htmlPart(v: unknown): string {
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return v.map(htmlPart).join("");
  if (v === null || v === undefined || v === false) return "";
  return escapeHtml(v);
}
