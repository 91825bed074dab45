/**
 * The report's sections: re-exports `sections/mod.ts` (one module per section there).
 *
 * @module
 */

export * from "./sections/mod.ts";
export { chartBox } from "./chart_box.ts";
