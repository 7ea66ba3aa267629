import { sql } from "drizzle-orm";
import pLimit from "p-limit";
import {
  applyConnectionSignals,
  type ConnectionSignal,
  type SignalResult,
} from "../connections/apply-connection-signals.ts";
import { rowsOf } from "../db/types.ts";
import { logger } from "../observability/logger.ts";
import { alertProviderOutages } from "./alert-provider-outages.ts";
import { type ProbeDeps, type ProbeResult, type ProbeTarget, probeConnection } from "./probe-connection.ts";

/** Probes of one chunk in flight at once (the provider queue bounds chunks in flight). */
export const PROBE_CONCURRENCY = 20;

export interface CheckSummary {
  checked: number;
  ok: number;
  failed: number;
  transitions: number;
}

interface TargetRow {
  id: string;
  tenant_id: string;
  provider: string;
  credentials: Record<string, string>;
  metadata: Record<string, unknown>;
  token_expires_at: Date | string | null;
}

function signalOf(result: ProbeResult): ConnectionSignal {
  return {
    connectionId: result.connectionId,
    source: "health",
    ok: result.ok,
    latencyMs: result.latencyMs,
    ...(result.httpStatus === undefined ? {} : { httpStatus: result.httpStatus }),
    ...(result.failure ? { failureClass: result.failure.failureClass, reason: result.failure.reason } : {}),
    ...(result.warning ? { warning: result.warning } : {}),
  };
}

/**
 * Probes a chunk of connections (one child run of the health sweep) and records every result
 * with one statement: the connections are read in one statement and the results written in
 * another, across tenants on purpose (docs/decisions/022). Then the alert policy: transitions
 * caused by the provider being down or throttling are one provider-wide alert; the others
 * (auth, permission, configuration, slow, error rate, recovery) are told per connection.
 */
export async function checkConnections(
  deps: ProbeDeps,
  connectionIds: readonly string[],
  options: { concurrency?: number; onProgress?: (done: number) => void } = {},
): Promise<CheckSummary> {
  if (connectionIds.length === 0) return { checked: 0, ok: 0, failed: 0, transitions: 0 };
  const rows = rowsOf<TargetRow>(
    await deps.db.execute(sql`select id, tenant_id, provider, credentials, metadata, token_expires_at
      from integration_connections
      where id in (select unnest(${`{${connectionIds.join(",")}}`}::uuid[])) and status in ('active', 'error')`),
  );
  const limit = pLimit(options.concurrency ?? PROBE_CONCURRENCY);
  let done = 0;
  const probes = await Promise.all(
    rows.map((row) =>
      limit(async () => {
        const target: ProbeTarget = {
          id: row.id,
          tenantId: row.tenant_id,
          provider: row.provider,
          credentials: row.credentials,
          metadata: row.metadata,
          tokenExpiresAt: row.token_expires_at === null ? null : new Date(row.token_expires_at),
        };
        const result = await probeConnection(deps, target);
        options.onProgress?.(++done);
        return result;
      }),
    ),
  );
  const results = await applyConnectionSignals(deps, probes.map(signalOf), { notify: false });
  await tell(deps, probes, results);
  const ok = probes.filter((p) => p.ok).length;
  return {
    checked: probes.length,
    ok,
    failed: probes.length - ok,
    transitions: results.filter((r) => r.transition).length,
  };
}

async function tell(deps: ProbeDeps, probes: ProbeResult[], results: SignalResult[]): Promise<void> {
  const classOf = new Map(probes.map((p) => [p.connectionId, p.failure?.failureClass]));
  const outage = results.filter((r) => {
    const cls = classOf.get(r.connectionId);
    return r.transition?.kind === "health" && (cls === "provider_down" || cls === "rate_limited");
  });
  const grouped = await alertProviderOutages(deps, probes, results, outage);
  for (const result of results) {
    if (!result.transition || grouped.has(result.transition.id)) continue;
    await deps.notifier.notify(result.transition);
  }
  if (outage.length) logger.info("health transitions grouped into provider alerts", { count: outage.length });
}
