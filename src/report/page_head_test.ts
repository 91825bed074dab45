import assert from "node:assert/strict";
import { pageHead } from "./page_head.ts";
import { STYLE } from "./style.ts";

Deno.test("pageHead: the title escaped, a CSP that loads nothing from outside, our stylesheet", () => {
  const head = String(pageHead(`a <b> & "c"`));
  assert.match(head, /<title>a &lt;b&gt; &amp; &quot;c&quot;<\/title>/);
  assert.match(head, /Content-Security-Policy[\s\S]*default-src 'none'/);
  assert.ok(head.includes(STYLE), "the stylesheet inline");
  assert.doesNotMatch(head, /<link|src="http/);
});
