import { buildDeps, type Deps } from "./build-deps.ts";
import { getKeyRing } from "./crypto/load-key-ring.ts";
import { openDb } from "./db/open-db.ts";
import { createTriggerJobQueue } from "./jobs.ts";
import { captureFailure } from "./observability/sentry.ts";

export type { Deps } from "./build-deps.ts";

let current: Promise<Deps> | undefined;

/**
 * The process's dependencies (Node processes: Trigger.dev workers, the local runtime). Opened
 * from the environment on first use and reused by warm starts; the local runtime and tests
 * install their own with `setDeps` (PGlite can only be opened once per process).
 */
export function getDeps(): Promise<Deps> {
  current ??= (async () => {
    const handle = await openDb();
    return buildDeps({
      db: handle.db,
      jobs: createTriggerJobQueue(),
      keyRing: await getKeyRing(),
      env: process.env,
      capture: captureFailure,
    });
  })();
  current.catch(() => {
    current = undefined;
  });
  return current;
}

/** Installs this process's dependencies (built with `buildDeps`); `undefined` forgets them. */
export function setDeps(deps: Deps | undefined): void {
  current = deps ? Promise.resolve(deps) : undefined;
}
