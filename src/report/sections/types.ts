/**
 * The shapes every report section shares: what it reads ({@linkcode ReportContext}) and
 * what it returns ({@linkcode SectionOutput}).
 *
 * @module
 */

import type { SweepResults } from "../../results.ts";
import type { Analysis } from "../analysis.ts";
import type { SweepComparison } from "../compare.ts";
import type { ChartSpec } from "../charts.ts";
import type { SafeHtml } from "../escape.ts";

/** What every section can read. */
export interface ReportContext {
  results: SweepResults;
  analysis: Analysis;
  /** The sweep given with `--compare`, and the comparison with it. */
  other: SweepResults | null;
  comparison: SweepComparison | null;
}

/** What a section produces. */
export interface SectionOutput {
  html: SafeHtml;
  /** Charts whose canvases (`chart-<id>`) the HTML contains. */
  charts?: ChartSpec[];
}

/** One section of the report. */
export interface ReportSection {
  /** Anchor id (also used in the navigation). */
  id: string;
  title: string;
  /** `null`: the section is left out (nothing to show). */
  render(ctx: ReportContext): SectionOutput | null;
}
