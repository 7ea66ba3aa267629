import { type SQL, sql } from "drizzle-orm";
import { keyVersionOf } from "../crypto/envelope.ts";
import { type Db, rowsOf } from "../db/types.ts";
import { withTenant } from "../db/with-tenant.ts";
import { AppError, NotFoundError } from "../errors.ts";
import { logger } from "../observability/logger.ts";
import { renewAccessToken } from "../providers/oauth-client.ts";
import { providerConfig } from "../providers/provider-config.ts";
import { applyConnectionSignals } from "./apply-connection-signals.ts";
import type { ConnectionDeps } from "./connection-deps.ts";
import type { Notifier } from "./connection-notifier.ts";
import { decryptCredentials, encryptCredentials } from "./credential-cipher.ts";
import { recordRefreshFailure } from "./record-refresh-failure.ts";
import { refreshAppliedColumns } from "./refresh-applied-columns.ts";
import { refreshDueAt, SWEEP_HORIZON_MS } from "./refresh-schedule.ts";
import type { Transition } from "./transition-connection.ts";

export type RefreshOutcome =
  | {
      outcome: "refreshed" | "recovered";
      connectionId: string;
      tokenVersion: number;
      expiresAt: string | null;
    }
  | { outcome: "not_due" | "busy" | "inactive"; connectionId: string }
  | { outcome: "expired" | "error"; connectionId: string; reason: string };

export interface RefreshOptions {
  /** Refresh even when the token is not due (CLI `connections refresh`, on-demand expiry). */
  force?: boolean;
  /** Refresh only if the token expires before this time (on-demand callers). */
  dueBefore?: Date;
  /** Test seam: runs after the provider's answer is recorded and before it is applied. */
  afterAnswerRecorded?: () => void | Promise<void>;
}

const LEASE_SECONDS = 60;

type Run = (query: SQL) => Promise<unknown>;

interface ClaimedRow {
  id: string;
  tenant_id: string;
  provider: string;
  status: string;
  token_version: number;
  credentials: Record<string, string>;
  metadata: Record<string, unknown>;
  token_expires_at: Date | string | null;
  refresh_due_at: Date | string | null;
  pending_credentials: Record<string, string> | null;
  pending_token_expires_at: Date | string | null;
}

const asDate = (v: Date | string | null): Date | null => (v === null ? null : new Date(v));

/**
 * Rotation-safe refresh of one connection's token.
 *
 * 1. Fence: a compare-and-set lease on the row (only one refresher at a time, across processes),
 *    which also records the attempt before the provider is called.
 * 2. Re-read under the lease: a refresh another worker finished (the due date moved), or an
 *    answer a crashed worker recorded but never applied, is used instead of calling the provider.
 * 3. The provider's answer is written (encrypted, as `pending_credentials`) before anything else,
 *    then applied in a second statement; a crash between the two loses nothing.
 * A missing refresh token in the answer keeps the old one.
 */
export async function refreshConnectionToken(
  deps: ConnectionDeps,
  connection: { id: string; tenantId: string },
  options: RefreshOptions = {},
): Promise<RefreshOutcome> {
  const connectionId = connection.id;
  // Every read and write of the row runs in its own transaction under the tenant (app_user, RLS):
  // the lease must commit before the provider is called, and the answer before it is applied.
  const run: Run = (query) => withTenant(deps.db, connection.tenantId, (tx) => tx.execute(query));
  const owner = crypto.randomUUID();
  const [row] = rowsOf<ClaimedRow>(
    await run(sql`update integration_connections set
        refresh_lease_owner = ${owner},
        refresh_lease_until = now() + make_interval(secs => ${LEASE_SECONDS}),
        refresh_attempted_at = now()
      where id = ${connectionId} and status in ('active', 'error')
        and (refresh_lease_until is null or refresh_lease_until < now())
      returning id, tenant_id, provider, status, token_version, credentials, metadata, token_expires_at,
        refresh_due_at, pending_credentials, pending_token_expires_at`),
  );
  if (!row) {
    // Not claimable: someone holds the lease, or the connection is gone or inactive.
    const [current] = rowsOf<{ status: string }>(
      await run(sql`select status from integration_connections where id = ${connectionId}`),
    );
    if (!current) throw new NotFoundError(`No connection ${connectionId}`);
    return current.status === "active" || current.status === "error"
      ? { outcome: "busy", connectionId }
      : { outcome: "inactive", connectionId };
  }
  const log = logger.child({ connectionId, tenantId: row.tenant_id, provider: row.provider });

  if (row.pending_credentials) {
    log.warn("applying a provider answer recorded by an interrupted refresh");
    return apply(
      deps,
      run,
      row,
      owner,
      row.pending_credentials,
      asDate(row.pending_token_expires_at),
      "recovered",
    );
  }
  const expiresAt = asDate(row.token_expires_at);
  const due = asDate(row.refresh_due_at);
  // Re-read under the lease: a refresh that finished meanwhile moved the due date, so it is not redone.
  const needed =
    options.force ||
    (options.dueBefore
      ? !expiresAt || expiresAt <= options.dueBefore
      : !due || due.getTime() <= Date.now() + SWEEP_HORIZON_MS);
  if (!needed) {
    await release(run, connectionId, owner);
    return { outcome: "not_due", connectionId };
  }

  const owning = { tenantId: row.tenant_id, provider: row.provider };
  let plain: Record<string, string>;
  let answer: Awaited<ReturnType<typeof renewAccessToken>>;
  try {
    plain = await decryptCredentials(deps.keyRing, owning, row.credentials);
    answer = await renewAccessToken(deps.http, providerConfig(row.provider, deps.env), plain, row.metadata);
  } catch (err) {
    // Whatever failed (provider, configuration, decryption), the lease is released at once.
    await release(run, connectionId, owner);
    const recorded = await underTenant(deps, row.tenant_id, (scoped) =>
      recordRefreshFailure(scoped, { connectionId, provider: row.provider }, err),
    );
    if (recorded) return recorded;
    throw err;
  }

  // Keep every field we had (the refresh token when none came back), replace what the answer holds.
  const merged = {
    ...plain,
    access_token: answer.accessToken,
    ...(answer.refreshToken ? { refresh_token: answer.refreshToken } : {}),
  };
  const sealed = await encryptCredentials(deps.keyRing, owning, merged);
  const recorded = rowsOf(
    await run(sql`update integration_connections set
        pending_credentials = ${JSON.stringify(sealed.credentials)}::jsonb,
        pending_token_expires_at = ${answer.expiresAt?.toISOString() ?? null}
      where id = ${connectionId} and refresh_lease_owner = ${owner} returning id`),
  );
  if (recorded.length === 0) {
    // Our lease expired while the provider answered: never overwrite a newer refresh.
    throw new AppError("refresh_fence_lost", "Refresh lease expired before the answer was recorded", {
      retryable: true,
      context: { connectionId },
    });
  }
  await options.afterAnswerRecorded?.();
  return apply(deps, run, row, owner, sealed.credentials, answer.expiresAt ?? null, "refreshed");
}

async function apply(
  deps: ConnectionDeps,
  run: Run,
  row: ClaimedRow,
  owner: string,
  credentials: Record<string, string>,
  expiresAt: Date | null,
  outcome: "refreshed" | "recovered",
): Promise<RefreshOutcome> {
  const entry = providerConfig(row.provider, deps.env).entry;
  const due = refreshDueAt(entry, expiresAt);
  const version = keyVersionOf(Object.values(credentials)[0] ?? "");
  const [applied] = rowsOf<{ token_version: number; previous: string }>(
    await run(sql`update integration_connections c set
        credentials = ${JSON.stringify(credentials)}::jsonb,
        key_version = ${version},
        token_expires_at = ${expiresAt?.toISOString() ?? null},
        refresh_due_at = ${due?.toISOString() ?? null},
        ${refreshAppliedColumns}
      where c.id = ${row.id} and c.refresh_lease_owner = ${owner}
      returning c.token_version, ${row.status}::text as previous`),
  );
  if (!applied) {
    throw new AppError("refresh_fence_lost", "Refresh lease expired before the answer was applied", {
      retryable: true,
      context: { connectionId: row.id },
    });
  }
  if (row.status === "error") {
    // The status machine decides: `active` again unless health probes are still failing.
    await underTenant(deps, row.tenant_id, (scoped) =>
      applyConnectionSignals(scoped, [
        { connectionId: row.id, source: "refresh", ok: true, reason: "token refreshed" },
      ]),
    );
  }
  return {
    outcome,
    connectionId: row.id,
    tokenVersion: applied.token_version,
    expiresAt: expiresAt?.toISOString() ?? null,
  };
}

async function release(run: Run, connectionId: string, owner: string): Promise<void> {
  await run(sql`update integration_connections set refresh_lease_owner = null, refresh_lease_until = null
    where id = ${connectionId} and refresh_lease_owner = ${owner}`);
}

/**
 * Runs status-machine work inside one transaction under the tenant; the transitions it produces
 * are told after that transaction commits (the notifier reads and marks them on its own).
 */
async function underTenant<T>(
  deps: ConnectionDeps,
  tenantId: string,
  fn: (scoped: ConnectionDeps) => Promise<T>,
): Promise<T> {
  const held: Transition[] = [];
  const holding: Notifier = {
    notify: async (transition) => {
      held.push(transition);
      return false;
    },
  };
  const result = await withTenant(deps.db, tenantId, (tx) =>
    fn({ ...deps, db: tx as Db, notifier: holding }),
  );
  for (const transition of held) await deps.notifier.notify(transition);
  return result;
}
