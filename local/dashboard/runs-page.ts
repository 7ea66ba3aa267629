import { listRuns } from "../executor/run-query.ts";
import type { RunRow } from "../executor/run-store.ts";
import type { DashboardDeps } from "./dashboard-deps.ts";
import { formatTime } from "./format.ts";
import { formatDuration } from "./format-duration.ts";
import { html, type SafeHtml } from "./html.ts";
import { layout, type PageContext } from "./layout.ts";
import { runStatusBadge } from "./run-status-badge.ts";
import { parseRunsFilter, RUN_STATUSES, type RunsFilter } from "./runs-filter.ts";

const LIVE = new Set(["queued", "running", "interrupted"]);

function pageLink(filter: RunsFilter, cursor: { after?: string; before?: string }): string {
  const params = new URLSearchParams();
  for (const name of ["task", "status", "tag", "from", "to"] as const) {
    if (filter[name]) params.set(name, filter[name]);
  }
  if (cursor.after) params.set("after", cursor.after);
  if (cursor.before) params.set("before", cursor.before);
  return `/dashboard/runs?${params}`;
}

function runRow(row: RunRow): SafeHtml {
  const duration =
    row.startedAt && row.completedAt ? row.completedAt.getTime() - row.startedAt.getTime() : undefined;
  return html`<tr>
<th scope="row"><a href="/dashboard/runs/${encodeURIComponent(row.id)}"><code>${row.id}</code></a></th>
<td>${row.taskId}</td>
<td>${runStatusBadge(row)}</td>
<td>${row.tags.length ? row.tags.map((t) => html`<a href="/dashboard/runs?tag=${encodeURIComponent(t)}">${t}</a> `) : html`<span class="muted">—</span>`}</td>
<td>${formatTime(row.createdAt)}</td>
<td>${formatDuration(duration)}</td>
</tr>`;
}

function filters(deps: DashboardDeps, filter: RunsFilter): SafeHtml {
  const option = (value: string, label: string, selected: string) =>
    html`<option value="${value}"${value === selected ? html` selected` : ""}>${label}</option>`;
  return html`<form class="filters" method="get" action="/dashboard/runs" role="search" aria-label="Filter runs">
<div class="field"><label for="f-task">Task</label><select id="f-task" name="task">${option("", "All tasks", filter.task)}${deps.catalog.list().map((t) => option(t.id, t.id, filter.task))}</select></div>
<div class="field"><label for="f-status">Status</label><select id="f-status" name="status">${option("", "Any status", filter.status)}${RUN_STATUSES.map((s) => option(s, s, filter.status))}</select></div>
<div class="field"><label for="f-tag">Tag</label><input id="f-tag" name="tag" value="${filter.tag}"></div>
<div class="field"><label for="f-from">Created from (UTC)</label><input id="f-from" name="from" type="datetime-local" step="1" value="${filter.from}"></div>
<div class="field"><label for="f-to">Created to (UTC)</label><input id="f-to" name="to" type="datetime-local" step="1" value="${filter.to}"></div>
<div class="field"><button type="submit">Filter</button></div>
</form>`;
}

/**
 * Runs, newest first, filtered by task, status, tag and creation time, one keyset page at a
 * time. The `#live` region refreshes itself while its runs can still change.
 */
export async function runsPage(deps: DashboardDeps, params: URLSearchParams, ctx: PageContext) {
  const { filter, query } = parseRunsFilter(params);
  const page = await listRuns(deps.db, query);
  const firstPage = !filter.after && !filter.before;
  const active = firstPage || page.rows.some((r) => LIVE.has(r.status));
  return layout(
    "Runs",
    "runs",
    ctx,
    html`${filters(deps, filter)}
<div id="live" data-active="${String(active)}" data-poll-ms="1500">
${
  page.rows.length === 0
    ? html`<p class="notice">No runs match.</p>`
    : html`<table>
<caption class="muted">Newest first${firstPage ? "; updates live" : ""}</caption>
<thead><tr><th scope="col">Run</th><th scope="col">Task</th><th scope="col">Status</th><th scope="col">Tags</th><th scope="col">Created</th><th scope="col">Duration</th></tr></thead>
<tbody>${page.rows.map(runRow)}</tbody>
</table>`
}
<nav class="pager" aria-label="Pages of runs">
${page.previous ? html`<a href="${pageLink(filter, { before: page.previous })}" rel="prev">Newer runs</a>` : ""}
${page.next ? html`<a href="${pageLink(filter, { after: page.next })}" rel="next">Older runs</a>` : ""}
</nav>
</div>`,
  );
}
