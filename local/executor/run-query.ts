import { and, asc, desc, eq, inArray, or, type SQL, sql } from "drizzle-orm";
import { taskRuns } from "../../db/local-runtime/schema.ts";
import type { Db } from "../../src/db/types.ts";
import type { RunRow } from "./run-store.ts";

/** Run statuses as Trigger.dev's API names them (upper case). */
export const apiRunStatuses = [
  "PENDING_VERSION",
  "QUEUED",
  "DEQUEUED",
  "EXECUTING",
  "WAITING",
  "COMPLETED",
  "CANCELED",
  "FAILED",
  "CRASHED",
  "SYSTEM_FAILURE",
  "DELAYED",
  "EXPIRED",
  "TIMED_OUT",
] as const;
export type ApiRunStatus = (typeof apiRunStatuses)[number];

/** The API status of a stored run. */
export function apiStatusOf(row: RunRow, now = Date.now()): ApiRunStatus {
  switch (row.status) {
    case "queued":
      return row.delayedUntil && row.delayedUntil.getTime() > now && row.attempts === 0
        ? "DELAYED"
        : "QUEUED";
    case "interrupted":
      return "QUEUED"; // re-queued by the next start or the reaper
    case "running":
      return "EXECUTING";
    case "completed":
      return "COMPLETED";
    case "failed":
      return "FAILED";
    case "canceled":
      return "CANCELED";
    case "expired":
      return "EXPIRED";
  }
}

const delayed = sql`(${taskRuns.delayedUntil} > now() and ${taskRuns.attempts} = 0)`;

/** The SQL condition for one API status (statuses the local runtime never produces match nothing). */
function statusCondition(status: ApiRunStatus): SQL {
  switch (status) {
    case "QUEUED":
      return sql`(${taskRuns.status} = 'interrupted' or (${taskRuns.status} = 'queued' and not ${delayed}))`;
    case "DELAYED":
      return sql`(${taskRuns.status} = 'queued' and ${delayed})`;
    case "EXECUTING":
      return sql`${taskRuns.status} = 'running'`;
    case "COMPLETED":
    case "FAILED":
    case "CANCELED":
    case "EXPIRED":
      return sql`${taskRuns.status} = ${status.toLowerCase()}`;
    default:
      return sql`false`;
  }
}

export interface RunQuery {
  statuses?: ApiRunStatus[];
  taskIds?: string[];
  /** Runs carrying any of these tags. */
  tags?: string[];
  createdFrom?: Date;
  createdTo?: Date;
  batchId?: string;
  scheduleId?: string;
  queues?: string[];
  machines?: string[];
  /** Only test runs (the local runtime has none). */
  onlyTestRuns?: boolean;
  /** Page size (1-100). */
  limit: number;
  /** Cursor: runs older than this run id (the next page). */
  after?: string;
  /** Cursor: runs newer than this run id (the previous page). */
  before?: string;
}

export interface RunPage {
  rows: RunRow[];
  /** Cursor of the next (older) page, when there is one. */
  next?: string;
  /** Cursor of the previous (newer) page, when there is one. */
  previous?: string;
}

function filters(query: RunQuery): SQL[] {
  const conditions: SQL[] = [];
  if (query.onlyTestRuns) conditions.push(sql`false`);
  if (query.statuses?.length) conditions.push(or(...query.statuses.map(statusCondition))!);
  if (query.taskIds?.length) conditions.push(inArray(taskRuns.taskId, query.taskIds));
  if (query.tags?.length)
    conditions.push(
      sql`${taskRuns.tags} && ${`{${query.tags.map((t) => JSON.stringify(t)).join(",")}}`}::text[]`,
    );
  if (query.createdFrom) conditions.push(sql`${taskRuns.createdAt} >= ${query.createdFrom.toISOString()}`);
  if (query.createdTo) conditions.push(sql`${taskRuns.createdAt} <= ${query.createdTo.toISOString()}`);
  if (query.batchId) conditions.push(eq(taskRuns.batchId, query.batchId));
  if (query.scheduleId) conditions.push(eq(taskRuns.scheduleId, query.scheduleId));
  if (query.queues?.length) {
    conditions.push(
      sql`coalesce(${taskRuns.queue}, 'task/' || ${taskRuns.taskId}) in ${sql`(${sql.join(
        query.queues.map((q) => sql`${q}`),
        sql`, `,
      )})`}`,
    );
  }
  if (query.machines?.length) conditions.push(inArray(taskRuns.machine, query.machines));
  return conditions;
}

/**
 * One page of runs, newest first, filtered as Trigger.dev's `runs.list` filters, with cursor
 * pagination on (created_at, id). Reusable by anything that lists runs (CLI, dashboard).
 */
export async function listRuns(db: Db, query: RunQuery): Promise<RunPage> {
  const cursorId = query.after ?? query.before;
  const conditions = filters(query);
  if (cursorId) {
    const cursor = sql`(select created_at from task_runs where id = ${cursorId})`;
    conditions.push(
      query.after
        ? sql`(${taskRuns.createdAt}, ${taskRuns.id}) < (${cursor}, ${cursorId})`
        : sql`(${taskRuns.createdAt}, ${taskRuns.id}) > (${cursor}, ${cursorId})`,
    );
  }
  const backwards = Boolean(query.before);
  const fetched = await db
    .select()
    .from(taskRuns)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(
      ...(backwards
        ? [asc(taskRuns.createdAt), asc(taskRuns.id)]
        : [desc(taskRuns.createdAt), desc(taskRuns.id)]),
    )
    .limit(query.limit + 1);
  const more = fetched.length > query.limit;
  const rows = fetched.slice(0, query.limit);
  if (backwards) rows.reverse();
  const first = rows[0]?.id;
  const last = rows.at(-1)?.id;
  if (backwards) {
    return { rows, ...(more && first ? { previous: first } : {}), ...(last ? { next: last } : {}) };
  }
  return { rows, ...(more && last ? { next: last } : {}), ...(cursorId && first ? { previous: first } : {}) };
}
