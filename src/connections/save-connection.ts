import { sql } from "drizzle-orm";
import type { KeyRing } from "../crypto/key-ring.ts";
import { type Db, rowsOf } from "../db/types.ts";
import { findProvider } from "../providers/catalog.ts";
import type { ConnectionRow } from "./connection-row.ts";
import { type CredentialFields, encryptCredentials } from "./credential-cipher.ts";
import { refreshDueAt } from "./refresh-schedule.ts";

export interface SaveConnectionInput {
  tenantId: string;
  provider: string;
  credentials: CredentialFields;
  expiresAt?: Date | undefined;
  scopes?: string[] | undefined;
  metadata?: Record<string, unknown> | undefined;
}

export interface SavedConnection {
  id: string;
  previousStatus: ConnectionRow["status"] | null;
}

/**
 * Encrypts and stores a tenant's credentials for a provider (one row per tenant + provider),
 * marking the connection active. One statement, so it also works where interactive
 * transactions do not (the edge HTTP driver). Returns the status it had before, if any.
 */
export async function saveConnection(
  db: Db,
  ring: KeyRing,
  input: SaveConnectionInput,
): Promise<SavedConnection> {
  const entry = findProvider(input.provider);
  const sealed = await encryptCredentials(ring, input, input.credentials);
  const due = entry ? refreshDueAt(entry, input.expiresAt) : null;
  const scopes = `{${(input.scopes ?? []).map((s) => JSON.stringify(s)).join(",")}}`;
  const [row] = rowsOf<{ id: string; previous_status: ConnectionRow["status"] | null }>(
    await db.execute(sql`
      with previous as (
        select status from integration_connections where tenant_id = ${input.tenantId} and provider = ${input.provider}
      )
      insert into integration_connections as c (tenant_id, provider, status, credentials, key_version, token_expires_at,
        refresh_due_at, scopes, metadata, last_refreshed_at, status_changed_at)
      values (${input.tenantId}, ${input.provider}, 'active', ${JSON.stringify(sealed.credentials)}::jsonb,
        ${sealed.keyVersion}, ${input.expiresAt?.toISOString() ?? null}, ${due?.toISOString() ?? null},
        ${scopes}::text[], ${JSON.stringify(input.metadata ?? {})}::jsonb, now(), now())
      on conflict (tenant_id, provider) do update set
        status = 'active',
        credentials = excluded.credentials,
        key_version = excluded.key_version,
        token_version = c.token_version + 1,
        token_expires_at = excluded.token_expires_at,
        refresh_due_at = excluded.refresh_due_at,
        scopes = excluded.scopes,
        metadata = c.metadata || excluded.metadata,
        last_refreshed_at = now(),
        last_error = null,
        last_error_at = null,
        refresh_failures = 0,
        failing_since = null,
        pending_credentials = null,
        pending_token_expires_at = null,
        refresh_lease_owner = null,
        refresh_lease_until = null,
        status_changed_at = case when c.status = 'active' then c.status_changed_at else now() end,
        updated_at = now()
      returning c.id, (select status from previous) as previous_status`),
  );
  return { id: row!.id, previousStatus: row!.previous_status ?? null };
}
