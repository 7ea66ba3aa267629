import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { readRuntimeRecord } from "../../local/runtime-file.ts";

/** The repo's default DATA_DIR, which a running `npm start` owns. */
export const repoDataDir = resolve(".data");

/**
 * Every path under `dir` with its size and modification time: any write changes it. While a live
 * `npm start` owns `dir` it writes there itself (database, lock, runtime.json), so the tree is
 * not compared then: the guard is for tests, not for the developer's own server.
 */
export function snapshotTree(dir: string = repoDataDir): string {
  if (!existsSync(dir)) return "(absent)";
  if (readRuntimeRecord(dir)) return "(owned by a running npm start)";
  const lines: string[] = [];
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const child = join(path, entry.name);
      const stat = statSync(child);
      lines.push(`${child} ${stat.size} ${stat.mtimeMs}`);
      if (entry.isDirectory()) walk(child);
    }
  };
  walk(dir);
  return lines.sort().join("\n");
}
