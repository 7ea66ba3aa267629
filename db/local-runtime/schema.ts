import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

/**
 * Tables of the local runtime (`npm start`, the CLI): runs, batches and cron ticks. Trigger.dev
 * keeps its own in production, so these have their own migration set (`db/local-runtime/
 * migrations`, applied by the local runtime only); `npm run db:migrate` never creates them.
 */

const timestamps = {
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
};

export const runStatuses = [
  "queued",
  "running",
  "completed",
  "failed",
  "interrupted",
  "canceled",
  "expired",
] as const;
export type RunStatus = (typeof runStatuses)[number];

/** Runs of the local runtime (Trigger.dev keeps its own in production). Not tenant-owned. */
export const taskRuns = pgTable(
  "task_runs",
  {
    id: text("id").primaryKey(),
    taskId: text("task_id").notNull(),
    payload: text("payload"),
    payloadType: text("payload_type").notNull().default("application/json"),
    status: text("status").$type<RunStatus>().notNull().default("queued"),
    attempts: integer("attempts").notNull().default(0),
    maxAttempts: integer("max_attempts"),
    output: jsonb("output"),
    error: jsonb("error"),
    /** Run metadata the task set (progress such as processed/total). */
    metadata: jsonb("metadata").$type<Record<string, unknown>>(),
    idempotencyKey: text("idempotency_key"),
    idempotencyKeyExpiresAt: timestamp("idempotency_key_expires_at", { withTimezone: true }),
    concurrencyKey: text("concurrency_key"),
    queue: text("queue"),
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    /** Trigger.dev priority: seconds this run jumps ahead of runs queued at the same time. */
    priority: integer("priority").notNull().default(0),
    /** The machine preset asked for (the local runtime has one machine; ctx reports the preset). */
    machine: text("machine"),
    /** The `ttl` option as given, and when a still-queued run expires. */
    ttl: text("ttl"),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    /** Set while a run waits for its `delay` (status DELAYED through the run API). */
    delayedUntil: timestamp("delayed_until", { withTimezone: true }),
    /** The imperative schedule (`task_schedules`) that started this run. */
    scheduleId: text("schedule_id"),
    parentRunId: text("parent_run_id"),
    batchId: text("batch_id"),
    batchIndex: integer("batch_index"),
    runAt: timestamp("run_at", { withTimezone: true }).notNull().defaultNow(),
    leaseOwner: text("lease_owner"),
    leaseUntil: timestamp("lease_until", { withTimezone: true }),
    startedAt: timestamp("started_at", { withTimezone: true }),
    completedAt: timestamp("completed_at", { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("task_runs_idempotency_uq")
      .on(t.taskId, t.idempotencyKey)
      .where(sql`${t.idempotencyKey} is not null and ${t.status} <> 'failed'`),
    uniqueIndex("task_runs_batch_item_uq").on(t.batchId, t.batchIndex),
    index("task_runs_due_idx").on(t.runAt).where(sql`${t.status} = 'queued'`),
    index("task_runs_task_status_idx").on(t.taskId, t.status, t.createdAt),
    index("task_runs_created_idx").on(t.createdAt, t.id),
    index("task_runs_lease_idx").on(t.leaseUntil).where(sql`${t.status} = 'running'`),
    check(
      "task_runs_status_ck",
      sql`${t.status} in ('queued', 'running', 'completed', 'failed', 'interrupted', 'canceled', 'expired')`,
    ),
  ],
);

export const taskBatches = pgTable("task_batches", {
  id: text("id").primaryKey(),
  runCount: integer("run_count").notNull(),
  /** Items received so far (deduplicated ones included); the batch is sealed at `run_count`. */
  itemsReceived: integer("items_received").notNull().default(0),
  idempotencyKey: text("idempotency_key").unique(),
  parentRunId: text("parent_run_id"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

/** One row per cron tick a local runtime fired: the unique key makes each tick fire once. */
export const scheduleTicks = pgTable(
  "schedule_ticks",
  {
    taskId: text("task_id").notNull(),
    scheduledFor: timestamp("scheduled_for", { withTimezone: true }).notNull(),
    runId: text("run_id").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.taskId, t.scheduledFor] })],
);

/** Imperative schedules (`schedules.create`); declarative ones live in the task manifests. */
export const taskSchedules = pgTable("task_schedules", {
  id: text("id").primaryKey(),
  taskId: text("task_id").notNull(),
  cron: text("cron").notNull(),
  timezone: text("timezone").notNull().default("UTC"),
  externalId: text("external_id"),
  deduplicationKey: text("deduplication_key").notNull().unique(),
  window: text("window"),
  active: boolean("active").notNull().default(true),
  ...timestamps,
});

/**
 * One row per finished attempt of a local run (the dashboard's attempt history): how it ended,
 * how long it took, its error with stack, and the delay before the next attempt when it retried.
 */
export const taskRunAttempts = pgTable(
  "task_run_attempts",
  {
    runId: text("run_id").notNull(),
    number: integer("number").notNull(),
    /** completed, failed, retrying (a retry follows), canceled, interrupted, lost (lease expired). */
    status: text("status").notNull(),
    /** Unknown for an attempt whose executor died (its start was never recorded). */
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }).notNull().defaultNow(),
    error: jsonb("error"),
    retryDelayMs: integer("retry_delay_ms"),
  },
  (t) => [primaryKey({ columns: [t.runId, t.number] })],
);
