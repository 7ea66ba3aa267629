import type { DatabaseKind } from "../src/db/types.ts";
import { logger } from "../src/observability/logger.ts";
import { routeRequest } from "../webhooks/router.ts";
import type { Authorizer } from "./api/authorize.ts";
import { handleRunApi } from "./api/run-api.ts";
import { handleSchedulesApi, type SchedulesApiDeps } from "./api/schedules-api.ts";
import type { DashboardHandler } from "./dashboard/create-dashboard.ts";
import { isLoopbackAddress, isLoopbackHost } from "./dashboard/loopback-host.ts";
import { errorAnswer } from "./error-answer.ts";
import type { Executor } from "./executor/executor.ts";
import { runView } from "./executor/run-store.ts";
import { handleHealthRoutes } from "./health-routes.ts";
import { handleSurveyRoutes } from "./survey-routes.ts";
import { handleTriggerApi } from "./trigger-api.ts";

export interface RouteDeps extends SchedulesApiDeps {
  databaseKind: DatabaseKind;
  sandbox: boolean;
  executor: Executor;
  /** Who may use the API: the runtime's key (the SDK's bearer), plus any seam added later. */
  authorize: Authorizer;
  /** The browser dashboard (`/`, `/dashboard/*`), when served. */
  dashboard?: DashboardHandler | undefined;
  /** The address the server listens on (loopback unless `host` says otherwise). */
  listenHost: string;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body, null, 2), { status, headers: { "content-type": "application/json" } });

/** Paths that expose runs, payloads or schedules, or start work: they need the runtime's key. */
const PROTECTED = /^\/(api\/|realtime\/|runs(\/|$)|schedules(\/|$)|surveys(\/|$)|health\/)/;

const LIST_PARAMS = new Set(["taskId", "status", "limit"]);
const STATUSES = new Set(["queued", "running", "completed", "failed", "interrupted", "canceled", "expired"]);

/** `GET /runs` (the developer's view and the CLI's): query parameters checked, 400 otherwise. */
async function listLocalRuns(url: URL, deps: RouteDeps): Promise<Response> {
  for (const name of url.searchParams.keys()) {
    if (!LIST_PARAMS.has(name)) return json(400, { error: `Unknown query parameter ${name}` });
  }
  const status = url.searchParams.get("status") ?? undefined;
  if (status !== undefined && !STATUSES.has(status)) {
    return json(400, { error: `status must be one of ${[...STATUSES].join(", ")}` });
  }
  const limitText = url.searchParams.get("limit");
  const limit = limitText === null ? 100 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1_000)
    return json(400, { error: "limit must be 1-1000" });
  const rows = await deps.executor.store.list({
    taskId: url.searchParams.get("taskId") ?? undefined,
    status,
    limit,
  });
  return json(200, rows.map(runView));
}

/** The local runtime's HTTP surface: health, runs, schedules, the SDK's API and the webhook router. */
export function createRuntimeHandler(deps: RouteDeps): (request: Request) => Promise<Response> {
  return async (request) => {
    const url = new URL(request.url);
    try {
      if (url.pathname === "/healthz") {
        return json(200, { status: "ok", database: deps.databaseKind, sandbox: deps.sandbox });
      }
      const page = await deps.dashboard?.(request);
      if (page) return page;
      // A page whose DNS name is rebound to 127.0.0.1 is same-origin to the browser: on a loopback
      // listener the key-protected API answers only requests that name this machine.
      if (
        PROTECTED.test(url.pathname) &&
        isLoopbackAddress(deps.listenHost) &&
        !isLoopbackHost(request.headers.get("host"))
      ) {
        return json(403, { error: "The runtime's API answers on localhost only" });
      }
      if (PROTECTED.test(url.pathname) && !(await deps.authorize(request))) {
        return json(401, {
          error: "Invalid API key: send Authorization: Bearer <TRIGGER_SECRET_KEY> with the runtime's key",
        });
      }
      if (url.pathname === "/runs" && request.method === "GET") return await listLocalRuns(url, deps);
      const runMatch = url.pathname.match(/^\/runs\/([^/]+)$/);
      if (runMatch && request.method === "GET") {
        const row = await deps.executor.store.get(decodeURIComponent(runMatch[1]!));
        return row ? json(200, runView(row)) : json(404, { error: "No such run" });
      }
      if (url.pathname === "/schedules" && request.method === "GET") return json(200, deps.cron.list());
      return (
        (await handleTriggerApi(request, deps)) ??
        (await handleSurveyRoutes(request, deps.db)) ??
        (await handleHealthRoutes(request, deps.db)) ??
        (await handleRunApi(request, deps)) ??
        (await handleSchedulesApi(request, deps)) ??
        (await routeRequest(request)) ??
        json(404, { error: `Not found: ${url.pathname}` })
      );
    } catch (err) {
      // A malformed %-escape in a path segment is the client's mistake, not ours.
      if (err instanceof URIError)
        return json(400, { error: "Malformed percent-escape in the request path" });
      const response = errorAnswer(err);
      if (response.status >= 500) logger.error("request failed", { path: url.pathname, err });
      return response;
    }
  };
}
