import { sql } from "drizzle-orm";
import { surveyResponses } from "../../db/schema.ts";
import type { Tx } from "../db/types.ts";
import type { SurveyResponseRow } from "./survey-response-row.ts";

export interface UpsertCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

const t = surveyResponses;
/** Columns an update copies from the incoming version (everything the source owns). */
const COPIED = [
  "questionId",
  "question",
  "answer",
  "otherText",
  "orderId",
  "orderNumber",
  "orderTotalMinor",
  "orderCurrency",
  "customerId",
  "email",
  "utmSource",
  "utmMedium",
  "utmCampaign",
  "utmContent",
  "utmTerm",
  "referrer",
  "landingPage",
  "sourceInsertedAt",
  "sourceUpdatedAt",
  "raw",
] as const;

/**
 * Writes a page of responses in one multi-row `INSERT … ON CONFLICT (tenant, provider, response
 * id) DO UPDATE`. An existing row changes only when the incoming version is at least as recent
 * (`source_updated_at`) and differs (`raw`), so re-reading an overlap costs no writes and an old
 * copy (a backfill racing an edit) never overwrites a newer one. Counts come from `xmax = 0`.
 */
export async function upsertSurveyResponses(tx: Tx, rows: SurveyResponseRow[]): Promise<UpsertCounts> {
  if (rows.length === 0) return { inserted: 0, updated: 0, unchanged: 0 };
  const excluded = (column: string) => sql.raw(`excluded.${column}`);
  const written = await tx
    .insert(t)
    .values(rows)
    .onConflictDoUpdate({
      target: [t.tenantId, t.provider, t.responseId],
      set: {
        ...Object.fromEntries(COPIED.map((key) => [key, excluded(t[key].name)])),
        updatedAt: sql`now()`,
      },
      setWhere: sql`${excluded("source_updated_at")} >= ${t.sourceUpdatedAt} and ${excluded("raw")} is distinct from ${t.raw}`,
    })
    .returning({ inserted: sql<boolean>`(xmax = 0)` });
  const inserted = written.filter((w) => w.inserted).length;
  return { inserted, updated: written.length - inserted, unchanged: rows.length - written.length };
}
