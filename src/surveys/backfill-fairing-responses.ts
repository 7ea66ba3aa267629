import type { SurveyDeps } from "./survey-deps.ts";
import {
  FAIRING_BACKFILL,
  type SyncOptions,
  type SyncResult,
  syncFairingResponses,
} from "./sync-fairing-responses.ts";

export const FAIRING_BACKFILL_TASK = "fairing-backfill";
/** Pages per run (100 responses each): a chunk stays well inside a run's maximum duration. */
export const BACKFILL_CHUNK_PAGES = 200;

/**
 * Imports a tenant's whole Fairing history in resumable chunks: each run reads up to a chunk of
 * pages (each page committed with the backfill cursor), then hands the rest to a new run of
 * itself, keyed by the pass and its position so a retried run cannot fork the chain.
 */
export async function backfillFairingResponses(
  deps: SurveyDeps,
  tenantId: string,
  options: Pick<SyncOptions, "onProgress" | "client"> & { chunkPages?: number } = {},
): Promise<SyncResult & { continuedIn?: string }> {
  const result = await syncFairingResponses(deps, tenantId, {
    ...options,
    source: FAIRING_BACKFILL,
    maxPages: options.chunkPages ?? BACKFILL_CHUNK_PAGES,
  });
  if (result.outcome !== "partial") return result;
  const next = await deps.jobs.trigger(
    FAIRING_BACKFILL_TASK,
    { tenantId },
    {
      idempotencyKey: `fairing-backfill:${tenantId}:${result.passStartedAt}:${result.passPages}`,
      concurrencyKey: tenantId,
    },
  );
  return { ...result, continuedIn: next.id };
}
