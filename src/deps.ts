import type { ConnectionDeps } from "./connections/connection-deps.ts";
import type { KeyRing } from "./crypto/key-ring.ts";
import { getKeyRing } from "./crypto/load-key-ring.ts";
import { openDb } from "./db/open-db.ts";
import type { DatabaseKind, Db } from "./db/types.ts";
import { createConnectionNotifier } from "./health/connection-notifier.ts";
import { createTriggerJobQueue, type JobQueue } from "./jobs.ts";
import { captureFailure } from "./observability/sentry.ts";

/** What task runs need from the outside world. Built once per process, injectable for tests. */
export interface Deps {
  db: Db;
  dbKind: DatabaseKind;
  jobs: JobQueue;
  keyRing(): Promise<KeyRing>;
}

let current: Promise<Deps> | undefined;

/**
 * The process's dependencies. On Trigger.dev workers they are opened from the environment on
 * first use and reused by warm starts; the local runtime and tests install their own with
 * `setDeps` (PGlite can only be opened once per process).
 */
export function getDeps(): Promise<Deps> {
  current ??= (async () => {
    const handle = await openDb();
    return { db: handle.db, dbKind: handle.kind, jobs: createTriggerJobQueue(), keyRing: getKeyRing };
  })();
  current.catch(() => {
    current = undefined;
  });
  return current;
}

export function setDeps(deps: Deps | undefined): void {
  current = deps ? Promise.resolve(deps) : undefined;
}

export interface TaskConnectionDeps extends ConnectionDeps {
  jobs: JobQueue;
}

/** Dependencies of connection flows (refresh, connect, notify) for task runs. */
export async function getConnectionDeps(): Promise<TaskConnectionDeps> {
  const deps = await getDeps();
  const keyRing = await deps.keyRing();
  const env = process.env;
  return {
    db: deps.db,
    jobs: deps.jobs,
    keyRing,
    env,
    notifier: createConnectionNotifier({
      db: deps.db,
      keyRing,
      platformSlackWebhookUrl: env.ALERTS_SLACK_WEBHOOK_URL,
      capture: captureFailure,
    }),
  };
}
