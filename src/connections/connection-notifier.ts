import { and, desc, eq, isNotNull, sql } from "drizzle-orm";
import { connectionTransitions, integrationConnections } from "../../db/schema.ts";
import type { KeyRing } from "../crypto/key-ring.ts";
import { type Db, rowsOf } from "../db/types.ts";
import { withTenant } from "../db/with-tenant.ts";
import { AppError } from "../errors.ts";
import type { IncidentClient } from "../observability/better-stack-incidents.ts";
import { logger } from "../observability/logger.ts";
import { findProvider } from "../providers/catalog.ts";
import type { ProviderHttpClient } from "../providers/provider-http-client.ts";
import { decryptCredentials } from "./credential-cipher.ts";
import type { Transition } from "./transition-connection.ts";

/** A platform-wide alert (a provider outage seen across tenants), not one tenant's connection. */
export interface PlatformAlert {
  /** What it is about (`provider:stripe`); tags the Sentry event. */
  key: string;
  provider: string;
  state: "failing" | "ok";
  text: string;
  /** The incident a `failing` alert opened, for its `ok` to resolve. */
  incidentId?: string | null;
}

export interface Notifier {
  /** Tells the connection's owner about one transition; marks it notified once sent. */
  notify(transition: Transition): Promise<boolean>;
  /**
   * Tells the platform's channel (ALERTS_SLACK_WEBHOOK_URL), Sentry and Better Stack about a
   * platform-wide alert. Throws when the send fails; returns the incident opened, if any.
   */
  alertPlatform?(alert: PlatformAlert): Promise<{ incidentId: string | undefined }>;
}

export interface NotifierDeps {
  db: Db;
  keyRing: KeyRing;
  /** Slack incoming-webhook posts go through the provider HTTP client (timeout, timing log). */
  http: ProviderHttpClient;
  /** Platform channel (ALERTS_SLACK_WEBHOOK_URL) when the tenant has no Slack alert channel. */
  platformSlackWebhookUrl?: string | undefined;
  /** Better Stack incidents (when BETTER_STACK_API_TOKEN is set): opened for `error` and health `failing`. */
  incidents?: IncidentClient | undefined;
  /** Error tracking (Sentry in Node processes); injected so this module stays edge-safe. */
  capture?: (err: unknown, tags: { tenantId: string; provider: string }) => Promise<unknown>;
}

function healthMessage(t: Transition, name: string): string {
  if (t.toStatus === "ok") return `:white_check_mark: ${name} is healthy again (was ${t.fromStatus}).`;
  if (t.toStatus === "degraded") return `:warning: ${name} is degraded: ${t.reason ?? "slow or erratic"}.`;
  return `:rotating_light: ${name} health checks are failing (${t.reason ?? "unknown error"}).`;
}

/**
 * A Slack incoming-webhook body. Notices quote provider error text, which a hostile provider
 * controls: `&`, `<` and `>` are escaped (Slack's rule) so it cannot mention `<!channel>`, plant a
 * `<https://…|link>` or a user mention; emoji codes and plain text are unchanged.
 */
export function slackBody(text: string): string {
  const escaped = text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return JSON.stringify({ text: escaped });
}

/** The one-line notice of a transition (Slack text; Sentry message). */
export function transitionMessage(t: Transition): string {
  const name = findProvider(t.provider)?.name ?? t.provider;
  if (t.kind === "health") return healthMessage(t, name);
  if (t.toStatus === "active") return `:white_check_mark: ${name} is connected again (was ${t.fromStatus}).`;
  if (t.toStatus === "expired") {
    return `:warning: ${name} access expired or was revoked (${t.reason ?? "no reason given"}). Reconnect ${name} to resume.`;
  }
  if (t.toStatus === "disconnected") {
    return `:no_entry: ${name} was disconnected (${t.reason ?? "no reason given"}). Reconnect ${name} to resume.`;
  }
  return `:rotating_light: ${name} keeps failing (${t.reason ?? "unknown error"}); Switchboard marked it as errored and keeps retrying.`;
}

/** The tenant's own Slack alert channel: the incoming webhook of its active Slack connection. */
async function tenantChannel(deps: NotifierDeps, tenantId: string): Promise<string | undefined> {
  const [slack] = await withTenant(deps.db, tenantId, (tx) =>
    tx
      .select()
      .from(integrationConnections)
      .where(
        and(
          eq(integrationConnections.tenantId, tenantId),
          eq(integrationConnections.provider, "slack"),
          eq(integrationConnections.status, "active"),
        ),
      ),
  );
  if (!slack?.credentials.incoming_webhook_url) return undefined;
  const plain = await decryptCredentials(deps.keyRing, slack, {
    incoming_webhook_url: slack.credentials.incoming_webhook_url,
  });
  return plain.incoming_webhook_url;
}

/** Transitions the platform must act on open an incident; a recovery resolves the last one. */
async function pageOnCall(deps: NotifierDeps, t: Transition): Promise<string | undefined> {
  if (!deps.incidents) return undefined;
  if (t.toStatus === "error" || t.toStatus === "failing") {
    const name = findProvider(t.provider)?.name ?? t.provider;
    return deps.incidents.open({
      name: `${name} connection ${t.toStatus}`,
      summary: transitionMessage(t),
      description: `tenant ${t.tenantId}, connection ${t.connectionId}`,
    });
  }
  if (t.toStatus === "active" || t.toStatus === "ok") {
    const [open] = await withTenant(deps.db, t.tenantId, (tx) =>
      tx
        .select({ incidentId: connectionTransitions.incidentId })
        .from(connectionTransitions)
        .where(
          and(
            eq(connectionTransitions.connectionId, t.connectionId),
            isNotNull(connectionTransitions.incidentId),
          ),
        )
        .orderBy(desc(connectionTransitions.createdAt))
        .limit(1),
    );
    if (open?.incidentId) await deps.incidents.resolve(open.incidentId);
  }
  return undefined;
}

/**
 * Sends connection transitions to Slack (tenant channel, else the platform's) and Sentry. A send
 * that fails leaves the transition un-notified for the next sweep to retry.
 */
export function createConnectionNotifier(deps: NotifierDeps): Notifier {
  return {
    async alertPlatform(alert) {
      if (deps.platformSlackWebhookUrl) {
        await deps.http.request({
          provider: "slack",
          operation: "alerts.post",
          url: deps.platformSlackWebhookUrl,
          method: "POST",
          headers: { "content-type": "application/json" },
          body: slackBody(alert.text),
          timeoutMs: 5_000,
        });
      }
      if (alert.state === "failing") {
        await deps.capture?.(new AppError("provider_failing", alert.text), {
          tenantId: "platform",
          provider: alert.provider,
        });
        const incidentId = await deps.incidents?.open({ name: alert.key, summary: alert.text });
        return { incidentId };
      }
      if (alert.incidentId) await deps.incidents?.resolve(alert.incidentId);
      return { incidentId: undefined };
    },
    async notify(t) {
      const log = logger.child({ tenantId: t.tenantId, connectionId: t.connectionId, provider: t.provider });
      try {
        const url = (await tenantChannel(deps, t.tenantId)) ?? deps.platformSlackWebhookUrl;
        if (url) {
          // A refused post throws (classified by status): the transition stays un-notified.
          await deps.http.request({
            provider: "slack",
            operation: "alerts.post",
            url,
            method: "POST",
            headers: { "content-type": "application/json" },
            body: slackBody(transitionMessage(t)),
            timeoutMs: 5_000,
          });
        }
        if (t.toStatus !== "active" && t.toStatus !== "ok" && deps.capture) {
          await deps.capture(
            new AppError(
              t.kind === "health" ? `connection_health_${t.toStatus}` : `connection_${t.toStatus}`,
              transitionMessage(t),
            ),
            {
              tenantId: t.tenantId,
              provider: t.provider,
            },
          );
        }
        const incidentId = await pageOnCall(deps, t);
        await withTenant(deps.db, t.tenantId, (tx) =>
          tx
            .update(connectionTransitions)
            .set({ notifiedAt: new Date(), ...(incidentId ? { incidentId } : {}) })
            .where(eq(connectionTransitions.id, t.id)),
        );
        log.info("connection transition notified", {
          from: t.fromStatus,
          to: t.toStatus,
          channel: url ? "slack" : "none",
        });
        return true;
      } catch (err) {
        log.error("could not notify a connection transition; the sweep will retry", {
          err,
          transitionId: t.id,
        });
        return false;
      }
    },
  };
}

/**
 * Re-sends transitions whose notification failed (older than a minute, newest day only). A sweep:
 * it finds them across tenants; each notification then runs under its tenant.
 */
export async function notifyPendingTransitions(db: Db, notifier: Notifier): Promise<number> {
  const pending = rowsOf<{
    id: string;
    tenant_id: string;
    connection_id: string;
    provider: string;
    kind: "status" | "health";
    from_status: Transition["fromStatus"];
    to_status: Transition["toStatus"];
    reason: string | null;
  }>(
    await db.execute(sql`select t.id, t.tenant_id, t.connection_id, c.provider, t.kind, t.from_status, t.to_status, t.reason
      from connection_transitions t join integration_connections c on c.id = t.connection_id
      where t.notified_at is null and t.to_status <> 'disconnected'
        and t.created_at < now() - interval '1 minute' and t.created_at > now() - interval '1 day'
      order by t.created_at limit 100`),
  );
  let sent = 0;
  for (const row of pending) {
    const ok = await notifier.notify({
      id: row.id,
      kind: row.kind,
      tenantId: row.tenant_id,
      connectionId: row.connection_id,
      provider: row.provider,
      fromStatus: row.from_status,
      toStatus: row.to_status,
      reason: row.reason,
    });
    if (ok) sent++;
  }
  return sent;
}
