import { asc, sql } from "drizzle-orm";
import { platformCredentialHealth } from "../../db/schema.ts";
import { type Db, rowsOf } from "../db/types.ts";
import { findProvider } from "../providers/catalog.ts";

/** The health of one platform credential (a provider's `<ID>_*` variables), as the sweep last saw it. */
export interface PlatformCredentialHealth {
  provider: string;
  name: string;
  healthState: string;
  lastCheckedAt: string | null;
  lastLatencyMs: number | null;
  lastHttpStatus: number | null;
  consecutiveFailures: number;
  /** Failed probes / probes in the current one-hour window (null before the first probe). */
  errorRate: number | null;
  lastError: string | null;
  lastErrorClass: string | null;
  failingSince: string | null;
  stateChangedAt: string | null;
  /** With `history`: the newest checks, newest first. */
  checks?: {
    checkedAt: string;
    outcome: string;
    latencyMs: number | null;
    httpStatus: number | null;
    errorClass: string | null;
    error: string | null;
  }[];
}

interface CheckRow {
  provider: string;
  checked_at: Date | string;
  outcome: string;
  latency_ms: number | null;
  http_status: number | null;
  error_class: string | null;
  error: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * Every platform credential's health (the operator view: platform rows, not tenant data, read as
 * the owner), with its newest `history` checks when asked.
 */
export async function listPlatformCredentialHealth(
  db: Db,
  options: { history?: number } = {},
): Promise<PlatformCredentialHealth[]> {
  const history = Math.max(0, Math.min(options.history ?? 0, 100));
  const rows = await db
    .select()
    .from(platformCredentialHealth)
    .orderBy(asc(platformCredentialHealth.provider));
  const list: PlatformCredentialHealth[] = rows.map((r) => ({
    provider: r.provider,
    name: findProvider(r.provider)?.name ?? r.provider,
    healthState: r.healthState,
    lastCheckedAt: iso(r.lastCheckedAt),
    lastLatencyMs: r.lastLatencyMs,
    lastHttpStatus: r.lastHttpStatus,
    consecutiveFailures: r.consecutiveFailures,
    errorRate: r.windowChecks > 0 ? r.windowFailures / r.windowChecks : null,
    lastError: r.lastError,
    lastErrorClass: r.lastErrorClass,
    failingSince: iso(r.failingSince),
    stateChangedAt: iso(r.stateChangedAt),
  }));
  if (history <= 0 || list.length === 0) return list;
  const checks = rowsOf<CheckRow>(
    await db.execute(sql`select * from (select k.*, row_number() over
        (partition by k.provider order by k.checked_at desc) as rank
      from platform_credential_checks k) r
      where rank <= ${history} order by checked_at desc`),
  );
  for (const p of list) {
    p.checks = checks
      .filter((k) => k.provider === p.provider)
      .map((k) => ({
        checkedAt: new Date(k.checked_at).toISOString(),
        outcome: k.outcome,
        latencyMs: k.latency_ms,
        httpStatus: k.http_status,
        errorClass: k.error_class,
        error: k.error,
      }));
  }
  return list;
}
