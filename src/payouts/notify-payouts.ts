import { and, eq } from "drizzle-orm";
import { integrationConnections } from "../../db/schema.ts";
import type { Deps } from "../build-deps.ts";
import { slackBody } from "../connections/connection-notifier.ts";
import { decryptCredentials } from "../connections/credential-cipher.ts";
import { withTenant } from "../db/with-tenant.ts";
import { optionalFeatureUrl } from "../observability/optional-feature-url.ts";

/**
 * Posts a payouts notice to the tenant's Slack channel (its active Slack connection's incoming
 * webhook), else to the platform's (`ALERTS_SLACK_WEBHOOK_URL`). A notice never fails the money
 * movement it reports: a failed post is logged and reported as `false`.
 */
export async function notifyPayouts(
  deps: Pick<Deps, "db" | "keyRing" | "env" | "http" | "logger">,
  tenantId: string,
  text: string,
): Promise<boolean> {
  try {
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
    const own = slack?.credentials.incoming_webhook_url
      ? (
          await decryptCredentials(deps.keyRing, slack, {
            incoming_webhook_url: slack.credentials.incoming_webhook_url,
          })
        ).incoming_webhook_url
      : undefined;
    const url = own ?? optionalFeatureUrl("ALERTS_SLACK_WEBHOOK_URL", deps.env);
    if (!url) return false;
    await deps.http.request({
      provider: "slack",
      operation: "payouts.notice",
      url,
      method: "POST",
      headers: { "content-type": "application/json" },
      body: slackBody(own ? text : `[tenant ${tenantId}] ${text}`),
      timeoutMs: 5_000,
    });
    return true;
  } catch (err) {
    deps.logger.error("could not post a payouts notice", { err, tenantId });
    return false;
  }
}
