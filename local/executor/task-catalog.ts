import { readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { resourceCatalog } from "@trigger.dev/core/v3";
import { StandardResourceCatalog } from "@trigger.dev/core/v3/workers";
import { installRunContext } from "./run-context.ts";

type CatalogTask = NonNullable<ReturnType<StandardResourceCatalog["getTask"]>>;
export type TaskManifest = NonNullable<ReturnType<StandardResourceCatalog["getTaskManifest"]>>;

export interface LoadedTask {
  id: string;
  manifest: TaskManifest;
  run: CatalogTask["fns"]["run"];
  parsePayload: ((payload: unknown) => Promise<unknown>) | undefined;
  /** The payload schema of a `schemaTask` (zod, or whatever schema library it was given). */
  schema?: unknown;
}

export interface TaskCatalog {
  get(id: string): LoadedTask | undefined;
  list(): LoadedTask[];
  /** The concurrency limit of a queue declared with `queue()` or on a task. */
  queueLimit(name: string): number | undefined;
  /** Whether a queue of this name is declared (`queue()`, a task's queue, or a task's default queue). */
  hasQueue(name: string): boolean;
}

let catalog: StandardResourceCatalog | undefined;
const loadedFiles = new Set<string>();

function taskFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...taskFiles(path));
    else if (/\.(ts|mts|js|mjs)$/.test(entry.name) && !/\.(test|spec)\.[mc]?[jt]s$/.test(entry.name))
      out.push(path);
  }
  return out.sort(
    (a, b) => Number(b.endsWith("init.ts")) - Number(a.endsWith("init.ts")) || a.localeCompare(b),
  );
}

/**
 * Collects the real task definitions of `dirs` through the SDK's resource catalog, the way the
 * Trigger.dev indexer does: the catalog is installed before any task module loads, and each
 * file is imported with its file context set. `init.ts` files load first (global hooks).
 */
export async function loadTaskCatalog(dirs: readonly string[] = ["trigger"]): Promise<TaskCatalog> {
  installRunContext();
  if (!catalog) {
    catalog = new StandardResourceCatalog();
    resourceCatalog.setGlobalResourceCatalog(catalog);
  }
  const ids = new Set<string>();
  for (const dir of dirs.map((d) => resolve(d))) {
    for (const file of taskFiles(dir)) {
      if (!loadedFiles.has(file)) {
        catalog.setCurrentFileContext(relative(process.cwd(), file), "default");
        await import(pathToFileURL(file).href);
        catalog.clearCurrentFileContext();
        loadedFiles.add(file);
      }
      for (const manifest of catalog.listTaskManifests()) {
        if (manifest.filePath === relative(process.cwd(), file)) ids.add(manifest.id);
      }
    }
  }
  const collisions = catalog.listTaskIdCollisions();
  if (collisions.length > 0) {
    throw new Error(
      `Duplicate task ids: ${collisions.map((c) => `${c.id} (${c.filePaths.join(", ")})`).join("; ")}`,
    );
  }
  const current = catalog;
  const get = (id: string): LoadedTask | undefined => {
    if (!ids.has(id)) return undefined;
    const task = current.getTask(id);
    if (!task) return undefined;
    const { fns, ...manifest } = task;
    const schema = current.getTaskSchema(id);
    return {
      id,
      manifest: manifest as TaskManifest,
      run: fns.run,
      parsePayload: fns.parsePayload,
      ...(schema ? { schema } : {}),
    };
  };
  return {
    get,
    list: () => [...ids].sort().map((id) => get(id)!),
    queueLimit: (name) =>
      current.listQueueManifests().find((q) => q.name === name)?.concurrencyLimit ?? undefined,
    hasQueue: (name) =>
      current.listQueueManifests().some((q) => q.name === name) ||
      [...ids].some((id) => name === `task/${id}` || get(id)?.manifest.queue?.name === name),
  };
}
