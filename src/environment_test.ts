import assert from "node:assert/strict";
import { collectEnvironment } from "./environment.ts";

Deno.test("collectEnvironment reports host, runtime versions, tfjs and git commit", async () => {
  const env = await collectEnvironment();
  assert.ok(env.host.length > 0);
  assert.ok(env.cpus >= 1);
  assert.ok(env.memoryBytes > 0);
  assert.equal(env.deno, Deno.version.deno);
  assert.equal(env.v8, Deno.version.v8);
  assert.equal(env.typescript, Deno.version.typescript);
  assert.match(env.tfjs, /^\d+\.\d+\.\d+/);
  assert.ok(env.gitCommit === null || /^[0-9a-f]{40}$/.test(env.gitCommit));
  assert.ok(env.os.startsWith(Deno.build.os));
  // The commit date comes with the commit (this test runs in a git checkout or in none).
  assert.equal(env.gitCommitDate === null, env.gitCommit === null);
  if (env.gitCommitDate !== null) assert.ok(Number.isFinite(Date.parse(String(env.gitCommitDate))));
});
