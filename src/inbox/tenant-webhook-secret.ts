import { and, eq } from "drizzle-orm";
import { integrationConnections } from "../../db/schema.ts";
import { decryptCredentials } from "../connections/credential-cipher.ts";
import type { KeyRing } from "../crypto/key-ring.ts";
import type { Db } from "../db/types.ts";
import { isTenantId, withTenant } from "../db/with-tenant.ts";
import { ConfigError, NotFoundError } from "../errors.ts";

/**
 * The secret a tenant's provider signs its webhooks with, from the tenant's connection (Retell:
 * the API key; Lob: the `webhook_secret` field). Unknown tenant → NotFoundError; a connection
 * without the field → ConfigError (the handler refuses: never accept unverified).
 */
export async function tenantWebhookSecret(
  deps: { db: Db; keyRing: KeyRing },
  tenantId: string,
  provider: string,
  field: string,
): Promise<string> {
  if (!isTenantId(tenantId)) throw new NotFoundError("Unknown tenant");
  const [row] = await withTenant(deps.db, tenantId, (tx) =>
    tx
      .select()
      .from(integrationConnections)
      .where(
        and(eq(integrationConnections.tenantId, tenantId), eq(integrationConnections.provider, provider)),
      ),
  );
  if (!row || row.status === "disconnected")
    throw new NotFoundError(`No ${provider} connection for this tenant`);
  const sealed = row.credentials[field];
  if (!sealed) {
    throw new ConfigError(
      `The ${provider} connection of tenant ${tenantId} has no ${field}: refusing unverified webhooks`,
    );
  }
  return (await decryptCredentials(deps.keyRing, row, { [field]: sealed }))[field]!;
}
