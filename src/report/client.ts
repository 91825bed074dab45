/**
 * The report's in-page script: the typed module `client/main.ts` (it shares the report's
 * formatting code, `format.ts`), bundled at build time by `deno task bundle:client` into
 * the generated `client_bundle.ts`. The report inlines it after Chart.js.
 *
 * @module
 */

import { CLIENT_BUNDLE } from "./client_bundle.ts";

/** The source of the in-page script (a browser IIFE). */
export const CLIENT_SCRIPT: string = CLIENT_BUNDLE;
