/**
 * Checking a NATS server URL given on a command line (no NATS client loaded: the sweep CLI
 * checks its options before it decides whether it needs one).
 *
 * @module
 */

/** The port of a nats:// or tls:// URL (after any user info and host), as written. */
const PORT_RE = /^(?:nats|tls):\/\/(?:[^/@\s]*@)?(?:\[[^\]]*\]|[^:/@\s]*):([^/@\s]*)(?:\/|$)/;

/**
 * Checks a `--nats` value: one or more comma-separated `nats://` or `tls://` URLs with a
 * host. Returns a message naming `flag` and the value (its credentials masked), or
 * `undefined` when it is fine.
 */
export function natsUrlProblem(value: string, flag = "--nats"): string | undefined {
  for (const part of value.split(",")) {
    const shownPart = part.trim().replace(/\/\/[^/@\s]*@/, "//***@");
    const port = PORT_RE.exec(
      part.trim(),
    )?.[1];
    if (
      port !== undefined && (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)
    ) {
      return `${flag}: port ${JSON.stringify(port)} is out of range (1-65535), in ${
        JSON.stringify(shownPart)
      }`;
    }
    let ok = false;
    try {
      const u = new URL(part.trim());
      ok = (u.protocol === "nats:" || u.protocol === "tls:") && u.hostname !== "";
    } catch { /* not a URL */ }
    if (!ok) {
      const shown = part.trim().replace(/\/\/[^/@\s]*@/, "//***@");
      return `${flag}: expected a nats:// or tls:// URL, got ${JSON.stringify(shown)}`;
    }
  }
  return undefined;
}
