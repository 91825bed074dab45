import assert from "node:assert/strict";
import {
  COMMITTED_ROOT,
  committedReports,
  committedTimestamp,
  renderCommitted,
  withoutTimestamp,
} from "./committed.ts";
import { smallSweep } from "./testdata/small_sweep.ts";

const dirs = await committedReports();

Deno.test("there are committed reports to check", () => {
  assert.ok(dirs.length >= 1, `no report folder with a results.json under ${COMMITTED_ROOT}`);
});

for (const dir of dirs) {
  const name = dir.slice(dir.lastIndexOf("/") + 1);
  Deno.test(`committed report ${name} is what the renderer makes of its results.json`, async () => {
    const now = await renderCommitted(dir);
    const page = await Deno.readTextFile(`${dir}/index.html`);
    const fix = "stale: run `deno task report:committed` and commit reports/";
    // Compare without the footer's time stamp; report the first differing line.
    const a = withoutTimestamp(page).split("\n"), b = withoutTimestamp(now.html).split("\n");
    const i = a.findIndex((l, k) => l !== b[k]);
    assert.ok(
      i < 0 && a.length === b.length,
      `${name}/index.html ${fix}; first difference at line ${i + 1}:\n- ${a[i]?.slice(0, 200)}\n+ ${
        b[i]?.slice(0, 200)
      }`,
    );
    assert.equal(
      await Deno.readTextFile(`${dir}/results.csv`),
      now.csv,
      `${name}/results.csv ${fix}`,
    );
  });
}

Deno.test("committed pages are stamped with the sweep's last finish, not the render time", () => {
  const s = smallSweep([{ model: "h", n: 64, ms: 1 }, { model: "h", n: 128, ms: 1 }]);
  assert.equal(committedTimestamp(s).toISOString(), "2025-01-01T00:00:01.500Z");
  assert.equal(
    withoutTimestamp("<footer>Generated 2025-01-01T00:00:01.500Z by <code>"),
    "<footer>Generated … by <code>",
  );
});

Deno.test("committed reports are the folders .gitignore keeps, not every sweep's folder", async () => {
  const root = await Deno.makeTempDir();
  try {
    for (const name of ["kept-1", "local-run-2", "kept-but-empty"]) {
      await Deno.mkdir(`${root}/${name}`);
      if (name !== "kept-but-empty") await Deno.writeTextFile(`${root}/${name}/results.json`, "{}");
    }
    const ignore = `${root}/.gitignore`;
    await Deno.writeTextFile(
      ignore,
      "reports/*\n!reports/.gitkeep\n!reports/kept-1/\n!reports/kept-but-empty/\n",
    );
    assert.deepEqual(await committedReports(root, ignore), [`${root}/kept-1`]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
