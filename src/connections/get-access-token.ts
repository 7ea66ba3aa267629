import { and, eq } from "drizzle-orm";
import { integrationConnections } from "../../db/schema.ts";
import { AppError, NotFoundError } from "../errors.ts";
import { findProvider } from "../providers/catalog.ts";
import type { ConnectionDeps } from "./connection-deps.ts";
import type { ConnectionRow } from "./connection-row.ts";
import { decryptCredentials } from "./credential-cipher.ts";
import { refreshConnectionToken } from "./refresh-connection-token.ts";

/** A token expiring sooner than this is refreshed before it is handed out. */
const MARGIN_MS = 2 * 60 * 1000;
const WAIT_STEP_MS = 50;
const WAIT_LIMIT_MS = 75_000;

const inFlight = new Map<string, Promise<ConnectionRow>>();

async function load(deps: ConnectionDeps, tenantId: string, provider: string): Promise<ConnectionRow> {
  const [row] = await deps.db
    .select()
    .from(integrationConnections)
    .where(and(eq(integrationConnections.tenantId, tenantId), eq(integrationConnections.provider, provider)));
  if (!row)
    throw new NotFoundError(`Tenant ${tenantId} has no ${provider} connection`, {
      context: { tenantId, provider },
    });
  return row;
}

/** Holds a usable token: unexpired, and already minted for client-credentials providers. */
function fresh(row: ConnectionRow): boolean {
  const minted =
    findProvider(row.provider)?.refresh !== "client_credentials" || Boolean(row.credentials.access_token);
  return minted && (!row.tokenExpiresAt || row.tokenExpiresAt.getTime() > Date.now() + MARGIN_MS);
}

/** Refreshes (or waits for whoever is refreshing, in any process) until the row holds a fresh token. */
async function refreshed(deps: ConnectionDeps, row: ConnectionRow): Promise<ConnectionRow> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  let latest = row;
  while (Date.now() < deadline) {
    const result = await refreshConnectionToken(deps, latest.id, {
      dueBefore: new Date(Date.now() + MARGIN_MS),
    });
    latest = await load(deps, row.tenantId, row.provider);
    if (result.outcome === "expired" || result.outcome === "error" || result.outcome === "inactive")
      return latest;
    if (result.outcome !== "busy" && fresh(latest)) return latest;
    await new Promise((r) => setTimeout(r, WAIT_STEP_MS));
  }
  throw new AppError("refresh_timeout", "Timed out waiting for a token refresh", {
    retryable: true,
    context: { connectionId: row.id },
  });
}

/**
 * A valid access token for a tenant's connection, refreshed on demand when it expires within a
 * couple of minutes. Concurrent callers share one refresh: in this process through a shared
 * promise, across processes through the row's refresh lease.
 */
export async function getAccessToken(
  deps: ConnectionDeps,
  tenantId: string,
  provider: string,
): Promise<string> {
  let row = await load(deps, tenantId, provider);
  if ((row.status === "active" || row.status === "error") && !fresh(row)) {
    let pending = inFlight.get(row.id);
    if (!pending) {
      pending = refreshed(deps, row).finally(() => inFlight.delete(row.id));
      inFlight.set(row.id, pending);
    }
    row = await pending;
  }
  if (row.status === "expired" || row.status === "disconnected") {
    throw new AppError(
      "connection_inactive",
      `The ${provider} connection is ${row.status}: the tenant must reconnect`,
      {
        retryable: false,
        reauthRequired: true,
        context: { tenantId, provider, connectionId: row.id },
      },
    );
  }
  const accessField = row.credentials.access_token ? "access_token" : "api_key";
  const sealed = row.credentials[accessField];
  if (!sealed) throw new NotFoundError(`The ${provider} connection holds no token`);
  const plain = await decryptCredentials(deps.keyRing, row, { [accessField]: sealed });
  return plain[accessField]!;
}
