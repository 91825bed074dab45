/**
 * The Chart.js source the report inlines (so it opens offline), read from the npm
 * package `chart.js` of the import map.
 *
 * @module
 */

// A side-effect import keeps `chart.js` in the module graph, so Deno installs the
// package into node_modules (nodeModulesDir "auto") even in a fresh clone.
import "chart.js";

let cached: string | null = null;

/**
 * Path of the package's UMD build (`dist/chart.umd.min.js`): found beside the file
 * that `import.meta.resolve("chart.js")` gives, else under the repository's
 * `node_modules/chart.js/dist/`.
 */
export function chartJsPath(): string {
  const candidates: URL[] = [];
  const resolved = import.meta.resolve("chart.js");
  if (resolved.startsWith("file:")) {
    candidates.push(new URL("./chart.umd.min.js", resolved), new URL("./chart.umd.js", resolved));
  }
  candidates.push(
    new URL("../../node_modules/chart.js/dist/chart.umd.min.js", import.meta.url),
    new URL("../../node_modules/chart.js/dist/chart.umd.js", import.meta.url),
  );
  for (const url of candidates) {
    try {
      if (Deno.statSync(url).isFile) return url.pathname;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  throw new Error(
    `chart.js: UMD build not found (tried ${candidates.map((u) => u.pathname).join(", ")}); ` +
      `run \`deno install\` in the repository`,
  );
}

/** The Chart.js UMD source (read once, then cached). */
export function chartJsSource(): string {
  cached ??= Deno.readTextFileSync(chartJsPath());
  return cached;
}
