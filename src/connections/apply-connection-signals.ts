import { sql } from "drizzle-orm";
import type { ConnectionStatus, HealthState } from "../../db/schema.ts";
import { type Db, rowsOf } from "../db/types.ts";
import type { FailureClass } from "./classify-connection-failure.ts";
import type { Notifier } from "./connection-notifier.ts";
import type { Transition } from "./transition-connection.ts";

/** Failures over this long, at least this many times in a row, turn a connection to `error`. */
export const ERROR_AFTER_MS = 24 * 3600 * 1000;
export const ERROR_AFTER_FAILURES = 3;
/** Consecutive failed probes that make a connection's health `failing` (and alert). */
export const FAILING_AFTER_CHECKS = 3;
/** A probe slower than this makes the connection `degraded` (a warning). */
export const SLOW_PROBE_MS = 500;
/** Probe error rate over the last hour above this makes the connection `degraded`… */
export const MAX_ERROR_RATE = 0.01;
/** …once the hour holds at least this many probes (one failure in two is not a rate). */
export const MIN_RATE_SAMPLE = 10;

/**
 * One observation of a connection: a token refresh or a health probe that succeeded, or failed
 * with a classified error. Refresh and health feed the same machine, so a connection is never
 * `active` by one and `error` by the other.
 */
export interface ConnectionSignal {
  connectionId: string;
  source: "refresh" | "health";
  ok: boolean;
  /** Required when `ok` is false. */
  failureClass?: FailureClass;
  /** The failure (`code: message`), or what succeeded ("token refreshed"). Secret-free. */
  reason?: string;
  /** Health probes: how long the probe took and what the provider answered. */
  latencyMs?: number;
  httpStatus?: number;
  /** Health probes that succeeded but found the account unable to work (payouts disabled): degraded. */
  warning?: string;
}

export interface SignalResult {
  connectionId: string;
  tenantId: string;
  provider: string;
  status: ConnectionStatus;
  healthState: HealthState;
  refreshFailures: number;
  healthFailures: number;
  /** The class of the last failed probe before this signal (what a recovery recovers from). */
  previousFailureClass: FailureClass | null;
  /** The transition this signal caused (at most one: a status change, or else a health change). */
  transition: Transition | undefined;
}

export interface ApplyOptions {
  /** false: the caller tells the transitions itself (the health sweep groups a provider outage). */
  notify?: boolean;
}

interface ResultRow {
  id: string;
  tenant_id: string;
  provider: string;
  status: ConnectionStatus;
  health_state: HealthState;
  rf: number;
  hf: number;
  previous_class: FailureClass | null;
  transition_id: string | null;
  kind: "status" | "health" | null;
  from_status: string | null;
  to_status: string | null;
  reason: string | null;
}

/**
 * The connection status machine, for any number of connections in one statement:
 *
 * - **status** (active, expired, error; expired and disconnected are left alone): an `auth`
 *   failure from either source → `expired` at once; a failure streak (refresh or health) of
 *   ERROR_AFTER_FAILURES that has lasted ERROR_AFTER_MS → `error`; when neither refresh nor
 *   health is failing any more → `active`.
 * - **health** (unknown, ok, degraded, failing; probes only): a `rate_limited` probe is recorded
 *   but changes nothing (a throttled probe says nothing of the connection); `auth`/`permission` or
 *   FAILING_AFTER_CHECKS failures in a row → `failing`; a success with a warning (a Stripe
 *   connected account with payouts disabled), a success slower than SLOW_PROBE_MS, or an hourly
 *   error rate above MAX_ERROR_RATE → `degraded`; else `ok`. A connection that expires goes
 *   back to `unknown` (its reconnect is the recovery notice, not the next probe).
 *
 * Every change is recorded in `connection_transitions` by the same statement that makes it,
 * under row locks, so concurrent signals produce one transition per change; each is then told
 * once through the notifier (a failed send is retried by `notifyPendingTransitions`). Health
 * signals also append their check to `connection_health_checks`. Cross-tenant by design (sweeps
 * write many tenants' results at once, as the owner; see docs/decisions/022).
 */
export async function applyConnectionSignals(
  deps: { db: Db; notifier: Notifier },
  signals: readonly ConnectionSignal[],
  options: ApplyOptions = {},
): Promise<SignalResult[]> {
  if (signals.length === 0) return [];
  // One signal per connection and statement (the last one wins); rows are locked in id order.
  const unique = [...new Map(signals.map((s) => [s.connectionId, s])).values()];
  const input = JSON.stringify(
    unique.map((s) => ({
      connection_id: s.connectionId,
      source: s.source,
      ok: s.ok,
      failure_class: s.ok ? null : (s.failureClass ?? "config"),
      reason: s.reason ?? null,
      latency_ms: s.latencyMs === undefined ? null : Math.round(s.latencyMs),
      http_status: s.httpStatus ?? null,
      warning: s.ok ? (s.warning ?? null) : null,
    })),
  );
  const rows = rowsOf<ResultRow>(
    await deps.db.execute(sql`
      with input as (
        select * from jsonb_to_recordset(${input}::jsonb) as i(
          connection_id uuid, source text, ok boolean, failure_class text, reason text,
          latency_ms int, http_status int, warning text)
      ), old as (
        select c.id, c.tenant_id, c.provider, c.status, c.health_state, c.refresh_failures,
          c.health_failures, c.health_error_class, c.failing_since, c.health_window_started_at, c.health_window_checks,
          c.health_window_failures
        from integration_connections c where c.id in (select connection_id from input)
        order by c.id for update
      ), counted as (
        select o.*, i.source, i.ok, i.failure_class, i.reason, i.latency_ms, i.http_status, i.warning,
          -- A throttled probe says nothing about the connection: recorded, never counted.
          (i.source = 'health' and not i.ok and i.failure_class = 'rate_limited') as inconclusive,
          case when i.source = 'refresh' then (case when i.ok then 0 else o.refresh_failures + 1 end)
            else o.refresh_failures end as rf,
          case when i.source <> 'health' then o.health_failures when i.ok then 0
            when i.failure_class = 'rate_limited' then o.health_failures else o.health_failures + 1 end as hf,
          (i.source = 'health' and (o.health_window_started_at is null
            or o.health_window_started_at < now() - interval '1 hour')) as new_window
        from old o join input i on i.connection_id = o.id
      ), windowed as (
        select c.*,
          case when c.rf = 0 and c.hf = 0 then null else coalesce(c.failing_since, now()) end as next_failing_since,
          case when c.source <> 'health' then c.health_window_checks
            when c.new_window then 1 else c.health_window_checks + 1 end as wchecks,
          case when c.source <> 'health' then c.health_window_failures
            when c.new_window then (not c.ok and not c.inconclusive)::int
            else c.health_window_failures + (not c.ok and not c.inconclusive)::int end as wfails
        from counted c
      ), decided as (
        select w.*,
          case
            when w.status not in ('active', 'error') or w.inconclusive then w.status
            when not w.ok and w.failure_class = 'auth' then 'expired'
            when greatest(w.rf, w.hf) >= ${ERROR_AFTER_FAILURES}
              and w.next_failing_since <= now() - make_interval(secs => ${ERROR_AFTER_MS / 1000}) then 'error'
            when w.rf = 0 and w.hf = 0 then 'active'
            else w.status
          end as next_status
        from windowed w
      ), judged as (
        select d.*,
          case
            when d.next_status <> d.status and d.next_status in ('expired', 'disconnected') then 'unknown'
            when d.next_status not in ('active', 'error') or d.source <> 'health' or d.inconclusive
              then d.health_state
            when not d.ok and (d.failure_class in ('auth', 'permission') or d.hf >= ${FAILING_AFTER_CHECKS})
              then 'failing'
            when not d.ok then d.health_state
            when d.warning is not null then 'degraded'
            when d.latency_ms > ${SLOW_PROBE_MS} then 'degraded'
            when d.wchecks >= ${MIN_RATE_SAMPLE} and d.wfails::float8 / d.wchecks > ${MAX_ERROR_RATE}
              then 'degraded'
            else 'ok'
          end as next_health,
          case
            when not d.ok then d.reason
            when d.warning is not null then d.warning
            when d.latency_ms > ${SLOW_PROBE_MS} then 'probe took ' || d.latency_ms || ${` ms (over ${SLOW_PROBE_MS} ms)`}::text
            when d.wchecks >= ${MIN_RATE_SAMPLE} and d.wfails::float8 / d.wchecks > ${MAX_ERROR_RATE}
              then d.wfails || ' of ' || d.wchecks || ' probes failed in the last hour'
            else coalesce(d.reason, case when d.source = 'health' then 'probe succeeded' else 'token refreshed' end)
          end as why
        from decided d
      ), changed as (
        update integration_connections c set
          status = j.next_status,
          status_changed_at = case when j.next_status <> j.status then now() else c.status_changed_at end,
          refresh_failures = j.rf,
          health_failures = j.hf,
          failing_since = j.next_failing_since,
          health_state = j.next_health,
          last_error = case when j.inconclusive then c.last_error when not j.ok then j.reason
            when j.warning is not null then j.warning
            when j.rf = 0 and j.hf = 0 then null else c.last_error end,
          last_error_at = case when j.inconclusive then c.last_error_at when not j.ok then now()
            when j.warning is not null then coalesce(c.last_error_at, now())
            when j.rf = 0 and j.hf = 0 then null else c.last_error_at end,
          health_error_class = case when j.source <> 'health' then c.health_error_class
            when j.ok then null else j.failure_class end,
          last_checked_at = case when j.source = 'health' then now() else c.last_checked_at end,
          last_latency_ms = case when j.source = 'health' then j.latency_ms else c.last_latency_ms end,
          health_window_started_at = case when j.new_window then now() else c.health_window_started_at end,
          health_window_checks = j.wchecks,
          health_window_failures = j.wfails,
          refresh_lease_owner = case when j.next_status <> j.status then null else c.refresh_lease_owner end,
          refresh_lease_until = case when j.next_status <> j.status then null else c.refresh_lease_until end,
          updated_at = now()
        from judged j where c.id = j.id
        returning c.id
      ), checks as (
        insert into connection_health_checks
          (tenant_id, connection_id, provider, outcome, latency_ms, http_status, error_class, error)
        select tenant_id, id, provider,
          case when inconclusive then 'degraded' when not ok then 'failing'
            when warning is not null or latency_ms > ${SLOW_PROBE_MS} then 'degraded' else 'ok' end,
          latency_ms, http_status, failure_class, case when ok then warning else reason end
        from judged where source = 'health'
        returning id
      ), status_t as (
        insert into connection_transitions (tenant_id, connection_id, kind, from_status, to_status, reason)
        select tenant_id, id, 'status', status, next_status, why from judged where next_status <> status
        returning id, connection_id, kind, from_status, to_status, reason
      ), health_t as (
        insert into connection_transitions (tenant_id, connection_id, kind, from_status, to_status, reason)
        select tenant_id, id, 'health', health_state, next_health, why from judged
        where next_health <> health_state and next_status = status
          and not (health_state = 'unknown' and next_health = 'ok')
        returning id, connection_id, kind, from_status, to_status, reason
      ), transitions as (
        select * from status_t union all select * from health_t
      )
      select j.id, j.tenant_id, j.provider, j.next_status as status, j.next_health as health_state,
        j.rf, j.hf, j.health_error_class as previous_class, t.id as transition_id, t.kind, t.from_status, t.to_status, t.reason,
        (select count(*) from changed) + (select count(*) from checks) as written
      from judged j left join transitions t on t.connection_id = j.id`),
  );
  const results = rows.map((row) => ({
    connectionId: row.id,
    tenantId: row.tenant_id,
    provider: row.provider,
    status: row.status,
    healthState: row.health_state,
    refreshFailures: Number(row.rf),
    healthFailures: Number(row.hf),
    previousFailureClass: row.previous_class,
    transition: row.transition_id
      ? ({
          id: row.transition_id,
          kind: row.kind ?? "status",
          tenantId: row.tenant_id,
          connectionId: row.id,
          provider: row.provider,
          fromStatus: row.from_status as Transition["fromStatus"],
          toStatus: row.to_status as Transition["toStatus"],
          reason: row.reason,
        } satisfies Transition)
      : undefined,
  }));
  if (options.notify !== false) {
    for (const result of results) {
      if (result.transition) await deps.notifier.notify(result.transition);
    }
  }
  return results;
}
