/**
 * The report's sections, one module each. A section is a function of the sweep (and its
 * analysis) that returns HTML and the charts it places, or `null` when it has nothing to
 * show; the page is {@linkcode DEFAULT_SECTIONS} in order. New kinds of results add a
 * section to the list, as training (issue 6) does (`../training.ts`).
 *
 * Every string from the results goes through `html```, which escapes it.
 *
 * @module
 */

import { trainingSection } from "../training.ts";
import { compareSection } from "./compare.ts";
import { environmentSection } from "./environment.ts";
import { frameworksSection } from "./frameworks.ts";
import { headlineSection } from "./headline.ts";
import { memorySection } from "./memory.ts";
import { noiseSection } from "./noise.ts";
import { paperSection } from "./paper.ts";
import { ratiosSection } from "./ratios.ts";
import { resultsTableSection } from "./results_table.ts";
import { runtimeSection } from "./runtime.ts";
import { samplesSection } from "./samples.ts";
import type { ReportSection } from "./types.ts";
import { workersSection } from "./workers.ts";

export type { ReportContext, ReportSection, SectionOutput } from "./types.ts";
export { unionLength } from "./workers.ts";

/** The sections of a report, in page order. */
export const DEFAULT_SECTIONS: readonly ReportSection[] = [
  headlineSection,
  runtimeSection,
  memorySection,
  ratiosSection,
  frameworksSection,
  noiseSection,
  paperSection,
  trainingSection,
  workersSection,
  compareSection,
  environmentSection,
  resultsTableSection,
  samplesSection,
];
