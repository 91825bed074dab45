import assert from "node:assert/strict";
import { natsUrlProblem } from "./url.ts";

Deno.test("natsUrlProblem: nats:// or tls:// URLs with a host; the message masks credentials", () => {
  assert.equal(natsUrlProblem("nats://h:4222,tls://k:1"), undefined);
  assert.equal(
    natsUrlProblem("http://h:1", "NATS_URL"),
    'NATS_URL: expected a nats:// or tls:// URL, got "http://h:1"',
  );
  assert.equal(
    natsUrlProblem("nats://bob:s3cret@"),
    '--nats: expected a nats:// or tls:// URL, got "nats://***@"',
  );
  assert.match(natsUrlProblem("h:4222")!, /got "h:4222"/);
});
