import { and, eq } from "drizzle-orm";
import { integrationConnections } from "../../db/schema.ts";
import { decryptCredentials } from "../connections/credential-cipher.ts";
import type { KeyRing } from "../crypto/key-ring.ts";
import type { Db } from "../db/types.ts";
import { isTenantId, withTenant } from "../db/with-tenant.ts";
import { ConfigError, NotFoundError } from "../errors.ts";

/** Decrypted secrets are reused this long: a rotated secret takes effect within a minute. */
export const TENANT_SECRET_TTL_MS = 60_000;
const MAX_CACHED = 1_000;

/** Per database (so separate test databases never share entries), keyed by tenant, provider, field. */
const caches = new WeakMap<Db, Map<string, { secret: string; until: number }>>();

/**
 * The tenant's webhook secret, decrypted at most once a minute per tenant and provider (a small
 * LRU). Callers look it up only after the request's cheap checks (headers, timestamp) passed.
 */
export async function cachedTenantWebhookSecret(
  deps: { db: Db; keyRing: KeyRing },
  tenantId: string,
  provider: string,
  field: string,
  nowMs = Date.now(),
): Promise<string> {
  const cache = caches.get(deps.db) ?? new Map<string, { secret: string; until: number }>();
  caches.set(deps.db, cache);
  const key = `${tenantId}:${provider}:${field}`;
  const hit = cache.get(key);
  if (hit && hit.until > nowMs) {
    cache.delete(key);
    cache.set(key, hit);
    return hit.secret;
  }
  const secret = await tenantWebhookSecret(deps, tenantId, provider, field);
  cache.delete(key);
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
  cache.set(key, { secret, until: nowMs + TENANT_SECRET_TTL_MS });
  return secret;
}

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
      {
        context: {
          provider,
          field,
          fix: `Connect it again with its signing secret: \`switchboard connections connect-key ${tenantId} ${provider} --key <api key> --field ${field}=<secret>\`.`,
        },
      },
    );
  }
  return (await decryptCredentials(deps.keyRing, row, { [field]: sealed }))[field]!;
}
