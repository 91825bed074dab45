import assert from "node:assert/strict";
import { bundleClient, bundleModule, CLIENT_BUNDLE_PATH } from "./build.ts";
import { CLIENT_BUNDLE } from "../client_bundle.ts";

Deno.test("client_bundle.ts is the bundle of the current client sources (else: deno task bundle:client)", async () => {
  const fresh = bundleModule(await bundleClient());
  const committed = await Deno.readTextFile(CLIENT_BUNDLE_PATH);
  assert.ok(
    fresh === committed,
    "src/report/client_bundle.ts is stale: run `deno task bundle:client` and commit it",
  );
});

Deno.test("the bundle is a self-contained browser script with the shared formatters", () => {
  assert.match(CLIENT_BUNDLE, /^\(\(\) => \{/);
  assert.doesNotMatch(CLIENT_BUNDLE, /^\s*(import|export)\s/m);
  assert.match(CLIENT_BUNDLE, /\/\/ src\/report\/format\.ts/);
  assert.ok(!CLIENT_BUNDLE.includes("<!--"));
});
