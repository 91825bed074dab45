/**
 * Environment and versions of the sweep.
 *
 * @module
 */

import { html } from "../escape.ts";
import { fieldValue } from "./common.ts";
import type { ReportSection } from "./types.ts";

/**
 * The sweep's own fields first, in this order, then any other alphabetically: a page rendered
 * live and one re-rendered from the loaded `results.json` (whose keys come back in the
 * schema's order) list them alike.
 */
const TOP_ORDER = [
  "sweepId",
  "preset",
  "description",
  "mode",
  "createdAt",
  "finishedAt",
  "wallMs",
  "memoryBudgetBytes",
];
const topRank = (key: string) => {
  const i = TOP_ORDER.indexOf(key);
  return i < 0 ? TOP_ORDER.length : i;
};

/** The section. */
export const environmentSection: ReportSection = {
  id: "environment",
  title: "Environment and versions",
  render({ results }) {
    const env = (results.environment ?? {}) as Record<string, unknown>;
    const rows = Object.entries(env).map(([k, v]) =>
      html`
        <tr>
          <th scope="row">${k}</th>
          <td>${fieldValue(k, v)}</td>
        </tr>
      `
    );
    const top = Object.entries(results).filter(([k, v]) =>
      !["results", "environment", "workers", "scaling"].includes(k) && typeof v !== "object"
    ).sort(([a], [b]) => topRank(a) - topRank(b) || (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) =>
      html`
        <tr>
          <th scope="row">${k === "description"
            ? "description (the preset's text when the sweep ran)"
            : k}</th>
          <td>${fieldValue(k, v)}</td>
        </tr>
      `
    );
    return {
      html: html`
        <div class="table-wrap">
          <table class="kv">
            <tbody>${top}${rows}</tbody>
          </table>
        </div>
      `,
    };
  },
};
