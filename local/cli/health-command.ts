import type { Command } from "commander";
import type { ConnectionHealth } from "../../src/health/list-connection-health.ts";
import type { PlatformCredentialHealth } from "../../src/health/list-platform-credential-health.ts";
import type { SurveySyncStatus } from "../../src/surveys/survey-sync-status.ts";
import { requireId } from "./ids.ts";
import { emit, table } from "./output.ts";
import { withDb } from "./with-db.ts";

type HealthColumns = Pick<
  PlatformCredentialHealth,
  "lastCheckedAt" | "lastLatencyMs" | "consecutiveFailures" | "errorRate" | "lastError" | "lastErrorClass"
>;

/** The health columns connections and platform credentials share, as people read them. */
function healthColumnsForPeople(h: HealthColumns): object {
  return {
    lastCheckedAt: h.lastCheckedAt ?? "never",
    latencyMs: h.lastLatencyMs ?? "-",
    failures: h.consecutiveFailures,
    errorRate: h.errorRate === null ? "-" : `${(h.errorRate * 100).toFixed(1)}%`,
    lastError: h.lastError
      ? `${h.lastErrorClass ? `[${h.lastErrorClass}] ` : ""}${h.lastError}`.slice(0, 120)
      : "",
  };
}

function rowsForPeople(list: ConnectionHealth[]): object[] {
  return list.map((c) => ({
    id: c.id,
    tenantId: c.tenantId,
    provider: c.provider,
    status: c.status,
    health: c.healthState,
    ...healthColumnsForPeople(c),
  }));
}

function platformRowsForPeople(list: PlatformCredentialHealth[]): object[] {
  return list.map((p) => ({ provider: p.provider, health: p.healthState, ...healthColumnsForPeople(p) }));
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
      "each connection's health (status, last check, latency, consecutive failures, last error), the platform credentials' health, and each survey sync's last run, lag and rows",
    )
    .option("--tenant <tenantId>", "only this tenant's connections")
    .option("--history <n>", "with --json: the newest n checks and transitions of each connection", "0")
    .option(
      "--json",
      "print JSON ({ connections, platformCredentials, surveySyncs }; as GET /health/connections)",
    )
    .action(async (opts: { tenant?: string; history: string; json?: boolean }) => {
      const tenantId = opts.tenant ? requireId(opts.tenant, "tenant", "switchboard tenants list") : undefined;
      const history = Math.max(0, Math.min(Number.parseInt(opts.history, 10) || 0, 100));
      const [{ listConnectionHealth }, { listPlatformCredentialHealth }, { surveySyncStatus }] =
        await Promise.all([
          import("../../src/health/list-connection-health.ts"),
          import("../../src/health/list-platform-credential-health.ts"),
          import("../../src/surveys/survey-sync-status.ts"),
        ]);
      const { connections, platformCredentials, surveySyncs } = await withDb(async (h) => ({
        connections: await listConnectionHealth(h.db, { tenantId, history }),
        // The platform's own credentials are no tenant's: shown in the operator view only.
        platformCredentials: tenantId ? [] : await listPlatformCredentialHealth(h.db, { history }),
        surveySyncs: await surveySyncStatus(h.db, tenantId),
      }));
      emit(opts.json, { connections, platformCredentials, surveySyncs }, () =>
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
          ...(platformCredentials.length === 0
            ? []
            : [
                "",
                "Platform credentials (STRIPE_API_KEY, PLAID_*, PAYPAL_*…), probed by every health sweep",
                table(platformRowsForPeople(platformCredentials), [
                  "provider",
                  "health",
                  "lastCheckedAt",
                  "latencyMs",
                  "failures",
                  "errorRate",
                  "lastError",
                ]),
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
