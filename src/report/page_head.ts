/**
 * The `<head>` of every page we write (the sweep report, the history page): UTF-8, the
 * viewport, a Content-Security-Policy that allows only inline scripts and styles and data:
 * images (the pages are self-contained and load nothing), the title and our stylesheet.
 *
 * @module
 */

import { html, SafeHtml } from "./escape.ts";
import { STYLE } from "./style.ts";

/** The page's `<head>` element, `title` escaped. */
export function pageHead(title: string): SafeHtml {
  return html`
    <head>
      <meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <meta http-equiv="Content-Security-Policy"
        content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
      <title>${title}</title>
      <style>${new SafeHtml(STYLE)}</style>
    </head>
  `;
}
