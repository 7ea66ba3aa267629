import { and, asc, desc, eq, inArray, type SQL } from "drizzle-orm";
import { connectionHealthChecks, connectionTransitions, integrationConnections } from "../../db/schema.ts";
import type { Db, Tx } from "../db/types.ts";
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
  const ids = list.map((c) => c.id);
  const checks = await tx
    .select()
    .from(connectionHealthChecks)
    .where(inArray(connectionHealthChecks.connectionId, ids))
    .orderBy(desc(connectionHealthChecks.checkedAt))
    .limit(history * ids.length);
  const transitions = await tx
    .select()
    .from(connectionTransitions)
    .where(inArray(connectionTransitions.connectionId, ids))
    .orderBy(desc(connectionTransitions.createdAt))
    .limit(history * ids.length);
  for (const c of list) {
    c.checks = checks
      .filter((k) => k.connectionId === c.id)
      .slice(0, history)
      .map((k) => ({
        checkedAt: k.checkedAt.toISOString(),
        outcome: k.outcome,
        latencyMs: k.latencyMs,
        httpStatus: k.httpStatus,
        errorClass: k.errorClass,
        error: k.error,
      }));
    c.transitions = transitions
      .filter((t) => t.connectionId === c.id)
      .slice(0, history)
      .map((t) => ({
        at: t.createdAt.toISOString(),
        kind: t.kind,
        from: t.fromStatus,
        to: t.toStatus,
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
