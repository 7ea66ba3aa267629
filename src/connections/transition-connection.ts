import { sql } from "drizzle-orm";
import type { ConnectionStatus, HealthState } from "../../db/schema.ts";
import { type Db, rowsOf } from "../db/types.ts";

/**
 * A recorded change of a connection: of its `status` (active, expired, error, disconnected), or
 * of its `health` (unknown, ok, degraded, failing). Absent `kind` means `status`.
 */
export interface Transition {
  id: string;
  kind?: "status" | "health";
  tenantId: string;
  connectionId: string;
  provider: string;
  fromStatus: ConnectionStatus | HealthState;
  toStatus: ConnectionStatus | HealthState;
  reason: string | null;
}

/**
 * Moves a connection from one of `from` to `to` and records the transition, in one statement.
 * Only the caller whose compare-and-set wins gets a transition back, so concurrent failures of
 * one connection produce one transition (and one notification).
 */
export async function transitionConnection(
  db: Db,
  input: {
    connectionId: string;
    provider: string;
    from: ConnectionStatus[];
    to: ConnectionStatus;
    reason: string;
  },
): Promise<Transition | undefined> {
  const failing = input.to === "expired" || input.to === "error";
  const [row] = rowsOf<{
    id: string;
    tenant_id: string;
    connection_id: string;
    from_status: ConnectionStatus;
  }>(
    await db.execute(sql`
      with old as (
        select id, status from integration_connections where id = ${input.connectionId} for update
      ), changed as (
        update integration_connections c set
          status = ${input.to},
          status_changed_at = now(),
          last_error = case when ${failing} then ${input.reason} else c.last_error end,
          last_error_at = case when ${failing} then now() else c.last_error_at end,
          refresh_lease_owner = null,
          refresh_lease_until = null,
          updated_at = now()
        from old
        where c.id = old.id and old.status = any(${`{${input.from.join(",")}}`}::text[])
        returning c.id, c.tenant_id, old.status as old_status
      )
      insert into connection_transitions (tenant_id, connection_id, from_status, to_status, reason)
      select tenant_id, id, old_status, ${input.to}, ${input.reason} from changed
      returning id, tenant_id, connection_id, from_status`),
  );
  if (!row) return undefined;
  return {
    id: row.id,
    tenantId: row.tenant_id,
    connectionId: row.connection_id,
    provider: input.provider,
    fromStatus: row.from_status,
    toStatus: input.to,
    reason: input.reason,
  };
}

/** Records a transition that already happened (a reconnect that revived an expired connection). */
export async function recordTransition(db: Db, t: Omit<Transition, "id">): Promise<Transition> {
  const [row] = rowsOf<{ id: string }>(
    await db.execute(sql`insert into connection_transitions (tenant_id, connection_id, from_status, to_status, reason)
      values (${t.tenantId}, ${t.connectionId}, ${t.fromStatus}, ${t.toStatus}, ${t.reason}) returning id`),
  );
  return { ...t, id: row!.id };
}
