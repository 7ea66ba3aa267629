import { randomBytes } from "node:crypto";
import { and, desc, eq, sql } from "drizzle-orm";
import { type RunStatus, taskRuns } from "../../db/local-runtime/schema.ts";
import { type Db, rowsOf } from "../../src/db/types.ts";
import { type AttemptOutcome, withAttempt } from "./attempt-log.ts";
import { jsonbSafe } from "./jsonb-safe.ts";

export type RunRow = typeof taskRuns.$inferSelect;

export interface NewRun {
  taskId: string;
  payload: string | undefined;
  payloadType: string;
  idempotencyKey?: string | undefined;
  idempotencyKeyTtlMs?: number | undefined;
  concurrencyKey?: string | undefined;
  queue?: string | undefined;
  tags?: string[] | undefined;
  maxAttempts?: number | undefined;
  runAt?: Date | undefined;
  parentRunId?: string | undefined;
  batchId?: string | undefined;
  batchIndex?: number | undefined;
  priority?: number | undefined;
  machine?: string | undefined;
  /** The `ttl` option as given, and its length: a run still queued that long after it is due expires. */
  ttl?: string | undefined;
  ttlMs?: number | undefined;
  metadata?: Record<string, unknown> | undefined;
  scheduleId?: string | undefined;
}

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";
export function newId(prefix: string): string {
  const bytes = randomBytes(21);
  let out = "";
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
  return `${prefix}_${out}`;
}

const DEFAULT_KEY_TTL_MS = 30 * 24 * 3600 * 1000;

type RunColumns = ReturnType<typeof columnsOf>;

/** A new run as `task_runs` columns (snake case, for `jsonb_to_recordset`). */
function columnsOf(run: NewRun) {
  const runAt = run.runAt ?? new Date();
  const delayed = run.runAt !== undefined && run.runAt.getTime() > Date.now();
  return {
    task_id: run.taskId,
    payload: run.payload ?? null,
    payload_type: run.payloadType,
    idempotency_key: run.idempotencyKey ?? null,
    concurrency_key: run.concurrencyKey ?? null,
    queue: run.queue ?? null,
    tags: run.tags ?? [],
    max_attempts: run.maxAttempts ?? null,
    run_at: runAt.toISOString(),
    parent_run_id: run.parentRunId ?? null,
    batch_id: run.batchId ?? null,
    batch_index: run.batchIndex ?? null,
    priority: Math.round(run.priority ?? 0),
    machine: run.machine ?? null,
    ttl: run.ttl ?? null,
    expires_at: run.ttlMs === undefined ? null : new Date(runAt.getTime() + run.ttlMs).toISOString(),
    delayed_until: delayed ? runAt.toISOString() : null,
    metadata: run.metadata ?? null,
    schedule_id: run.scheduleId ?? null,
  };
}

/** The local runtime's run records (`task_runs`). Trigger.dev keeps its own in production. */
export class RunStore {
  constructor(private readonly db: Db) {}

  /**
   * Creates a queued run, or returns the live run already holding the same idempotency key
   * (`isCached: true`). A failed run releases its key; an expired key is released on reuse.
   */
  async create(run: NewRun): Promise<{ id: string; isCached: boolean }> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const id = newId("run");
      const expires = run.idempotencyKey
        ? new Date(Date.now() + (run.idempotencyKeyTtlMs ?? DEFAULT_KEY_TTL_MS))
        : undefined;
      const inserted = await this.insertRows([
        { ...columnsOf(run), id, idempotency_key_expires_at: expires?.toISOString() ?? null },
      ]);
      if (inserted[0]) return { id: inserted[0].id, isCached: false };
      const existing = await this.findLive(run);
      if (!existing) continue; // the holder failed or vanished between the two statements
      if (existing.idempotencyKeyExpiresAt && existing.idempotencyKeyExpiresAt.getTime() < Date.now()) {
        await this.db
          .update(taskRuns)
          .set({ idempotencyKey: null, updatedAt: new Date() })
          .where(eq(taskRuns.id, existing.id));
        continue;
      }
      return { id: existing.id, isCached: true };
    }
    throw new Error(`Could not create a run of ${run.taskId}: idempotency key kept changing hands`);
  }

  /**
   * Creates many runs with one statement (batch triggers). Items whose idempotency key or batch
   * index is already taken resolve to the existing run with `isCached: true`.
   */
  async createMany(runs: NewRun[]): Promise<{ id: string; isCached: boolean }[]> {
    if (runs.length === 0) return [];
    const rows = runs.map((run) => ({
      ...columnsOf(run),
      id: newId("run"),
      idempotency_key_expires_at: run.idempotencyKey
        ? new Date(Date.now() + (run.idempotencyKeyTtlMs ?? DEFAULT_KEY_TTL_MS)).toISOString()
        : null,
    }));
    const inserted = new Set((await this.insertRows(rows)).map((r) => r.id));
    const results: { id: string; isCached: boolean }[] = [];
    for (const [index, row] of rows.entries()) {
      if (inserted.has(row.id)) results.push({ id: row.id, isCached: false });
      else results.push(await this.create(runs[index]!)); // rare: resolve the duplicate one by one
    }
    return results;
  }

  /** One statement for any number of rows; rows whose key or batch index is taken are skipped. */
  private async insertRows(rows: (RunColumns & { id: string; idempotency_key_expires_at: string | null })[]) {
    return rowsOf<{ id: string }>(
      await this.db.execute(sql`insert into task_runs (id, task_id, payload, payload_type, idempotency_key,
          idempotency_key_expires_at, concurrency_key, queue, tags, max_attempts, run_at, parent_run_id,
          batch_id, batch_index, priority, machine, ttl, expires_at, delayed_until, metadata, schedule_id)
        select id, task_id, payload, payload_type, idempotency_key, idempotency_key_expires_at,
          concurrency_key, queue, array(select jsonb_array_elements_text(tags)), max_attempts, run_at,
          parent_run_id, batch_id, batch_index, priority, machine, ttl, expires_at, delayed_until, metadata,
          schedule_id
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(id text, task_id text, payload text,
          payload_type text, idempotency_key text, idempotency_key_expires_at timestamptz,
          concurrency_key text, queue text, tags jsonb, max_attempts int, run_at timestamptz,
          parent_run_id text, batch_id text, batch_index int, priority int, machine text, ttl text,
          expires_at timestamptz, delayed_until timestamptz, metadata jsonb, schedule_id text)
        on conflict do nothing returning id`),
    );
  }

  private async findLive(run: NewRun): Promise<RunRow | undefined> {
    if (run.batchId !== undefined && run.batchIndex !== undefined) {
      const [byIndex] = await this.db
        .select()
        .from(taskRuns)
        .where(and(eq(taskRuns.batchId, run.batchId), eq(taskRuns.batchIndex, run.batchIndex)));
      if (byIndex) return byIndex;
    }
    if (!run.idempotencyKey) return undefined;
    const [row] = await this.db
      .select()
      .from(taskRuns)
      .where(
        and(
          eq(taskRuns.taskId, run.taskId),
          eq(taskRuns.idempotencyKey, run.idempotencyKey),
          sql`${taskRuns.status} <> 'failed'`,
        ),
      );
    return row;
  }

  /**
   * Queued runs that are due, oldest first (candidates; `claim` decides). With `scope`, only
   * those runs and runs they triggered.
   */
  async due(limit: number, scope?: ReadonlySet<string>): Promise<RunRow[]> {
    const ids = scope ? `{${[...scope].join(",")}}` : undefined;
    return (
      this.db
        .select()
        .from(taskRuns)
        .where(
          and(
            eq(taskRuns.status, "queued"),
            sql`${taskRuns.runAt} <= now()`,
            sql`(${taskRuns.expiresAt} is null or ${taskRuns.expiresAt} > now())`,
            ids
              ? sql`(${taskRuns.id} = any(${ids}::text[]) or ${taskRuns.parentRunId} = any(${ids}::text[]))`
              : undefined,
          ),
        )
        // Priority N runs as if it had been queued N seconds earlier, as on Trigger.dev.
        .orderBy(sql`${taskRuns.runAt} - make_interval(secs => ${taskRuns.priority})`, taskRuns.createdAt)
        .limit(limit)
    );
  }

  /** Compare-and-set from queued to running: exactly one executor wins a run. */
  async claim(id: string, owner: string, leaseMs: number): Promise<RunRow | undefined> {
    const [row] = await this.db
      .update(taskRuns)
      .set({
        status: "running",
        attempts: sql`${taskRuns.attempts} + 1`,
        leaseOwner: owner,
        leaseUntil: new Date(Date.now() + leaseMs),
        startedAt: sql`coalesce(${taskRuns.startedAt}, now())`,
        updatedAt: new Date(),
      })
      .where(
        and(
          eq(taskRuns.id, id),
          eq(taskRuns.status, "queued"),
          sql`(${taskRuns.expiresAt} is null or ${taskRuns.expiresAt} > now())`,
        ),
      )
      .returning();
    return row;
  }

  /** Ends a lease now (its attempt was lost with its worker): the reaper takes the run back on its next pass. */
  async releaseLease(id: string, owner: string): Promise<void> {
    await this.db.execute(sql`update task_runs set lease_until = now() - interval '1 millisecond'
      where id = ${id} and lease_owner = ${owner} and status = 'running'`);
  }

  async extendLeases(ids: string[], owner: string, leaseMs: number): Promise<void> {
    if (ids.length === 0) return;
    await this.db.execute(sql`update task_runs set lease_until = ${new Date(Date.now() + leaseMs).toISOString()}
      where lease_owner = ${owner} and status = 'running' and id = any(${`{${ids.join(",")}}`}::text[])`);
  }

  /** Settles or hands back a run this owner leases; with `attempt`, records it in the same statement. */
  async finish(
    id: string,
    owner: string,
    outcome: {
      status: Extract<RunStatus, "completed" | "failed" | "queued" | "interrupted">;
      output?: unknown;
      error?: unknown;
      metadata?: Record<string, unknown> | undefined;
      runAt?: Date;
    },
    attempt?: AttemptOutcome,
  ): Promise<void> {
    const terminal = outcome.status === "completed" || outcome.status === "failed";
    const change = this.db
      .update(taskRuns)
      .set({
        status: outcome.status,
        ...(outcome.output === undefined ? {} : { output: jsonbSafe(outcome.output) }),
        ...(outcome.error === undefined ? {} : { error: jsonbSafe(outcome.error) }),
        ...(outcome.metadata === undefined
          ? {}
          : { metadata: jsonbSafe(outcome.metadata) as Record<string, unknown> }),
        ...(outcome.runAt ? { runAt: outcome.runAt } : {}),
        ...(terminal ? { completedAt: new Date() } : {}),
        leaseOwner: null,
        leaseUntil: null,
        updatedAt: new Date(),
      })
      .where(and(eq(taskRuns.id, id), eq(taskRuns.leaseOwner, owner)))
      .returning({ id: taskRuns.id });
    await (attempt ? this.db.execute(withAttempt(change, attempt)) : change);
  }

  /**
   * Puts interrupted runs (graceful shutdown) and runs whose executor died (lease expired) back
   * in the queue. Returns how many.
   */
  async requeueAbandoned(): Promise<number> {
    const rows = rowsOf(
      await this.db.execute(sql`update task_runs set status = 'queued', run_at = now(), lease_owner = null,
          lease_until = null, updated_at = now()
        where status = 'interrupted' or (status = 'running' and lease_until < now()) returning id`),
    );
    return rows.length;
  }

  /** Cancels a run that has not finished; returns it, or undefined when it had already finished. */
  async cancel(id: string): Promise<RunRow | undefined> {
    const [row] = await this.db
      .update(taskRuns)
      .set({
        status: "canceled",
        completedAt: new Date(),
        leaseOwner: null,
        leaseUntil: null,
        updatedAt: new Date(),
      })
      .where(and(eq(taskRuns.id, id), sql`${taskRuns.status} in ('queued', 'running', 'interrupted')`))
      .returning();
    return row;
  }

  /** Moves a delayed run (queued, never attempted, still waiting) to a new time. */
  async reschedule(id: string, runAt: Date): Promise<RunRow | undefined> {
    const [row] = await this.db
      .update(taskRuns)
      .set({ runAt, delayedUntil: runAt, updatedAt: new Date() })
      .where(
        and(
          eq(taskRuns.id, id),
          eq(taskRuns.status, "queued"),
          eq(taskRuns.attempts, 0),
          sql`${taskRuns.delayedUntil} > now()`,
        ),
      )
      .returning();
    return row;
  }

  /** Queued runs whose `ttl` passed before they started become `expired`. Returns their ids. */
  async expireQueued(): Promise<string[]> {
    return rowsOf<{ id: string }>(
      await this.db.execute(sql`update task_runs set status = 'expired', completed_at = now(), updated_at = now(),
          error = jsonb_build_object('name', 'Expired', 'message', 'The run expired: its ttl (' || ttl || ') passed before it started')
        where status = 'queued' and expires_at <= now() returning id`),
    ).map((r) => r.id);
  }

  /** Running runs whose lease expired (their executor died or lost the database). */
  async leaseExpired(limit = 100): Promise<RunRow[]> {
    return this.db
      .select()
      .from(taskRuns)
      .where(and(eq(taskRuns.status, "running"), sql`${taskRuns.leaseUntil} < now()`))
      .limit(limit);
  }

  /**
   * Takes back a run whose lease expired: to the queue, or `failed` when it used its attempts.
   * Compare-and-set on the expired lease, so a run whose executor renewed in time is left alone;
   * the lost attempt is recorded by the same statement.
   */
  async reap(row: RunRow, outcome: "queued" | "failed", error: unknown): Promise<boolean> {
    const change = this.db
      .update(taskRuns)
      .set({
        status: outcome,
        error,
        leaseOwner: null,
        leaseUntil: null,
        updatedAt: new Date(),
        ...(outcome === "queued" ? { runAt: new Date() } : { completedAt: new Date() }),
      })
      .where(
        and(
          eq(taskRuns.id, row.id),
          eq(taskRuns.status, "running"),
          sql`${taskRuns.leaseUntil} < now()`,
          row.leaseOwner ? eq(taskRuns.leaseOwner, row.leaseOwner) : undefined,
        ),
      )
      .returning({ id: taskRuns.id });
    const lost = { number: row.attempts, status: "lost" as const, error };
    return rowsOf(await this.db.execute(withAttempt(change, lost))).length > 0;
  }

  /** Saves the metadata a running run set, so `runs.retrieve` shows it while it runs. */
  async saveMetadata(id: string, owner: string, metadata: Record<string, unknown>): Promise<void> {
    await this.db
      .update(taskRuns)
      .set({ metadata: jsonbSafe(metadata) as Record<string, unknown>, updatedAt: new Date() })
      .where(and(eq(taskRuns.id, id), eq(taskRuns.leaseOwner, owner)));
  }

  async get(id: string): Promise<RunRow | undefined> {
    const [row] = await this.db.select().from(taskRuns).where(eq(taskRuns.id, id));
    return row;
  }

  async list(filter: {
    taskId?: string | undefined;
    status?: string | undefined;
    limit?: number;
  }): Promise<RunRow[]> {
    const conditions = [];
    if (filter.taskId) conditions.push(eq(taskRuns.taskId, filter.taskId));
    if (filter.status) conditions.push(eq(taskRuns.status, filter.status as RunStatus));
    return this.db
      .select()
      .from(taskRuns)
      .where(conditions.length ? and(...conditions) : undefined)
      .orderBy(desc(taskRuns.createdAt), desc(taskRuns.id))
      .limit(filter.limit ?? 100);
  }
}

/** The JSON shape of a run for `GET /runs` and the CLI (camelCase, no internals). */
export function runView(row: RunRow) {
  let payload: unknown = row.payload;
  if (row.payload && row.payloadType.includes("json")) {
    try {
      const parsed = JSON.parse(row.payload) as { json?: unknown };
      payload = row.payloadType === "application/super+json" ? parsed.json : parsed;
    } catch {
      payload = row.payload;
    }
  }
  return {
    id: row.id,
    taskId: row.taskId,
    status: row.status,
    attempts: row.attempts,
    payload,
    output: row.output ?? null,
    error: row.error ?? null,
    metadata: row.metadata ?? null,
    idempotencyKey: row.idempotencyKey,
    concurrencyKey: row.concurrencyKey,
    tags: row.tags,
    parentRunId: row.parentRunId,
    batchId: row.batchId,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    completedAt: row.completedAt?.toISOString() ?? null,
  };
}
export type RunView = ReturnType<typeof runView>;
