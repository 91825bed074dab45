import assert from "node:assert/strict";
import type { SweepResults } from "../results.ts";
import { resumeDefinition } from "./definition.ts";

const stored = (extra: Partial<SweepResults>): SweepResults => ({
  sweepId: "s",
  createdAt: "",
  environment: {} as SweepResults["environment"],
  results: [],
  ...extra,
});
const builtin = (p: string) => ["quick", "tiny"].includes(p);

Deno.test("resumeDefinition: the stored definition wins; equal flags are fine, others refused", () => {
  const s = stored({ definition: { preset: "tiny", lengths: [32, 64], defaultBackend: "wasm" } });
  assert.deepEqual(resumeDefinition(s, {}, builtin), {
    preset: "tiny",
    lengths: [32, 64],
    defaultBackend: "wasm",
  });
  assert.deepEqual(resumeDefinition(s, { preset: "tiny", lengths: [32, 64] }, builtin).lengths, [
    32,
    64,
  ]);
  assert.throws(
    () => resumeDefinition(s, { preset: "quick" }, builtin),
    /^Error: --preset: sweep s was started with "tiny", got "quick"/,
  );
  assert.throws(
    () => resumeDefinition(s, { models: ["hyena"] }, builtin),
    /--models: sweep s was started with no --models, got \["hyena"\]/,
  );
  assert.throws(() => resumeDefinition(s, { lengths: [32] }, builtin), /--lengths/);
});

Deno.test("resumeDefinition: an older results.json falls back to its built-in preset, else asks", () => {
  assert.deepEqual(resumeDefinition(stored({ preset: "tiny" }), {}, builtin), { preset: "tiny" });
  assert.deepEqual(
    resumeDefinition(stored({ preset: "my-file" }), { preset: "x.json" }, builtin),
    { preset: "x.json" },
  );
  assert.throws(
    () => resumeDefinition(stored({ preset: "my-file" }), {}, builtin),
    /--resume: s's results.json does not record how its cases were chosen/,
  );
});
