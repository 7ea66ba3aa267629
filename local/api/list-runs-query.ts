import { parseDurationMs } from "../duration.ts";
import { type ApiRunStatus, apiRunStatuses, type RunQuery } from "../executor/run-query.ts";

export class QueryError extends Error {}

const LIST_PARAMS = new Set([
  "filter[status]",
  "filter[taskIdentifier]",
  "filter[version]",
  "filter[tag]",
  "filter[schedule]",
  "filter[isTest]",
  "filter[createdAt][from]",
  "filter[createdAt][to]",
  "filter[createdAt][period]",
  "filter[batch]",
  "filter[queue]",
  "filter[machine]",
  "filter[region]",
  "filter[bulkAction]",
  "page[size]",
  "page[after]",
  "page[before]",
]);

const list = (value: string | null) =>
  value === null
    ? undefined
    : value
        .split(",")
        .map((v) => v.trim())
        .filter(Boolean);

function date(name: string, value: string | null): Date | undefined {
  if (value === null) return undefined;
  const parsed = /^\d+$/.test(value) ? new Date(Number(value)) : new Date(value);
  if (Number.isNaN(parsed.getTime()))
    throw new QueryError(`${name} must be a timestamp in ms or an ISO date`);
  return parsed;
}

/** `runs.list` query parameters (`filter[...]`, `page[...]`) as a run query; anything malformed is a 400. */
export function parseListRunsQuery(params: URLSearchParams): RunQuery {
  for (const name of params.keys()) {
    if (!LIST_PARAMS.has(name)) throw new QueryError(`Unknown query parameter ${name}`);
  }
  const statuses = list(params.get("filter[status]"));
  const unknown = statuses?.filter((s) => !(apiRunStatuses as readonly string[]).includes(s));
  if (unknown?.length) throw new QueryError(`filter[status]: unknown status ${unknown.join(", ")}`);
  const size = params.get("page[size]");
  const limit = size === null ? 25 : Number(size);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new QueryError("page[size] must be 1-100");
  const period = params.get("filter[createdAt][period]");
  const periodMs = period === null ? undefined : parseDurationMs(period);
  if (period !== null && periodMs === undefined)
    throw new QueryError("filter[createdAt][period] must be like 1d, 6h");
  const from = date("filter[createdAt][from]", params.get("filter[createdAt][from]"));
  const query: RunQuery = {
    limit,
    ...(statuses ? { statuses: statuses as ApiRunStatus[] } : {}),
    ...(list(params.get("filter[taskIdentifier]"))
      ? { taskIds: list(params.get("filter[taskIdentifier]"))! }
      : {}),
    ...(list(params.get("filter[tag]")) ? { tags: list(params.get("filter[tag]"))! } : {}),
    ...(list(params.get("filter[queue]")) ? { queues: list(params.get("filter[queue]"))! } : {}),
    ...(list(params.get("filter[machine]")) ? { machines: list(params.get("filter[machine]"))! } : {}),
    ...(params.get("filter[batch]") ? { batchId: params.get("filter[batch]")! } : {}),
    ...(params.get("filter[schedule]") ? { scheduleId: params.get("filter[schedule]")! } : {}),
    // The SDK keeps `after` when it asks for the previous page: `before` wins.
    ...(params.get("page[before]")
      ? { before: params.get("page[before]")! }
      : params.get("page[after]")
        ? { after: params.get("page[after]")! }
        : {}),
  };
  const createdFrom = periodMs === undefined ? from : new Date(Date.now() - periodMs);
  const createdTo = date("filter[createdAt][to]", params.get("filter[createdAt][to]"));
  if (createdFrom) query.createdFrom = createdFrom;
  if (createdTo) query.createdTo = createdTo;
  const isTest = params.get("filter[isTest]");
  if (isTest !== null && isTest !== "true" && isTest !== "false")
    throw new QueryError("filter[isTest] must be true or false");
  if (isTest === "true") query.onlyTestRuns = true; // the local runtime has no test runs
  return query;
}
