import assert from "node:assert/strict";
import { escapeHtml, html, inlineScriptSource, jsonForScript, SafeHtml } from "./escape.ts";

const HOSTILE = `<script>alert(1)</script>"'&`;

Deno.test("escapeHtml escapes the five HTML metacharacters", () => {
  assert.deepEqual(
    escapeHtml(HOSTILE),
    "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;",
  );
});

Deno.test("escapeHtml maps null/undefined to empty and stringifies numbers", () => {
  assert.deepEqual(escapeHtml(null), "");
  assert.deepEqual(escapeHtml(undefined), "");
  assert.deepEqual(escapeHtml(42), "42");
});

Deno.test("jsonForScript cannot close the script element and round-trips", () => {
  const value = { label: HOSTILE, comment: "<!-- x -->", sep: "a\u2028b\u2029c" };
  const json = jsonForScript(value);
  assert.ok(!json.includes("<"));
  assert.ok(!json.includes(">"));
  assert.ok(!json.includes("\u2028"));
  assert.ok(json.includes("\\u003c/script\\u003e"));
  assert.deepEqual(JSON.parse(json), value);
});

Deno.test("inlineScriptSource neutralises </script in code, keeping its meaning", () => {
  const src = `var s = "</SCRIPT>"; var r = /<\\/script>/u;`;
  const out = inlineScriptSource(src);
  assert.ok(!/<\/script/i.test(out));
  const [s, r] = new Function(`${out}; return [s, r];`)();
  assert.deepEqual(s, "</SCRIPT>");
  assert.ok(r.test("</script>"));
});

Deno.test("inlineScriptSource refuses <!--", () => {
  assert.throws(() => inlineScriptSource(`var s = "<!--";`), /<!--.*offset 9/);
});

Deno.test("html`` escapes interpolations, keeps SafeHtml, joins arrays", () => {
  const inner = html`<b>${HOSTILE}</b>`;
  const out = html`<p title="${HOSTILE}">${inner}${[
    HOSTILE,
    html`<i>ok</i>`,
  ]}${null}${false}${0}</p>`;
  assert.ok(out instanceof SafeHtml);
  const e = escapeHtml(HOSTILE);
  assert.equal(out.value, `<p title="${e}"><b>${e}</b>${e}<i>ok</i>0</p>`);
  assert.equal(String(out), out.value);
});
