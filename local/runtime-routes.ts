import type { DatabaseKind } from "../src/db/types.ts";
import { errorResponse } from "../src/ingress/json-response.ts";
import { logger } from "../src/observability/logger.ts";
import { routeRequest } from "../webhooks/router.ts";
import type { CronRunner } from "./executor/cron.ts";
import type { Executor } from "./executor/executor.ts";
import { runView } from "./executor/run-store.ts";
import { handleSurveyRoutes } from "./survey-routes.ts";
import { handleTriggerApi, type TriggerApiDeps } from "./trigger-api.ts";

export interface RouteDeps extends TriggerApiDeps {
  databaseKind: DatabaseKind;
  sandbox: boolean;
  cron: CronRunner;
  executor: Executor;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body, null, 2), { status, headers: { "content-type": "application/json" } });

/** The local runtime's HTTP surface: health, runs, schedules, the trigger API and the webhook router. */
export function createRuntimeHandler(deps: RouteDeps): (request: Request) => Promise<Response> {
  return async (request) => {
    const url = new URL(request.url);
    try {
      if (url.pathname === "/healthz") {
        return json(200, { status: "ok", database: deps.databaseKind, sandbox: deps.sandbox });
      }
      if (url.pathname === "/runs" && request.method === "GET") {
        const rows = await deps.executor.store.list({
          taskId: url.searchParams.get("taskId") ?? undefined,
          status: url.searchParams.get("status") ?? undefined,
          limit: Math.min(Number(url.searchParams.get("limit") ?? 100) || 100, 1_000),
        });
        return json(200, rows.map(runView));
      }
      const runMatch = url.pathname.match(/^\/runs\/([^/]+)$/);
      if (runMatch && request.method === "GET") {
        const row = await deps.executor.store.get(decodeURIComponent(runMatch[1]!));
        return row ? json(200, runView(row)) : json(404, { error: `No run ${runMatch[1]}` });
      }
      if (url.pathname === "/schedules" && request.method === "GET") return json(200, deps.cron.list());
      return (
        (await handleTriggerApi(request, deps)) ??
        (await handleSurveyRoutes(request, deps.db)) ??
        (await routeRequest(request)) ??
        json(404, { error: `Not found: ${url.pathname}` })
      );
    } catch (err) {
      // A malformed %-escape in a path segment is the client's mistake, not ours.
      if (err instanceof URIError)
        return json(400, { error: "Malformed percent-escape in the request path" });
      const response = errorResponse(err);
      if (response.status >= 500) logger.error("request failed", { path: url.pathname, err });
      return response;
    }
  };
}
