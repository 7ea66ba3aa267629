import { withTenant } from "../db/with-tenant.ts";
import { AppError, describeError } from "../errors.ts";
import { type FairingClientTuning, fairingClientFor } from "./fairing-client-for.ts";
import { markCredentialRefused } from "./mark-credential-refused.ts";
import type { SurveyDeps } from "./survey-deps.ts";
import { surveyResponseRow } from "./survey-response-row.ts";
import { beginSyncPass, commitSyncPage, recordSyncError } from "./sync-cursor.ts";
import { upsertSurveyQuestions } from "./upsert-survey-questions.ts";
import { upsertSurveyResponses } from "./upsert-survey-responses.ts";

export const FAIRING_RESPONSES = "fairing:responses";
export const FAIRING_BACKFILL = "fairing:backfill";
/** Re-read this much before the watermark: late-visible writes and clock skew land inside it. */
export const DEFAULT_OVERLAP_MS = 15 * 60_000;

export interface SyncProgress {
  /** This run. */
  pages: number;
  processed: number;
  inserted: number;
  updated: number;
  /** The whole pass so far, across resumed runs and chunks. */
  passPages: number;
  passRows: number;
}

export interface SyncOptions {
  /** `fairing:responses` (incremental from the watermark) or `fairing:backfill` (full history). */
  source?: typeof FAIRING_RESPONSES | typeof FAIRING_BACKFILL;
  overlapMs?: number;
  /** Stop after this many pages (a backfill chunk); the pass resumes on the next call. */
  maxPages?: number;
  onProgress?: (progress: SyncProgress) => void | Promise<void>;
  /** Client pacing and rate-limit bounds (benchmarks turn pacing off). */
  client?: FairingClientTuning;
}

/**
 * Whether Fairing refused a page link itself (expired or unknown cursor) rather than our key or its
 * availability. Unconfirmed (community-sourced API): we assume `next` links are `starting_after`
 * cursors that do not expire, and treat 400/404/410 on a stored link as "expired" to be safe.
 */
function isRefusedLink(err: unknown): boolean {
  const status = err instanceof AppError ? Number(err.context.status) : Number.NaN;
  return !(err as AppError).reauthRequired && [400, 404, 410].includes(status);
}

export type SyncOutcome = "synced" | "partial" | "credential_refused" | "connection_inactive";
export interface SyncResult extends SyncProgress {
  outcome: SyncOutcome;
  tenantId: string;
  source: string;
  resumed: boolean;
  passStartedAt: string | null;
  cursor: string | null;
}

/**
 * Imports a tenant's Fairing responses into `survey_responses`. Each page is upserted and the
 * cursor advanced in one tenant transaction, so a crash after page k resumes at page k+1 with
 * nothing lost or doubled; edited answers come back through `updated_at_min`. A refused key marks
 * the connection through the status machine and ends the sync without retries; other failures
 * are recorded in the sync status and rethrown for the task's retry policy.
 */
export async function syncFairingResponses(
  deps: SurveyDeps,
  tenantId: string,
  options: SyncOptions = {},
): Promise<SyncResult> {
  const key = { tenantId, source: options.source ?? FAIRING_RESPONSES };
  const progress: SyncProgress = {
    pages: 0,
    processed: 0,
    inserted: 0,
    updated: 0,
    passPages: 0,
    passRows: 0,
  };
  let pass: Awaited<ReturnType<typeof beginSyncPass>> | undefined;
  const result = (outcome: SyncOutcome, cursor: Date | null): SyncResult => ({
    outcome,
    tenantId,
    source: key.source,
    resumed: pass?.resumed ?? false,
    passStartedAt: pass?.startedAt.toISOString() ?? null,
    cursor: cursor?.toISOString() ?? null,
    ...progress,
  });
  let client: Awaited<ReturnType<typeof fairingClientFor>>;
  try {
    client = await fairingClientFor(deps, tenantId, options.client);
  } catch (err) {
    if (err instanceof AppError && err.code === "connection_inactive")
      return result("connection_inactive", null);
    throw err;
  }
  pass = await withTenant(deps.db, tenantId, (tx) =>
    beginSyncPass(tx, key, {
      full: key.source === FAIRING_BACKFILL,
      overlapMs: options.overlapMs ?? DEFAULT_OVERLAP_MS,
      now: deps.clock.now(),
    }),
  );
  let cursor = pass.cursor;
  progress.passPages = pass.passPages;
  progress.passRows = pass.passRows;
  try {
    const questions = await client.questions();
    await withTenant(deps.db, tenantId, (tx) => upsertSurveyQuestions(tx, tenantId, questions));
    const restartUrl = client.responsesUrl({ updatedAtMin: pass.passFrom });
    let url: string | null = pass.resumeUrl ?? restartUrl;
    let resuming = Boolean(pass.resumeUrl);
    while (url) {
      if (options.maxPages !== undefined && progress.pages >= options.maxPages) {
        return result("partial", cursor);
      }
      let page: Awaited<ReturnType<typeof client.responsePage>>;
      try {
        page = await client.responsePage(url);
      } catch (err) {
        if (!resuming || !isRefusedLink(err)) throw err;
        // The stored `next` link no longer works: the pass starts again from its lower bound.
        // Upserts skip unchanged rows, so re-reading the pages already stored writes nothing.
        deps.logger.warn("Fairing refused a stored next link; restarting the sync pass", { tenantId });
        url = restartUrl;
        resuming = false;
        continue;
      }
      resuming = false;
      const rows = page.data.map((r) => surveyResponseRow(tenantId, r));
      const maxUpdatedAt = rows.reduce<Date | null>(
        (max, r) => (max && max >= r.sourceUpdatedAt ? max : r.sourceUpdatedAt),
        null,
      );
      const counts = await withTenant(deps.db, tenantId, async (tx) => {
        const written = await upsertSurveyResponses(tx, rows);
        cursor = (
          await commitSyncPage(tx, key, { next: page.next, maxUpdatedAt, rows: rows.length, counts: written })
        ).cursor;
        return written;
      });
      progress.pages++;
      progress.processed += rows.length;
      progress.inserted += counts.inserted;
      progress.updated += counts.updated;
      progress.passPages++;
      progress.passRows += rows.length;
      await options.onProgress?.({ ...progress });
      url = page.next;
    }
    return result("synced", cursor);
  } catch (err) {
    const reason = err instanceof AppError ? `${err.code}: ${err.message}` : describeError(err).message;
    await recordSyncError(deps.db, key, reason);
    if (err instanceof AppError && err.reauthRequired) {
      await markCredentialRefused(deps, { tenantId, provider: "fairing", reason });
      return result("credential_refused", cursor);
    }
    throw err;
  }
}
