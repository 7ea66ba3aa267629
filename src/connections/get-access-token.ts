import { and, eq } from "drizzle-orm";
import pRetry from "p-retry";
import { integrationConnections } from "../../db/schema.ts";
import { withTenant } from "../db/with-tenant.ts";
import { AppError, NotFoundError } from "../errors.ts";
import { findProvider } from "../providers/catalog.ts";
import type { ConnectionDeps } from "./connection-deps.ts";
import type { ConnectionRow } from "./connection-row.ts";
import { decryptCredentials } from "./credential-cipher.ts";
import { refreshConnectionToken } from "./refresh-connection-token.ts";

/** A token expiring sooner than this is refreshed before it is handed out. */
const MARGIN_MS = 2 * 60 * 1000;
/**
 * Waiting for another refresher (in any process): jittered exponential backoff from 100 ms to
 * 2 s, for up to 75 s (the refresh lease is 60 s, so a crashed refresher's lease runs out first).
 * A waiter makes about 40 checks where a 50 ms poll made 1,500.
 */
export const REFRESH_WAIT = {
  retries: 60,
  minTimeout: 100,
  maxTimeout: 2_000,
  factor: 2,
  randomize: true,
  maxRetryTime: 75_000,
};

const inFlight = new Map<string, Promise<ConnectionRow>>();

/** Another refresher holds the lease: wait and look again. */
class RefreshPending extends Error {}

async function load(deps: ConnectionDeps, tenantId: string, provider: string): Promise<ConnectionRow> {
  const [row] = await withTenant(deps.db, tenantId, (tx) =>
    tx
      .select()
      .from(integrationConnections)
      .where(
        and(eq(integrationConnections.tenantId, tenantId), eq(integrationConnections.provider, provider)),
      ),
  );
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

/** Refreshes (or waits with backoff for whoever is refreshing, in any process) until the row holds a fresh token. */
async function refreshed(deps: ConnectionDeps, row: ConnectionRow): Promise<ConnectionRow> {
  try {
    return await pRetry(
      async () => {
        const result = await refreshConnectionToken(deps, row, {
          dueBefore: new Date(Date.now() + MARGIN_MS),
        });
        const latest = await load(deps, row.tenantId, row.provider);
        if (result.outcome === "expired" || result.outcome === "error" || result.outcome === "inactive")
          return latest;
        if (fresh(latest)) return latest;
        throw new RefreshPending("a refresh is in progress elsewhere");
      },
      { ...REFRESH_WAIT, shouldRetry: (err) => err instanceof RefreshPending },
    );
  } catch (err) {
    if (!(err instanceof RefreshPending)) throw err;
    throw new AppError("refresh_timeout", "Timed out waiting for a token refresh", {
      retryable: true,
      context: { connectionId: row.id },
    });
  }
}

export interface ConnectionCredential {
  connectionId: string;
  /** The access token, or the API key of key-based connections. */
  token: string;
  /** Every credential field but the refresh token (Lob's `webhook_secret`, Mux's token pair). */
  fields: Record<string, string>;
  /** Changes with every refresh: an invalidation names the version the provider refused. */
  tokenVersion: number;
}

/**
 * A tenant connection's usable credential, refreshed on demand when its token expires within a
 * couple of minutes. Concurrent callers share one refresh: in this process through a shared
 * promise, across processes through the row's refresh lease (waiters back off, never poll).
 */
export async function getConnectionCredential(
  deps: ConnectionDeps,
  tenantId: string,
  provider: string,
): Promise<ConnectionCredential> {
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
  if (!row.credentials[accessField]) throw new NotFoundError(`The ${provider} connection holds no token`);
  const { refresh_token: _refresh, ...sealed } = row.credentials;
  const fields = await decryptCredentials(deps.keyRing, row, sealed);
  return { connectionId: row.id, token: fields[accessField]!, fields, tokenVersion: row.tokenVersion };
}

/** A valid access token (or API key) for a tenant's connection; see `getConnectionCredential`. */
export async function getAccessToken(
  deps: ConnectionDeps,
  tenantId: string,
  provider: string,
): Promise<string> {
  return (await getConnectionCredential(deps, tenantId, provider)).token;
}
