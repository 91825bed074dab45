/**
 * The HTML of one chart: a titled figure around the canvas (`chart-<id>`) that the
 * report's client script draws the chart spec into.
 *
 * @module
 */

import type { ChartSpec } from "./charts.ts";
import { html, type SafeHtml } from "./escape.ts";

/** The canvas of a chart, with its title (nothing for `null`). */
export function chartBox(spec: ChartSpec | null): SafeHtml {
  if (!spec) return html``;
  return html`
    <figure class="chart-box">
      <figcaption>${spec.title}</figcaption>
      <div class="chart">
        <canvas id="chart-${spec.id}" role="img" aria-label="${spec.title}"></canvas>
      </div>
    </figure>
  `;
}
