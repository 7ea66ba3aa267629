import { and, asc, eq, type SQL, sql } from "drizzle-orm";
import { integrationConnections } from "../../db/schema.ts";
import { type Db, rowsOf, type Tx } from "../db/types.ts";
import { withTenant } from "../db/with-tenant.ts";

export interface ConnectionHealth {
  id: string;
  tenantId: string;
  provider: string;
  status: string;
  healthState: string;
  lastCheckedAt: string | null;
  lastLatencyMs: number | null;
  consecutiveFailures: number;
  refreshFailures: number;
  /** Failed probes / probes in the current one-hour window (null before the first probe). */
  errorRate: number | null;
  lastError: string | null;
  lastErrorClass: string | null;
  failingSince: string | null;
  statusChangedAt: string | null;
  /** With `history`: the newest checks and transitions, newest first (the dashboard's timeline). */
  checks?: {
    checkedAt: string;
    outcome: string;
    latencyMs: number | null;
    httpStatus: number | null;
    errorClass: string | null;
    error: string | null;
  }[];
  transitions?: { at: string; kind: string; from: string; to: string; reason: string | null }[];
}

interface CheckRow {
  connection_id: string;
  checked_at: Date | string;
  outcome: string;
  latency_ms: number | null;
  http_status: number | null;
  error_class: string | null;
  error: string | null;
}

interface TransitionRow {
  connection_id: string;
  created_at: Date | string;
  kind: string;
  from_status: string;
  to_status: string;
  reason: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

async function read(tx: Db | Tx, where: SQL | undefined, history: number): Promise<ConnectionHealth[]> {
  const rows = await tx
    .select()
    .from(integrationConnections)
    .where(where)
    .orderBy(asc(integrationConnections.tenantId), asc(integrationConnections.provider));
  const list: ConnectionHealth[] = rows.map((r) => ({
    id: r.id,
    tenantId: r.tenantId,
    provider: r.provider,
    status: r.status,
    healthState: r.healthState,
    lastCheckedAt: iso(r.lastCheckedAt),
    lastLatencyMs: r.lastLatencyMs,
    consecutiveFailures: r.healthFailures,
    refreshFailures: r.refreshFailures,
    errorRate: r.healthWindowChecks > 0 ? r.healthWindowFailures / r.healthWindowChecks : null,
    lastError: r.lastError,
    lastErrorClass: r.healthErrorClass,
    failingSince: iso(r.failingSince),
    statusChangedAt: iso(r.statusChangedAt),
  }));
  if (history <= 0 || list.length === 0) return list;
  const ids = `{${list.map((c) => c.id).join(",")}}`;
  // The newest `history` rows of each connection (not of all of them together).
  const checks = rowsOf<CheckRow>(
    await tx.execute(sql`select * from (select k.*, row_number() over
        (partition by k.connection_id order by k.checked_at desc) as rank
      from connection_health_checks k where k.connection_id in (select unnest(${ids}::uuid[]))) r
      where rank <= ${history} order by checked_at desc`),
  );
  const transitions = rowsOf<TransitionRow>(
    await tx.execute(sql`select * from (select t.*, row_number() over
        (partition by t.connection_id order by t.created_at desc) as rank
      from connection_transitions t where t.connection_id in (select unnest(${ids}::uuid[]))) r
      where rank <= ${history} order by created_at desc`),
  );
  const at = (v: Date | string) => new Date(v).toISOString();
  for (const c of list) {
    c.checks = checks
      .filter((k) => k.connection_id === c.id)
      .map((k) => ({
        checkedAt: at(k.checked_at),
        outcome: k.outcome,
        latencyMs: k.latency_ms,
        httpStatus: k.http_status,
        errorClass: k.error_class,
        error: k.error,
      }));
    c.transitions = transitions
      .filter((t) => t.connection_id === c.id)
      .map((t) => ({
        at: at(t.created_at),
        kind: t.kind,
        from: t.from_status,
        to: t.to_status,
        reason: t.reason,
      }));
  }
  return list;
}

/**
 * Each connection's health: status, health state, last check, latency, consecutive failures,
 * hourly error rate and last error; with `history`, its newest checks and transitions. One
 * tenant's under `withTenant`; every tenant's without one (the operator view, across tenants on
 * purpose).
 */
export async function listConnectionHealth(
  db: Db,
  options: { tenantId?: string | undefined; history?: number } = {},
): Promise<ConnectionHealth[]> {
  const history = Math.max(0, Math.min(options.history ?? 0, 100));
  const { tenantId } = options;
  if (!tenantId) return read(db, undefined, history);
  return withTenant(db, tenantId, (tx) =>
    read(tx, and(eq(integrationConnections.tenantId, tenantId)), history),
  );
}
