import { sql } from "drizzle-orm";
import type { HealthState } from "../../db/schema.ts";
import { type Db, rowsOf } from "../db/types.ts";
import { logger } from "../observability/logger.ts";
import { findProvider } from "../providers/catalog.ts";
import type { CatalogEntry } from "../providers/catalog-types.ts";
import { judgePlatformHealth, type PlatformHealthState } from "./judge-platform-health.ts";
import { platformCredentialProviders, platformCredentialVariables } from "./platform-credential-providers.ts";
import { type ProbeDeps, type ProbeResult, probeConnection } from "./probe-connection.ts";

export interface PlatformCheckSummary {
  provider: string;
  healthState: HealthState;
  /** The notice this check sent: `failing`, `ok` (recovered), or none. */
  notified: "failing" | "ok" | undefined;
}

interface HealthRow {
  provider: string;
  health_state: HealthState;
  consecutive_failures: number;
  failing_since: Date | string | null;
  window_started_at: Date | string | null;
  window_checks: number;
  window_failures: number;
  last_error: string | null;
  last_error_class: string | null;
  /** `updated_at` as text: microseconds intact for the compare-and-set (a Date keeps milliseconds). */
  stamp: string;
}

const date = (v: Date | string | null) => (v === null ? null : new Date(v));

function stateOf(row: HealthRow): PlatformHealthState {
  return {
    healthState: row.health_state,
    consecutiveFailures: row.consecutive_failures,
    failingSince: date(row.failing_since),
    windowStartedAt: date(row.window_started_at),
    windowChecks: row.window_checks,
    windowFailures: row.window_failures,
    lastError: row.last_error,
    lastErrorClass: row.last_error_class,
  };
}

async function readRow(db: Db, provider: string): Promise<HealthRow> {
  await db.execute(sql`insert into platform_credential_health (provider) values (${provider})
    on conflict (provider) do nothing`);
  const [row] = rowsOf<HealthRow>(
    await db.execute(sql`select *, updated_at::text as stamp from platform_credential_health
      where provider = ${provider}`),
  );
  return row!;
}

/**
 * Stores one probe's judgement and its check row in one statement, by compare-and-set on
 * `updated_at`: a concurrent sweep that wrote first makes this one judge again from what it
 * wrote, so two overlapping sweeps never lose a failure or double a transition.
 */
async function record(
  db: Db,
  provider: string,
  probe: ProbeResult,
): Promise<{ healthState: HealthState; alert: "ok" | "failing" | undefined }> {
  for (let attempt = 0; ; attempt++) {
    const row = await readRow(db, provider);
    const { next, outcome, alert } = judgePlatformHealth(stateOf(row), probe, new Date());
    const written = rowsOf(
      await db.execute(sql`with u as (
          update platform_credential_health set
            health_state = ${next.healthState},
            state_changed_at = case when health_state <> ${next.healthState} then now() else state_changed_at end,
            consecutive_failures = ${next.consecutiveFailures},
            failing_since = ${next.failingSince?.toISOString() ?? null}::timestamptz,
            window_started_at = ${next.windowStartedAt?.toISOString() ?? null}::timestamptz,
            window_checks = ${next.windowChecks},
            window_failures = ${next.windowFailures},
            last_checked_at = now(),
            last_latency_ms = ${Math.round(probe.latencyMs)},
            last_http_status = ${probe.httpStatus ?? null}::int,
            last_error = ${next.lastError},
            last_error_class = ${next.lastErrorClass},
            updated_at = clock_timestamp()
          where provider = ${provider} and updated_at = ${row.stamp}::timestamptz
          returning provider)
        insert into platform_credential_checks (provider, outcome, latency_ms, http_status, error_class, error)
        select provider, ${outcome}, ${Math.round(probe.latencyMs)}, ${probe.httpStatus ?? null}::int,
          ${probe.failure?.failureClass ?? null}, ${probe.ok ? (probe.warning ?? null) : (probe.failure?.reason ?? null)}
        from u returning provider`),
    );
    if (written.length > 0) return { healthState: next.healthState, alert };
    if (attempt >= 4)
      throw new Error(`platform credential health of ${provider} kept changing under this sweep`);
  }
}

function alertText(entry: CatalogEntry, level: "ok" | "failing", row: HealthRow): string {
  if (level === "ok") return `:white_check_mark: ${entry.name}: the platform credential works again.`;
  const refused = row.last_error_class === "auth" || row.last_error_class === "permission";
  const check = refused ? ` Check ${platformCredentialVariables(entry).join(" and ")}.` : "";
  return `:rotating_light: ${entry.name}: the platform credential is failing [${row.last_error_class ?? "unknown"}] (${row.last_error ?? "no detail"}).${check}`;
}

/**
 * One notice per change of alert level (failing, or ok again), told to the platform's channels
 * (Slack, Sentry, a Better Stack incident that the recovery resolves). The level is claimed by
 * compare-and-set on `notified_state` before sending, so overlapping sweeps tell it once; a send
 * that fails gives the claim back and the next sweep tries again.
 */
async function tell(deps: ProbeDeps, entry: CatalogEntry, level: "ok" | "failing" | undefined) {
  if (!level) return undefined;
  const told = level === "failing" ? "ok" : "failing";
  const [claimed] = rowsOf<HealthRow & { incident_id: string | null }>(
    await deps.db.execute(sql`update platform_credential_health set notified_state = ${level}
      where provider = ${entry.id} and notified_state = ${told} returning *`),
  );
  if (!claimed || !deps.notifier.alertPlatform) return undefined;
  try {
    const { incidentId } = await deps.notifier.alertPlatform({
      key: `platform-credential:${entry.id}`,
      provider: entry.id,
      state: level,
      text: alertText(entry, level, claimed),
      incidentId: claimed.incident_id,
    });
    await deps.db.execute(sql`update platform_credential_health set incident_id = ${incidentId ?? null}
      where provider = ${entry.id}`);
    return level;
  } catch (err) {
    logger.error("could not tell a platform credential's health; the next sweep retries", {
      provider: entry.id,
      err,
    });
    await deps.db.execute(sql`update platform_credential_health set notified_state = ${told}
      where provider = ${entry.id} and notified_state = ${level}`);
    return undefined;
  }
}

/**
 * Forgets the credentials no longer configured (their variables were removed): a row would
 * otherwise show its last state forever. One that was told failing is closed first (a notice and
 * its incident resolved); when that send fails, the row stays for the next sweep to try again.
 */
async function forgetUnconfigured(deps: ProbeDeps, configured: string[]): Promise<string[]> {
  const stale = rowsOf<{ provider: string; notified_state: string; incident_id: string | null }>(
    await deps.db.execute(sql`select provider, notified_state, incident_id from platform_credential_health
      where provider <> all(${`{${configured.join(",")}}`}::text[])`),
  );
  const forgotten: string[] = [];
  for (const row of stale) {
    if (row.notified_state === "failing" && deps.notifier.alertPlatform) {
      const name = findProvider(row.provider)?.name ?? row.provider;
      try {
        await deps.notifier.alertPlatform({
          key: `platform-credential:${row.provider}`,
          provider: row.provider,
          state: "ok",
          text: `:information_source: ${name}: the platform credential is no longer configured; its alert is closed.`,
          incidentId: row.incident_id,
        });
      } catch (err) {
        logger.error("could not close a removed platform credential's alert; the next sweep retries", {
          provider: row.provider,
          err,
        });
        continue;
      }
    }
    await deps.db.execute(sql`delete from platform_credential_health where provider = ${row.provider}`);
    forgotten.push(row.provider);
  }
  return forgotten;
}

/**
 * Probes every configured platform credential (they have no connection row: STRIPE_API_KEY,
 * PLAID_*, PAYPAL_*, a platform ElevenLabs key…) with the connections' probe and failure
 * classes, through the credential resolver and the provider HTTP client; records each result in
 * `platform_credential_health` and `platform_credential_checks` (as the owner: platform rows,
 * not tenant data) and tells each change of alert level once. Rows of credentials no longer
 * configured are dropped (a failing one's alert closed first). Never throws for a provider's
 * failure; a database failure fails the sweep.
 */
export async function checkPlatformCredentials(deps: ProbeDeps): Promise<PlatformCheckSummary[]> {
  const entries = platformCredentialProviders(deps.env);
  const probes = await Promise.all(
    entries.map((entry) =>
      probeConnection(deps, {
        id: `platform:${entry.id}`,
        tenantId: "",
        provider: entry.id,
        credentials: {},
        metadata: {},
        tokenExpiresAt: null,
        platform: true,
      }),
    ),
  );
  await forgetUnconfigured(
    deps,
    entries.map((e) => e.id),
  );
  const summaries: PlatformCheckSummary[] = [];
  for (const [i, entry] of entries.entries()) {
    const probe = probes[i]!;
    const { healthState, alert } = await record(deps.db, entry.id, probe);
    summaries.push({ provider: entry.id, healthState, notified: await tell(deps, entry, alert) });
  }
  return summaries;
}
