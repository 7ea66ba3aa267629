import type { Command } from "commander";
import type { ConnectionHealth } from "../../src/health/list-connection-health.ts";
import type { SurveySyncStatus } from "../../src/surveys/survey-sync-status.ts";
import { requireId } from "./ids.ts";
import { emit, table } from "./output.ts";
import { withDb } from "./with-db.ts";

function rowsForPeople(list: ConnectionHealth[]): object[] {
  return list.map((c) => ({
    id: c.id,
    tenantId: c.tenantId,
    provider: c.provider,
    status: c.status,
    health: c.healthState,
    lastCheckedAt: c.lastCheckedAt ?? "never",
    latencyMs: c.lastLatencyMs ?? "-",
    failures: c.consecutiveFailures,
    errorRate: c.errorRate === null ? "-" : `${(c.errorRate * 100).toFixed(1)}%`,
    lastError: c.lastError
      ? `${c.lastErrorClass ? `[${c.lastErrorClass}] ` : ""}${c.lastError}`.slice(0, 120)
      : "",
  }));
}

function syncRowsForPeople(list: SurveySyncStatus[]): object[] {
  return list.map((s) => ({
    tenantId: s.tenantId,
    source: s.source,
    lastRunAt: s.lastRunAt ?? "never",
    lagSeconds: s.lagSeconds ?? "-",
    lastRunRows: s.lastRunRows,
    responses: s.responses,
    lastError: s.lastError?.slice(0, 120) ?? "",
  }));
}

export function registerHealthCommand(program: Command): void {
  program
    .command("health")
    .description(
      "each connection's health (status, last check, latency, consecutive failures, last error) and each survey sync's last run, lag and rows",
    )
    .option("--tenant <tenantId>", "only this tenant's connections")
    .option("--history <n>", "with --json: the newest n checks and transitions of each connection", "0")
    .option(
      "--json",
      "print JSON ({ connections: [...], surveySyncs: [...] }; connections as GET /health/connections)",
    )
    .action(async (opts: { tenant?: string; history: string; json?: boolean }) => {
      const tenantId = opts.tenant ? requireId(opts.tenant, "tenant", "switchboard tenants list") : undefined;
      const history = Math.max(0, Math.min(Number.parseInt(opts.history, 10) || 0, 100));
      const [{ listConnectionHealth }, { surveySyncStatus }] = await Promise.all([
        import("../../src/health/list-connection-health.ts"),
        import("../../src/surveys/survey-sync-status.ts"),
      ]);
      const { connections, surveySyncs } = await withDb(async (h) => ({
        connections: await listConnectionHealth(h.db, { tenantId, history }),
        surveySyncs: await surveySyncStatus(h.db, tenantId),
      }));
      emit(opts.json, { connections, surveySyncs }, () =>
        [
          connections.length === 0
            ? "(no connections)"
            : table(rowsForPeople(connections), [
                "id",
                "tenantId",
                "provider",
                "status",
                "health",
                "lastCheckedAt",
                "latencyMs",
                "failures",
                "errorRate",
                "lastError",
              ]),
          ...(surveySyncs.length === 0
            ? []
            : [
                "",
                "Survey syncs (Fairing): last run, lag since the last complete pass, rows",
                table(syncRowsForPeople(surveySyncs), [
                  "tenantId",
                  "source",
                  "lastRunAt",
                  "lagSeconds",
                  "lastRunRows",
                  "responses",
                  "lastError",
                ]),
              ]),
        ].join("\n"),
      );
    });
}
