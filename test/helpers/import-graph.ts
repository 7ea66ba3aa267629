import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

export interface ImportEdge {
  from: string;
  specifier: string;
  /** Project-relative path for relative imports, the package name otherwise. */
  target: string;
  typeOnly: boolean;
}

const IMPORT =
  /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'"]*?\s+from\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

export function listSourceFiles(root: string, dirs: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (entry === "node_modules") continue;
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(ts|mts|mjs)$/.test(entry)) out.push(relative(root, path));
    }
  };
  for (const dir of dirs) walk(resolve(root, dir));
  return out.sort();
}

/** The import edges of one file's source text (static, re-exports and dynamic imports). */
export function importsOf(file: string, source: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const match of source.matchAll(IMPORT)) {
    const specifier = match[3] ?? match[4]!;
    const typeOnly = Boolean(match[2]);
    const target = specifier.startsWith(".")
      ? relative(".", join(dirname(file), specifier)).replace(/\\/g, "/")
      : specifier.startsWith("node:")
        ? specifier
        : specifier.startsWith("@")
          ? specifier.split("/").slice(0, 2).join("/")
          : specifier.split("/")[0]!;
    edges.push({ from: file, specifier, target, typeOnly });
  }
  return edges;
}

export function readImports(root: string, files: string[]): ImportEdge[] {
  return files.flatMap((file) => importsOf(file, readFileSync(resolve(root, file), "utf8")));
}
