import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { bundleTaskFiles, TaskFileBuildError } from "../local/worker/bundle-task-files.ts";
import { formatError } from "../src/format-error.ts";

const fixture = resolve("test/fixtures/import-meta/note.ts");

describe("bundleTaskFiles", () => {
  it("keeps import.meta.url in strings and comments as text and points the expression at the source", async () => {
    const bundle = await bundleTaskFiles([fixture]);
    try {
      const compiled = await import(pathToFileURL(bundle.moduleOf(fixture)).href);
      expect(compiled.note).toBe("paths are relative to import.meta.url");
      expect(compiled.url).toBe(pathToFileURL(fixture).href);
      expect(compiled.filename).toBe(fixture);
      expect(compiled.dirname).toBe(dirname(fixture));
    } finally {
      bundle.remove();
    }
  });

  it("names the file, line and column of a syntax error and the opt-out", async () => {
    const dir = mkdtempSync(join(resolve("node_modules/.cache"), "bundle-syntax-"));
    const bad = join(dir, "bad.ts");
    writeFileSync(bad, "export const x = ;\n");
    try {
      const err = await bundleTaskFiles([bad]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TaskFileBuildError);
      const line = formatError(err);
      expect(line).toContain(`${relative(process.cwd(), bad)}:1:18: Unexpected ";"`);
      expect(line).toContain("SWITCHBOARD_ISOLATE_TASK_FILES=0");
      expect(line.split("\n")).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("says which folder it could not create", async () => {
    const root = mkdtempSync(join(tmpdir(), "bundle-root-"));
    mkdirSync(join(root, "node_modules/.cache"), { recursive: true });
    writeFileSync(join(root, "node_modules/.cache/switchboard-task-workers"), "");
    try {
      const err = await bundleTaskFiles([fixture], root).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TaskFileBuildError);
      expect(formatError(err)).toMatch(
        /^could not create node_modules\/\.cache\/switchboard-task-workers .*EEXIST.*SWITCHBOARD_ISOLATE_TASK_FILES=0/,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
