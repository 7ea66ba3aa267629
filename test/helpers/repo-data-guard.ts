import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

/** The repo's default DATA_DIR, which a running `npm start` owns. */
export const repoDataDir = resolve(".data");

/** Every path under `dir` with its size and modification time: any write changes it. */
export function snapshotTree(dir: string = repoDataDir): string {
  if (!existsSync(dir)) return "(absent)";
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
