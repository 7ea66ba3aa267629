import type { ApiRunStatus, RunQuery } from "../executor/run-query.ts";

/** Statuses the local runtime produces, as the filter offers them. */
export const RUN_STATUSES: ApiRunStatus[] = [
  "QUEUED",
  "DELAYED",
  "EXECUTING",
  "COMPLETED",
  "FAILED",
  "CANCELED",
  "EXPIRED",
];

export interface RunsFilter {
  task: string;
  status: string;
  tag: string;
  from: string;
  to: string;
  after: string;
  before: string;
}

/** A `datetime-local` value (read as UTC) or an ISO date; undefined when empty or malformed. */
function utcDate(value: string): Date | undefined {
  if (!value) return undefined;
  const text = /(Z|[+-]\d\d:?\d\d)$/.test(value) ? value : `${value}Z`;
  const date = new Date(text);
  // Years PostgreSQL's timestamptz and JavaScript agree on; anything else is ignored like garbage.
  const year = date.getUTCFullYear();
  return Number.isNaN(date.getTime()) || year < 1 || year > 9999 ? undefined : date;
}

/** The runs page's query string as a filter (what the form shows) and a run query (what is listed). */
export function parseRunsFilter(
  params: URLSearchParams,
  pageSize = 25,
): { filter: RunsFilter; query: RunQuery } {
  const get = (name: string) => (params.get(name) ?? "").trim();
  const filter: RunsFilter = {
    task: get("task"),
    status: RUN_STATUSES.includes(get("status") as ApiRunStatus) ? get("status") : "",
    tag: get("tag"),
    from: get("from"),
    to: get("to"),
    after: get("after"),
    before: get("before"),
  };
  const from = utcDate(filter.from);
  const to = utcDate(filter.to);
  const query: RunQuery = {
    limit: pageSize,
    ...(filter.task ? { taskIds: [filter.task] } : {}),
    ...(filter.status ? { statuses: [filter.status as ApiRunStatus] } : {}),
    ...(filter.tag ? { tags: [filter.tag] } : {}),
    ...(from ? { createdFrom: from } : {}),
    ...(to ? { createdTo: to } : {}),
    ...(filter.before ? { before: filter.before } : filter.after ? { after: filter.after } : {}),
  };
  return { filter, query };
}
