import type { LoadedTask } from "../executor/task-catalog.ts";
import type { DashboardDeps } from "./dashboard-deps.ts";
import { examplePayload } from "./example-payload.ts";
import { formatTime } from "./format.ts";
import { html, type SafeHtml } from "./html.ts";
import { jsonBlock } from "./json-block.ts";
import { layout, type PageContext } from "./layout.ts";
import { payloadSchemaOf } from "./payload-schema.ts";
import { retrySummary } from "./retry-summary.ts";

/** What the Test form holds (prefilled, or as submitted when it was refused). */
export interface TestFormValues {
  payload?: string;
  timestamp?: string;
  idempotencyKey?: string;
  tags?: string;
  delay?: string;
}

function testForm(task: LoadedTask, scheduled: boolean, ctx: PageContext, values: TestFormValues): SafeHtml {
  const schema = payloadSchemaOf(task);
  const payload = values.payload ?? JSON.stringify(examplePayload(schema), null, 2);
  return html`<section aria-labelledby="test-heading">
<h2 id="test-heading">Test</h2>
<form method="post" action="/dashboard/tasks/${encodeURIComponent(task.id)}/test">
<input type="hidden" name="csrf" value="${ctx.csrf}">
${
  scheduled
    ? html`<div class="field"><label for="timestamp">Schedule timestamp <span class="hint">ISO 8601; the run receives the schedule payload for this tick</span></label>
<input id="timestamp" name="timestamp" value="${values.timestamp ?? new Date().toISOString()}" required></div>`
    : html`<div class="field"><label for="payload">Payload <span class="hint">JSON${schema ? ", prefilled from the task's schema" : ""}</span></label>
<textarea id="payload" name="payload" data-json spellcheck="false" aria-describedby="payload-error">${payload}</textarea>
<p id="payload-error" class="error-text" aria-live="polite"></p></div>`
}
<div class="field"><label for="idempotencyKey">Idempotency key <span class="hint">optional</span></label>
<input id="idempotencyKey" name="idempotencyKey" value="${values.idempotencyKey ?? ""}"></div>
<div class="field"><label for="tags">Tags <span class="hint">optional, comma-separated</span></label>
<input id="tags" name="tags" value="${values.tags ?? ""}"></div>
<div class="field"><label for="delay">Delay <span class="hint">optional: 30s, 5m, 1h or an ISO date</span></label>
<input id="delay" name="delay" value="${values.delay ?? ""}"></div>
<button type="submit">Test</button>
</form>
</section>`;
}

/** One task: its definition, its payload schema and the Test form. */
export function taskPage(
  deps: DashboardDeps,
  task: LoadedTask,
  ctx: PageContext,
  options: { values?: TestFormValues; error?: string } = {},
): SafeHtml {
  const schedule = deps.cron.list().find((s) => s.taskId === task.id);
  const queue = task.manifest.queue;
  const schema = payloadSchemaOf(task);
  return layout(
    task.id,
    "tasks",
    ctx,
    html`${options.error ? html`<p class="notice error" role="alert">${options.error}</p>` : ""}
<dl class="facts">
<dt>Queue</dt><dd>${queue?.name ?? `task/${task.id}`}${queue?.concurrencyLimit ? ` (concurrency ${queue.concurrencyLimit})` : ""}</dd>
<dt>Retry</dt><dd>${retrySummary(deps.executor.retryOf(task))}</dd>
<dt>Max duration</dt><dd>${task.manifest.maxDuration ? `${task.manifest.maxDuration} s` : "project default"}</dd>
<dt>Schedule</dt><dd>${schedule ? html`<code>${schedule.cron}</code> (${schedule.timezone}${schedule.window ? `, window ${schedule.window}` : ""}), next ${formatTime(schedule.nextRunAt)}` : "none (triggered on demand)"}</dd>
<dt>Source</dt><dd><code>${task.manifest.filePath}</code></dd>
<dt>Runs</dt><dd><a href="/dashboard/runs?task=${encodeURIComponent(task.id)}">Runs of this task</a></dd>
</dl>
${schedule ? "" : html`<h2>Payload schema</h2>${schema ? jsonBlock(schema, "Payload JSON Schema") : html`<p class="muted">This task declares no schema (a plain <code>task</code>); any JSON is passed as is.</p>`}`}
${ctx.writable ? testForm(task, Boolean(schedule), ctx, options.values ?? {}) : html`<p class="notice">The dashboard is read-only (SWITCHBOARD_DASHBOARD=readonly): Test is off.</p>`}`,
  );
}
