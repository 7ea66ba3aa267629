import type { Db } from "../db/types.ts";
import type { JobQueue } from "../jobs.ts";
import type { FairingClient } from "../providers/fairing.ts";

/** What the survey sync needs; built by `createSurveyDeps` (tasks, CLI, local runtime) or by tests. */
export interface SurveyDeps {
  db: Db;
  jobs: JobQueue;
  /** A Fairing client holding the tenant's key, from its connection. */
  fairing(tenantId: string): Promise<FairingClient>;
  /** The status machine: the provider refused the tenant's credential (connection → expired, owner told). */
  credentialRefused(tenantId: string, provider: string, reason: string): Promise<void>;
  now(): Date;
}
