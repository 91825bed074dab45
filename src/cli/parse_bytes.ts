/**
 * Parses memory sizes given on the command line: `4GiB`, `512MiB`, `1.5GB`, `1073741824`.
 * Binary units (KiB, MiB, GiB, TiB) are powers of 1024, decimal ones (kB, MB, GB, TB)
 * powers of 1000; a bare number is bytes. Case-insensitive; `K`, `M`, `G`, `T` alone are
 * taken as binary.
 *
 * @module
 */

const UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 2 ** 10,
  kib: 2 ** 10,
  kb: 1e3,
  m: 2 ** 20,
  mib: 2 ** 20,
  mb: 1e6,
  g: 2 ** 30,
  gib: 2 ** 30,
  gb: 1e9,
  t: 2 ** 40,
  tib: 2 ** 40,
  tb: 1e12,
};

/**
 * Parses a size into bytes (rounded down to an integer).
 * @throws RangeError naming the value when it is not a positive size.
 */
export function parseBytes(text: string): number {
  const m = String(text).trim().match(/^(\d+(?:\.\d+)?)\s*([a-z]*)$/i);
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new RangeError(
      `memory size: expected e.g. 4GiB, 512MiB or a number of bytes, got ${JSON.stringify(text)}`,
    );
  }
  const bytes = Math.floor(Number(m[1]) * unit);
  if (!(bytes > 0)) {
    throw new RangeError(`memory size: expected a positive size, got ${JSON.stringify(text)}`);
  }
  return bytes;
}
