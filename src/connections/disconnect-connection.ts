import { eq } from "drizzle-orm";
import { integrationConnections } from "../../db/schema.ts";
import { withTenant } from "../db/with-tenant.ts";
import { NotFoundError } from "../errors.ts";
import { logger } from "../observability/logger.ts";
import { type ProviderConfig, providerConfig } from "../providers/provider-config.ts";
import type { ProviderHttpClient } from "../providers/provider-http-client.ts";
import type { ConnectionDeps } from "./connection-deps.ts";
import { decryptCredentials } from "./credential-cipher.ts";
import { transitionConnection } from "./transition-connection.ts";
import { wipeCredentials } from "./wipe-credentials.ts";

export type RevocationResult = "revoked" | "unsupported" | "failed" | "nothing_to_revoke";

async function revoke(
  http: ProviderHttpClient,
  config: ProviderConfig,
  fields: Record<string, string>,
): Promise<RevocationResult> {
  const token = fields.refresh_token ?? fields.access_token;
  if (!config.revokeUrl) return "unsupported";
  if (!token) return "nothing_to_revoke";
  const oauth = config.entry.oauth!;
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  const form = new URLSearchParams();
  if (oauth.revokeStyle === "bearer") {
    headers.authorization = `Bearer ${fields.access_token ?? token}`;
  } else {
    form.set("token", token);
    if (oauth.clientAuth === "basic" && config.clientId && config.clientSecret) {
      headers.authorization = `Basic ${btoa(`${config.clientId}:${config.clientSecret}`)}`;
    } else if (config.clientId) {
      form.set("client_id", config.clientId);
      if (config.clientSecret) form.set("client_secret", config.clientSecret);
    }
  }
  const response = await http.request({
    provider: config.entry.id,
    operation: "oauth.revoke",
    url: config.revokeUrl,
    method: "POST",
    headers,
    body: form,
    // A refused revocation is an outcome to record, not an error: the disconnect goes on.
    failure: () => undefined,
  });
  // Slack refuses with HTTP 200 and `{ ok: false, error }` (an invalid or already revoked token).
  const refusedInBody =
    oauth.dialect === "slack" && (response.json as { ok?: unknown } | undefined)?.ok === false;
  return response.ok && !refusedInBody ? "revoked" : "failed";
}

/**
 * Disconnects: revokes the grant where the provider supports it (a failed revocation is
 * recorded, never blocks the disconnect), wipes the credentials and marks the row disconnected.
 */
export async function disconnectConnection(
  deps: ConnectionDeps,
  connectionId: string,
): Promise<{ connectionId: string; revocation: RevocationResult }> {
  const [row] = await deps.db
    .select()
    .from(integrationConnections)
    .where(eq(integrationConnections.id, connectionId));
  if (!row) throw new NotFoundError(`No connection ${connectionId}`);
  if (row.status === "disconnected") return { connectionId, revocation: "nothing_to_revoke" };
  const config = providerConfig(row.provider, deps.env);
  let revocation: RevocationResult = "unsupported";
  try {
    const fields = await decryptCredentials(deps.keyRing, row, row.credentials);
    revocation = await revoke(deps.http, config, fields);
  } catch (err) {
    revocation = "failed";
    logger.warn("revocation failed; disconnecting anyway", { connectionId, provider: row.provider, err });
  }
  await withTenant(deps.db, row.tenantId, async (tx) => {
    await transitionConnection(tx, {
      connectionId,
      provider: row.provider,
      from: ["active", "expired", "error"],
      to: "disconnected",
      reason: `disconnected (revocation: ${revocation})`,
    });
    await wipeCredentials(tx, connectionId);
  });
  return { connectionId, revocation };
}
