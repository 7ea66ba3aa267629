import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, inject } from "vitest";
import { repoDataDir, snapshotTree } from "../helpers/repo-data-guard.ts";

// Every test file gets its own DATA_DIR: nothing a test does may touch a developer's `.data`
// (a running `npm start` keeps its database, keys and sandbox.json there).
const dataDir = mkdtempSync(join(tmpdir(), "sb-test-data-"));
process.env.DATA_DIR = dataDir;

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
  expect(snapshotTree(), `a test (this file or one running beside it) wrote under ${repoDataDir}`).toBe(
    inject("repoDataSnapshot"),
  );
});
