import { sql } from "drizzle-orm";
import { keyVersionOf } from "../crypto/envelope.ts";
import { rowsOf } from "../db/types.ts";
import { AppError } from "../errors.ts";
import { logger } from "../observability/logger.ts";
import { providerConcurrencyLimit } from "../providers/provider-concurrency-limit.ts";
import { type ProviderConfig, providerConfig } from "../providers/provider-config.ts";
import { providerTimeoutFromEnv } from "../providers/provider-http-client.ts";
import { applyConnectionSignals, type ConnectionSignal } from "./apply-connection-signals.ts";
import { applyRefreshedTokens } from "./apply-refreshed-tokens.ts";
import { type ClaimedRefresh, claimDueRefreshes } from "./claim-due-refreshes.ts";
import { classifyConnectionFailure } from "./classify-connection-failure.ts";
import type { ConnectionDeps } from "./connection-deps.ts";
import { interleaveByTenant } from "./interleave-by-tenant.ts";
import { refreshDueAt, SWEEP_HORIZON_MS } from "./refresh-schedule.ts";
import { type RenewedToken, renewClaimedToken } from "./renew-claimed-token.ts";

export interface BatchRefreshOptions {
  /** Refresh connections due within this window (default 15 minutes: the sweep interval plus slack). */
  horizonMs?: number;
  /** Rows leased per claim statement (default 1,000). */
  claimSize?: number;
  /** Answers per write-back statement (default 50). */
  writeBatchSize?: number;
  /** Longest an answer waits for its batch to fill before it is written anyway (default 100 ms). */
  lingerMs?: number;
  /** Lease of a claimed row (default 5 minutes, half the sweep interval). */
  leaseSeconds?: number;
  onProgress?: (progress: BatchRefreshSummary) => void | Promise<void>;
  /** Test seam, after each write-back. A throw stops the run as a crash would: nothing more is written. */
  afterWriteBack?: (ids: string[]) => void | Promise<void>;
}

export interface BatchRefreshSummary {
  claimed: number;
  refreshed: number;
  recovered: number;
  expired: number;
  errored: number;
  /** Other failures (counted by the status machine; the next sweep tries again). */
  failed: number;
  /** Answers whose lease another refresher had taken over: not written. */
  fenceLost: number;
  /** Claimed rows left for the next sweep (their lease ran short before a provider slot freed). */
  released: number;
  /** SQL statements this run issued (claims, write-backs, status changes, the final release). */
  statements: number;
}

const crash = Symbol("crash");

/**
 * Cross-tenant by design (a sweep, run as the database owner outside `withTenant`): refreshes
 * every connection due within the horizon, of all tenants, as a pipeline.
 *
 * - **Claim**: one statement leases up to `claimSize` due rows and returns their sealed
 *   credentials; the next claim starts while the previous chunk is still being refreshed.
 * - **Provider calls**: at most `providerConcurrencyLimit(provider)` in flight per provider, all
 *   tenants together; within a claim, tenants take turns. A 429 pauses that provider only.
 * - **Write-back**: answers are written, lease-fenced, in batches of `writeBatchSize` (or after
 *   `lingerMs`), one statement each; failures, and refreshed rows that were `error`, go to the
 *   connection status machine (`applyConnectionSignals`), batched the same way.
 * - An answer an interrupted refresh recorded (`pending_credentials`) is applied without calling
 *   the provider. Rows left unfinished keep their lease until it expires (a crash) or are released
 *   at the end, so the next sweep takes them.
 */
export async function refreshDueTokensAcrossTenants(
  deps: ConnectionDeps,
  options: BatchRefreshOptions = {},
): Promise<BatchRefreshSummary> {
  const claimSize = options.claimSize ?? 1_000;
  const writeBatchSize = options.writeBatchSize ?? 50;
  const lingerMs = options.lingerMs ?? 100;
  const leaseSeconds = options.leaseSeconds ?? 300;
  const horizonSeconds = Math.round((options.horizonMs ?? SWEEP_HORIZON_MS) / 1000);
  // A call is started only if its answer can be written before the lease ends.
  const leaseMarginMs = providerTimeoutFromEnv(deps.env) + 30_000;
  const owner = crypto.randomUUID();
  const summary: BatchRefreshSummary = {
    claimed: 0,
    refreshed: 0,
    recovered: 0,
    expired: 0,
    errored: 0,
    failed: 0,
    fenceLost: 0,
    released: 0,
    statements: 0,
  };
  const configs = new Map<string, ProviderConfig>();
  const configOf = (provider: string) => {
    const config = configs.get(provider) ?? providerConfig(provider, deps.env);
    configs.set(provider, config);
    return config;
  };
  const queues = new Map<
    string,
    { rows: (ClaimedRefresh & { leaseEndsAt: number })[]; active: number; limit: number }
  >();
  const pausedUntil = new Map<string, number>();
  const answers: RenewedToken[] = [];
  const signals: ConnectionSignal[] = [];
  const pending = new Set<Promise<unknown>>();
  let queued = 0;
  let exhausted = false;
  let claiming = false;
  let linger: ReturnType<typeof setTimeout> | undefined;
  let fatal: unknown;
  let wake: (() => void) | undefined;
  let pauseTimer: ReturnType<typeof setTimeout> | undefined;

  const track = (work: Promise<unknown>) => {
    const p = work
      .catch((err) => {
        fatal ??= err;
      })
      .finally(() => {
        pending.delete(p);
        pump();
      });
    pending.add(p);
  };
  const statement = async <T>(run: () => Promise<T>): Promise<T> => {
    if (fatal) throw crash;
    summary.statements++;
    return run();
  };

  const claim = async () => {
    const rows = await statement(() =>
      claimDueRefreshes(deps.db, { owner, limit: claimSize, horizonSeconds, leaseSeconds }),
    );
    if (rows.length < claimSize) exhausted = true;
    summary.claimed += rows.length;
    const leaseEndsAt = Date.now() + leaseSeconds * 1000;
    for (const row of interleaveByTenant(rows)) {
      if (row.pending_credentials) {
        logger.warn("applying a provider answer recorded by an interrupted refresh", {
          connectionId: row.id,
          tenantId: row.tenant_id,
          provider: row.provider,
        });
        const expiresAt = row.pending_token_expires_at ? new Date(row.pending_token_expires_at) : null;
        summary.recovered++;
        buffer({
          id: row.id,
          credentials: row.pending_credentials,
          keyVersion: keyVersionOf(Object.values(row.pending_credentials)[0] ?? ""),
          expiresAt: expiresAt?.toISOString() ?? null,
          dueAt: refreshDueAt(configOf(row.provider).entry, expiresAt)?.toISOString() ?? null,
        });
        continue;
      }
      const queue = queues.get(row.provider) ?? {
        rows: [],
        active: 0,
        limit: providerConcurrencyLimit(row.provider, deps.env),
      };
      queues.set(row.provider, queue);
      queue.rows.push({ ...row, leaseEndsAt });
      queued++;
    }
    await options.onProgress?.({ ...summary });
  };

  const refresh = async (row: ClaimedRefresh) => {
    try {
      buffer(await renewClaimedToken(deps, configOf(row.provider), row));
      summary.refreshed++;
    } catch (err) {
      if (err instanceof AppError && err.code === "rate_limited" && err.retryAfterMs) {
        pausedUntil.set(row.provider, Date.now() + Math.min(err.retryAfterMs, 60_000));
      }
      const failure = classifyConnectionFailure(err);
      signals.push({
        connectionId: row.id,
        source: "refresh",
        ok: false,
        failureClass: failure.failureClass,
        reason: failure.reason,
      });
      if (signals.length >= writeBatchSize) flush();
      else linger ??= setTimeout(flush, lingerMs);
    }
  };

  const buffer = (token: RenewedToken) => {
    answers.push(token);
    if (answers.length >= writeBatchSize) flush();
    else linger ??= setTimeout(flush, lingerMs);
  };
  const flush = () => {
    clearTimeout(linger);
    linger = undefined;
    while (answers.length > 0) track(write(answers.splice(0, writeBatchSize)));
    while (signals.length > 0) track(signal(signals.splice(0, writeBatchSize)));
  };
  /** Outcomes through the connection status machine, one statement per batch. */
  const signal = async (batch: ConnectionSignal[]) => {
    const results = await statement(() => applyConnectionSignals(deps, batch));
    for (const result of results) {
      if (!batch.find((s) => s.connectionId === result.connectionId)?.ok) {
        if (result.status === "expired") summary.expired++;
        else if (result.status === "error") summary.errored++;
        else summary.failed++;
      }
    }
  };
  const write = async (batch: RenewedToken[]) => {
    const applied = await statement(() => applyRefreshedTokens(deps.db, owner, batch));
    summary.fenceLost += batch.length - applied.length;
    await options.afterWriteBack?.(applied.map((row) => row.id));
    // The status machine decides whether an `error` row is `active` again (health may still fail).
    const recovered = applied.filter((row) => row.status === "error");
    if (recovered.length > 0) {
      await signal(
        recovered.map((row) => ({
          connectionId: row.id,
          source: "refresh" as const,
          ok: true,
          reason: "token refreshed",
        })),
      );
    }
  };

  const pump = () => {
    if (fatal) return wake?.();
    const now = Date.now();
    let nextPauseEnd = Number.POSITIVE_INFINITY;
    for (const [provider, queue] of queues) {
      const paused = pausedUntil.get(provider) ?? 0;
      if (paused > now) {
        if (queue.rows.length) nextPauseEnd = Math.min(nextPauseEnd, paused);
        continue;
      }
      while (queue.active < queue.limit && queue.rows.length > 0) {
        const row = queue.rows.shift()!;
        queued--;
        if (row.leaseEndsAt - Date.now() < leaseMarginMs) continue; // released at the end
        queue.active++;
        track(refresh(row).finally(() => queue.active--));
      }
    }
    if (nextPauseEnd < Number.POSITIVE_INFINITY && !pauseTimer) {
      pauseTimer = setTimeout(() => {
        pauseTimer = undefined;
        pump();
      }, nextPauseEnd - now);
    }
    if (!exhausted && !claiming && queued < claimSize / 2) {
      claiming = true;
      track(claim().finally(() => (claiming = false)));
    }
    if (exhausted && !claiming && queued === 0 && pending.size === 0) {
      if (answers.length > 0 || signals.length > 0) flush();
      else wake?.();
    }
  };

  const done = new Promise<void>((resolve) => (wake = resolve));
  pump();
  await done;
  while (pending.size > 0) await Promise.allSettled([...pending]);
  clearTimeout(linger);
  if (fatal) throw fatal === crash ? new Error("refresh run stopped") : fatal;
  const released = rowsOf(
    await statement(() =>
      deps.db.execute(sql`update integration_connections set refresh_lease_owner = null, refresh_lease_until = null
        where refresh_lease_owner = ${owner} returning id`),
    ),
  );
  summary.released = released.length;
  await options.onProgress?.({ ...summary });
  return summary;
}
