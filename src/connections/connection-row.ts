import type { integrationConnections } from "../../db/schema.ts";

export type ConnectionRow = typeof integrationConnections.$inferSelect;

/** The public view of a connection (CLI `--json`, APIs): never credentials. */
export function connectionView(row: ConnectionRow) {
  return {
    id: row.id,
    tenantId: row.tenantId,
    provider: row.provider,
    status: row.status,
    scopes: row.scopes,
    tokenExpiresAt: row.tokenExpiresAt?.toISOString() ?? null,
    lastError: row.lastError,
    lastErrorAt: row.lastErrorAt?.toISOString() ?? null,
    lastRefreshedAt: row.lastRefreshedAt?.toISOString() ?? null,
    refreshFailures: row.refreshFailures,
    metadata: row.metadata,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
export type ConnectionView = ReturnType<typeof connectionView>;
