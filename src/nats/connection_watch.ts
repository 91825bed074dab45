/**
 * Says at once when the coordinator's connection to the nats-server goes and when it comes
 * back (the connection pings every `pingIntervalMs`, so a dead server is noticed within a
 * few seconds), and remembers since when it is gone (for the watchdog's reminders).
 *
 * @module
 */
import type { NatsConnection } from "@nats-io/transport-node";

/** The state of a watched connection. */
export interface ConnectionWatch {
  /** performance.now() when the connection was lost; undefined while connected. */
  readonly lostSince: number | undefined;
}

/**
 * Watches `nc`'s status: `log` is told of each loss and return. `server` names the server
 * in messages (never with credentials).
 */
export function watchConnection(
  nc: NatsConnection,
  server: string,
  log: (message: string) => void,
): ConnectionWatch {
  const state: { lostSince: number | undefined } = { lostSince: undefined };
  (async () => {
    for await (const st of nc.status()) {
      if (st.type === "disconnect" && state.lostSince === undefined) {
        state.lostSince = performance.now();
        log(
          `lost the connection to the nats-server (${server}): server unreachable; waiting ` +
            `for it to come back (results so far are saved)`,
        );
      } else if (st.type === "reconnect" && state.lostSince !== undefined) {
        log(
          `reconnected to the nats-server after ${
            ((performance.now() - state.lostSince) / 1000).toFixed(1)
          } s`,
        );
        state.lostSince = undefined;
      }
    }
  })().catch(() => {});
  return state;
}
