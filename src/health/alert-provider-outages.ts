import { sql } from "drizzle-orm";
import type { SignalResult } from "../connections/apply-connection-signals.ts";
import type { Notifier } from "../connections/connection-notifier.ts";
import { type Db, rowsOf } from "../db/types.ts";
import { logger } from "../observability/logger.ts";
import { findProvider } from "../providers/catalog.ts";
import type { ProbeResult } from "./probe-connection.ts";

/** A recovery another chunk already announced this recently is not announced again. */
const RECENT_RECOVERY = "15 minutes";

async function markNotified(db: Db, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.execute(sql`update connection_transitions set notified_at = now()
    where id in (select unnest(${`{${ids.join(",")}}`}::uuid[]))`);
}

async function announceOutage(
  deps: { db: Db; notifier: Notifier },
  provider: string,
  count: number,
  reason: string,
): Promise<boolean> {
  const name = findProvider(provider)?.name ?? provider;
  const won = rowsOf(
    await deps.db.execute(sql`insert into provider_alerts (provider, state, reason, changed_at)
      values (${provider}, 'failing', ${reason}, now())
      on conflict (provider) do update set state = 'failing', reason = excluded.reason, incident_id = null,
        changed_at = now()
      where provider_alerts.state <> 'failing'
      returning provider`),
  );
  if (won.length === 0) return true; // Already announced by another chunk or an earlier sweep.
  const text = `:rotating_light: ${name} looks down: health checks of ${count} connection(s) failing (${reason}).`;
  const { incidentId } = (await deps.notifier.alertPlatform?.({
    key: `provider:${provider}`,
    provider,
    state: "failing",
    text,
  })) ?? { incidentId: undefined };
  if (incidentId) {
    await deps.db.execute(
      sql`update provider_alerts set incident_id = ${incidentId} where provider = ${provider}`,
    );
  }
  return true;
}

async function announceRecovery(deps: { db: Db; notifier: Notifier }, provider: string): Promise<boolean> {
  const [flipped] = rowsOf<{ incident_id: string | null }>(
    await deps.db.execute(sql`update provider_alerts set state = 'ok', changed_at = now()
      where provider = ${provider} and state = 'failing' returning incident_id`),
  );
  if (!flipped) {
    const recent = rowsOf(
      await deps.db.execute(sql`select 1 from provider_alerts where provider = ${provider} and state = 'ok'
        and changed_at > now() - ${RECENT_RECOVERY}::interval`),
    );
    return recent.length > 0;
  }
  const name = findProvider(provider)?.name ?? provider;
  await deps.notifier.alertPlatform?.({
    key: `provider:${provider}`,
    provider,
    state: "ok",
    text: `:white_check_mark: ${name} is answering health checks again.`,
    incidentId: flipped.incident_id,
  });
  return true;
}

/**
 * The provider-wide half of the alert policy: when probes fail because the provider is down,
 * the many connections it affects raise one alert (a compare-and-set on `provider_alerts`), and
 * the provider's return one recovery notice. Returns the transitions told this way (marked
 * notified); a send that fails leaves them to be told one by one.
 */
export async function alertProviderOutages(
  deps: { db: Db; notifier: Notifier },
  probes: ProbeResult[],
  results: SignalResult[],
  outage: SignalResult[],
): Promise<Set<string>> {
  const handled = new Set<string>();
  const providers = new Set(results.map((r) => r.provider));
  const probeOf = new Map(probes.map((p) => [p.connectionId, p]));
  for (const provider of providers) {
    const mine = results.filter((r) => r.provider === provider);
    const failing = outage.filter((r) => r.provider === provider && r.transition?.toStatus === "failing");
    const recovered = mine.filter(
      (r) =>
        r.transition?.kind === "health" &&
        r.transition.toStatus === "ok" &&
        r.transition.fromStatus === "failing" &&
        r.previousFailureClass === "provider_down",
    );
    const down = mine.some((r) => probeOf.get(r.connectionId)?.failure?.failureClass === "provider_down");
    try {
      let told: SignalResult[] = [];
      if (failing.length > 0) {
        const reason = failing[0]!.transition!.reason ?? "provider unavailable";
        if (await announceOutage(deps, provider, failing.length, reason)) told = failing;
      } else if (!down && recovered.length > 0 && (await announceRecovery(deps, provider))) {
        told = recovered;
      }
      const ids = told.map((r) => r.transition!.id);
      await markNotified(deps.db, ids);
      for (const id of ids) handled.add(id);
    } catch (err) {
      logger.error("could not send a provider alert; its transitions are told one by one", { provider, err });
    }
  }
  return handled;
}
