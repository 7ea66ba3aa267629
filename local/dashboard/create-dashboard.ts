import type { Db } from "../../src/db/types.ts";
import { jsonResponse } from "../../src/ingress/json-response.ts";
import { logger } from "../../src/observability/logger.ts";
import type { Authorizer } from "../api/authorize.ts";
import { readCappedText } from "../api/read-capped-text.ts";
import { handleRunApi } from "../api/run-api.ts";
import type { CronRunner } from "../executor/cron.ts";
import type { Executor } from "../executor/executor.ts";
import type { TaskCatalog } from "../executor/task-catalog.ts";
import { dashboardCss } from "./assets/dashboard-css.ts";
import { dashboardJs } from "./assets/dashboard-js.ts";
import { connectionsPage } from "./connections-page.ts";
import type { DashboardDeps } from "./dashboard-deps.ts";
import type { DashboardMode } from "./dashboard-mode.ts";
import { eventsPage } from "./events-page.ts";
import type { SafeHtml } from "./html.ts";
import { htmlResponse, SECURITY_HEADERS } from "./html-response.ts";
import type { PageContext, Section } from "./layout.ts";
import { isLoopbackAddress, isLoopbackHost } from "./loopback-host.ts";
import { messagePage } from "./message-page.ts";
import { replayEvent } from "./replay-event.ts";
import { runPage } from "./run-page.ts";
import { runsPage } from "./runs-page.ts";
import { sendSample } from "./send-sample.ts";
import { createSessionGuard } from "./session-guard.ts";
import { taskPage } from "./task-page.ts";
import { tasksPage } from "./tasks-page.ts";
import { testTask } from "./test-task.ts";

export interface DashboardOptions {
  db: Db;
  catalog: TaskCatalog;
  executor: Executor;
  cron: CronRunner;
  mode: DashboardMode;
  sandbox: boolean;
  /** The runtime's key (the SDK's bearer): it authorizes writes without a session. */
  bearer: Authorizer;
  /** The address the runtime listens on: the dashboard is served on loopback only. */
  listenHost: string;
}

export type DashboardHandler = (request: Request) => Promise<Response | undefined>;

/** Form posts carry at most a Test payload (Trigger.dev's 3 MB) plus the other fields. */
const FORM_BYTES = 4 * 1024 * 1024;

const asset = (body: string, type: string) =>
  new Response(body, { headers: { ...SECURITY_HEADERS, "content-type": type, "cache-control": "no-cache" } });
const redirect = (location: string) =>
  new Response(null, { status: 303, headers: { ...SECURITY_HEADERS, location } });

/**
 * The local dashboard (`/` and `/dashboard/*`): server-rendered pages for tasks, runs,
 * connections and webhook events, and their write actions (Test, Cancel, Replay, send a
 * sample). Reads are served to this machine only; writes need the runtime's key or this
 * dashboard's same-origin session with its CSRF token, and are off in read-only mode.
 * Returns undefined for paths it does not serve.
 */
export function createDashboard(options: DashboardOptions): DashboardHandler {
  const guard = createSessionGuard(options.bearer);
  const deps: DashboardDeps = { ...options, guard };
  const loopback = isLoopbackAddress(options.listenHost);
  if (options.mode !== "off" && !loopback) {
    logger.warn("the dashboard is served on loopback addresses only; it is off on this address", {
      host: options.listenHost,
    });
  }
  return async (request) => {
    const url = new URL(request.url);
    const path = url.pathname;
    if (path !== "/" && path !== "/dashboard" && !path.startsWith("/dashboard/")) return undefined;
    if (options.mode === "off" || !loopback) return undefined;
    // Other methods (and anything but a page view at `/`) are the API's to answer, in JSON.
    const reading = request.method === "GET" || request.method === "HEAD";
    if (!reading && (request.method !== "POST" || path === "/")) return undefined;
    if (!isLoopbackHost(request.headers.get("host"))) {
      return jsonResponse(403, { error: "The dashboard answers on localhost only" });
    }
    // No text column holds a NUL or another control character: refuse them before any query.
    if (hasControlCharacter(decodeURIComponentSafe(url.pathname + url.search))) {
      return jsonResponse(400, { error: "The address holds a control character" });
    }
    if (path === "/") return redirect("/dashboard");
    if (path === "/dashboard/assets/dashboard.css") return asset(dashboardCss, "text/css; charset=utf-8");
    if (path === "/dashboard/assets/dashboard.js")
      return asset(dashboardJs, "text/javascript; charset=utf-8");
    const session = guard.session(request);
    const ctx: PageContext = {
      csrf: session.csrf,
      writable: options.mode === "on",
      sandbox: options.sandbox,
    };
    const page = (status: number, body: SafeHtml) => htmlResponse(status, body, session.setCookie);
    const notFound = (what: string, section: Section) =>
      page(404, messagePage("Not found", what, ctx, section));
    const segments = path.split("/").slice(2).map(decodeURIComponent);
    const [section = "", id, action] = segments;

    if (request.method === "POST") {
      if (!ctx.writable)
        return page(
          403,
          messagePage("Read-only", "The dashboard is read-only (SWITCHBOARD_DASHBOARD=readonly).", ctx),
        );
      const form = new URLSearchParams(await readCappedText(request, FORM_BYTES));
      const formData = new FormData();
      for (const [name, value] of form) formData.append(name, value);
      if (!(await guard.mayWrite(request, formData))) {
        return page(
          403,
          messagePage(
            "Not allowed",
            "This action needs the runtime's key or a dashboard page of this origin: reload the page and try again.",
            ctx,
          ),
        );
      }
      return handleWrite(deps, url.origin, formData, ctx, page, notFound, section, id, action);
    }
    if (section === "" && segments.length <= 1) return page(200, tasksPage(deps, ctx));
    if (section === "tasks" && id && !action) {
      const task = deps.catalog.get(id);
      return task ? page(200, taskPage(deps, task, ctx)) : notFound(`No task ${id} in trigger/`, "tasks");
    }
    if (section === "runs" && !id) return page(200, await runsPage(deps, url.searchParams, ctx));
    if (section === "runs" && id && !action) {
      const row = await deps.executor.store.get(id);
      return row ? page(200, await runPage(deps, row, ctx)) : notFound(`No run ${id}`, "runs");
    }
    if (section === "connections" && !id)
      return page(200, await connectionsPage(deps, url.searchParams, ctx));
    if (section === "events" && !id) return page(200, await eventsPage(deps, url.searchParams, ctx));
    return notFound(`Nothing at ${path}`, "tasks");
  };
}

async function handleWrite(
  deps: DashboardDeps,
  origin: string,
  form: FormData,
  ctx: PageContext,
  page: (status: number, body: SafeHtml) => Response,
  notFound: (what: string, section: Section) => Response,
  section: string,
  id: string | undefined,
  action: string | undefined,
): Promise<Response> {
  const field = (name: string) => {
    const value = form.get(name);
    return typeof value === "string" && value ? value : undefined;
  };
  if (section === "tasks" && id && action === "test") {
    const task = deps.catalog.get(id);
    if (!task) return notFound(`No task ${id} in trigger/`, "tasks");
    const outcome = await testTask(deps, task, form, origin);
    if ("runId" in outcome) return redirect(`/dashboard/runs/${encodeURIComponent(outcome.runId)}`);
    return page(400, taskPage(deps, task, ctx, { values: outcome.values, error: outcome.error }));
  }
  if (section === "runs" && id && (action === "cancel" || action === "replay")) {
    const row = await deps.executor.store.get(id);
    if (!row) return notFound(`No run ${id}`, "runs");
    if (action === "cancel") {
      await deps.executor.cancel(id);
      return redirect(`/dashboard/runs/${encodeURIComponent(id)}`);
    }
    // The SDK's runs.replay: same task, payload and options, through the run API itself.
    const response = await handleRunApi(
      new Request(`${origin}/api/v1/runs/${encodeURIComponent(id)}/replay`, { method: "POST" }),
      deps,
    );
    const body = (await response?.json().catch(() => ({}))) as { id?: string; error?: string };
    const replay =
      response?.status === 200 && body.id ? { runId: body.id } : { error: body.error ?? "Replay failed" };
    if ("runId" in replay) return redirect(`/dashboard/runs/${encodeURIComponent(replay.runId)}`);
    return page(400, messagePage("Replay refused", replay.error, ctx, "runs"));
  }
  if (section === "events" && id === "sample" && !action) {
    const provider = field("provider") ?? "";
    const sent = await sendSample(deps, origin, provider, field("tenant"));
    const params = new URLSearchParams(provider ? { provider } : {});
    return page(sent.status === 200 ? 200 : 400, await eventsPage(deps, params, ctx, sent.message));
  }
  if (section === "events" && id && action === "replay") {
    const replay = await replayEvent(deps, origin, id);
    if ("runId" in replay) return redirect(`/dashboard/runs/${encodeURIComponent(replay.runId)}`);
    return page(404, messagePage("Replay refused", replay.error, ctx, "events"));
  }
  return notFound("No such action", "tasks");
}

/** The address as text, or the raw form when its %-escapes are malformed. */
function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll("+", " "));
  } catch {
    return text;
  }
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 0x20) return true;
  return false;
}
