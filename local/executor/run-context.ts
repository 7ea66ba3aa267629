import { AsyncLocalStorage } from "node:async_hooks";
import type { TaskRunContext } from "@trigger.dev/core/v3";
import { lifecycleHooks, localsAPI, runMetadata, taskContext } from "@trigger.dev/core/v3";
import { TestRunMetadataManager } from "@trigger.dev/core/v3/test";
import { StandardLifecycleHooksManager, StandardLocalsManager } from "@trigger.dev/core/v3/workers";

/**
 * Per-run Trigger.dev context for the local runtime, scoped with AsyncLocalStorage.
 *
 * `runInMockTaskContext` (from @trigger.dev/core/v3/test) installs process-wide managers and
 * removes them when its function returns, so two runs overlapping in one process would see each
 * other's context and lose it half-way. Here the same core managers are installed once, behind
 * proxies that resolve to the current run's instances: runs execute concurrently, `metadata.*`,
 * `locals` and `ctx` stay per run, and global hooks registered by `trigger/init.ts` persist.
 * This touches core internals: pin @trigger.dev/core exactly and keep the use in this module.
 */
interface RunScope {
  ctx: TaskRunContext;
  metadata: TestRunMetadataManager;
  locals: StandardLocalsManager;
}

const storage = new AsyncLocalStorage<RunScope>();
let installed = false;

function scoped<T extends object>(pick: (scope: RunScope) => T, fallback: T): T {
  return new Proxy(fallback, {
    get(_target, property) {
      const target = storage.getStore() ? pick(storage.getStore()!) : fallback;
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** Installs the scoped managers once per process, before task files (and init.ts) load. */
export function installRunContext(): void {
  if (installed) return;
  installed = true;
  lifecycleHooks.setGlobalLifecycleHooksManager(new StandardLifecycleHooksManager());
  runMetadata.setGlobalManager(scoped((s) => s.metadata, new TestRunMetadataManager()));
  localsAPI.setGlobalLocalsManager(scoped((s) => s.locals, new StandardLocalsManager()));
  taskContext.setGlobalTaskContext({
    get ctx() {
      return storage.getStore()?.ctx as TaskRunContext;
    },
    worker: { id: "local", version: "local", contentHash: "local", engine: "V2" },
    isWarmStart: false,
  } as unknown as Parameters<typeof taskContext.setGlobalTaskContext>[0]);
}

export type RunScopeResult<T> =
  | { ok: true; value: T; metadata: Record<string, unknown> | undefined }
  | { ok: false; error: unknown; metadata: Record<string, unknown> | undefined };

/** Runs `fn` as run `ctx`; returns its outcome and the run metadata it set, even when it threw. */
export async function runInRunContext<T>(
  ctx: TaskRunContext,
  fn: () => Promise<T>,
  metadata: TestRunMetadataManager = new TestRunMetadataManager(),
): Promise<RunScopeResult<T>> {
  installRunContext();
  const scope: RunScope = { ctx, metadata, locals: new StandardLocalsManager() };
  const current = () => scope.metadata.current() as Record<string, unknown> | undefined;
  try {
    const value = await storage.run(scope, fn);
    return { ok: true, value, metadata: current() };
  } catch (error) {
    return { ok: false, error, metadata: current() };
  }
}
