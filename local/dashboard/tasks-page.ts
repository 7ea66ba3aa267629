import type { DashboardDeps } from "./dashboard-deps.ts";
import { formatTime } from "./format.ts";
import { html, type SafeHtml } from "./html.ts";
import { layout, type PageContext } from "./layout.ts";
import { payloadSchemaOf } from "./payload-schema.ts";
import { retrySummary } from "./retry-summary.ts";

/** Every task of `trigger/`: id, queue, retry policy, schedule with its next fire time, schema. */
export function tasksPage(deps: DashboardDeps, ctx: PageContext): SafeHtml {
  const retryOf = (id: string) => deps.executor.retryOf(deps.catalog.get(id));
  const schedules = new Map(deps.cron.list().map((s) => [s.taskId, s]));
  const rows = deps.catalog.list().map((task) => {
    const queue = task.manifest.queue;
    const schedule = schedules.get(task.id);
    return html`<tr>
<th scope="row"><a href="/dashboard/tasks/${encodeURIComponent(task.id)}">${task.id}</a></th>
<td>${queue?.name ?? `task/${task.id}`}${queue?.concurrencyLimit ? html` <span class="muted">(limit ${queue.concurrencyLimit})</span>` : ""}</td>
<td>${retrySummary(retryOf(task.id))}</td>
<td>${schedule ? html`<code>${schedule.cron}</code> ${schedule.timezone}<br><span class="muted">next</span> ${formatTime(schedule.nextRunAt)}` : html`<span class="muted">on demand</span>`}</td>
<td>${schedule ? "schedule payload" : payloadSchemaOf(task) ? "JSON Schema" : html`<span class="muted">untyped</span>`}</td>
</tr>`;
  });
  return layout(
    "Tasks",
    "tasks",
    ctx,
    html`<p>Pick a task to see its definition${ctx.writable ? " and run it with Test" : ""}.</p>
<table>
<caption class="muted">${rows.length} tasks from trigger/</caption>
<thead><tr><th scope="col">Task</th><th scope="col">Queue</th><th scope="col">Retry</th><th scope="col">Schedule</th><th scope="col">Payload</th></tr></thead>
<tbody>${rows}</tbody>
</table>`,
  );
}
