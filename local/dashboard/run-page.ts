import { parsePacket } from "@trigger.dev/core/v3";
import { desc, eq } from "drizzle-orm";
import { taskRuns } from "../../db/local-runtime/schema.ts";
import type { RunRow } from "../executor/run-store.ts";
import { attemptsTable } from "./attempts-table.ts";
import type { DashboardDeps } from "./dashboard-deps.ts";
import { formatTime } from "./format.ts";
import { formatDuration } from "./format-duration.ts";
import { html, type SafeHtml } from "./html.ts";
import { jsonBlock } from "./json-block.ts";
import { layout, type PageContext } from "./layout.ts";
import { metadataProgress } from "./metadata-progress.ts";
import { runLinksTable } from "./run-links-table.ts";
import { runStatusBadge } from "./run-status-badge.ts";

const CANCELABLE = new Set(["queued", "running", "interrupted"]);

async function payloadOf(row: RunRow): Promise<unknown> {
  if (!row.payload) return undefined;
  try {
    const value = await parsePacket({ data: row.payload, dataType: row.payloadType });
    return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
  } catch {
    return row.payload;
  }
}

function errorBlock(error: unknown): SafeHtml {
  if (!error || typeof error !== "object") return html`<p class="muted">None</p>`;
  const e = error as { name?: string; message?: string; code?: string; stack?: string };
  return html`<p class="error-text"><strong>${e.name ?? "Error"}</strong>${e.code ? html` <code>${e.code}</code>` : ""}: ${e.message ?? ""}</p>
${e.stack ? html`<pre class="stack" tabindex="0" aria-label="Stack trace"><code>${e.stack}</code></pre>` : ""}`;
}

function actions(row: RunRow, ctx: PageContext): SafeHtml {
  if (!ctx.writable) return html``;
  const id = encodeURIComponent(row.id);
  return html`<div class="actions">
${CANCELABLE.has(row.status) ? html`<form method="post" action="/dashboard/runs/${id}/cancel"><input type="hidden" name="csrf" value="${ctx.csrf}"><button type="submit" class="danger" id="cancel-run">Cancel run</button></form>` : ""}
<form method="post" action="/dashboard/runs/${id}/replay"><input type="hidden" name="csrf" value="${ctx.csrf}"><button type="submit" class="secondary" id="replay-run">Replay run</button></form>
</div>`;
}

/** One run: status, payload, output, error with stack, attempts, metadata, parent and children. */
export async function runPage(deps: DashboardDeps, row: RunRow, ctx: PageContext): Promise<SafeHtml> {
  const [attempts, parent, children, payload] = await Promise.all([
    deps.executor.attempts.list(row.id),
    row.parentRunId ? deps.executor.store.get(row.parentRunId) : undefined,
    deps.db
      .select()
      .from(taskRuns)
      .where(eq(taskRuns.parentRunId, row.id))
      .orderBy(desc(taskRuns.createdAt))
      .limit(100),
    payloadOf(row),
  ]);
  const maxAttempts = row.maxAttempts ?? deps.executor.retryOf(deps.catalog.get(row.taskId)).maxAttempts;
  const duration =
    row.startedAt && row.completedAt ? row.completedAt.getTime() - row.startedAt.getTime() : undefined;
  return layout(
    `Run ${row.id}`,
    "runs",
    ctx,
    html`<div id="live" data-active="${String(CANCELABLE.has(row.status))}" data-poll-ms="1000">
${actions(row, ctx)}
<dl class="facts">
<dt>Task</dt><dd><a href="/dashboard/tasks/${encodeURIComponent(row.taskId)}">${row.taskId}</a></dd>
<dt>Status</dt><dd id="run-status" aria-live="polite">${runStatusBadge(row)}</dd>
<dt>Attempts</dt><dd>${row.attempts}${maxAttempts ? ` of ${maxAttempts}` : ""}</dd>
<dt>Created</dt><dd>${formatTime(row.createdAt)}</dd>
${row.delayedUntil ? html`<dt>Delayed until</dt><dd>${formatTime(row.delayedUntil)}</dd>` : ""}
<dt>Started</dt><dd>${formatTime(row.startedAt)}</dd>
<dt>Finished</dt><dd>${formatTime(row.completedAt)}</dd>
<dt>Duration</dt><dd>${formatDuration(duration)}</dd>
<dt>Tags</dt><dd>${row.tags.length ? row.tags.map((t) => html`<a href="/dashboard/runs?tag=${encodeURIComponent(t)}">${t}</a> `) : "—"}</dd>
<dt>Idempotency key</dt><dd>${row.idempotencyKey ?? "—"}</dd>
<dt>Queue</dt><dd>${row.queue ?? deps.catalog.get(row.taskId)?.manifest.queue?.name ?? `task/${row.taskId}`}${row.concurrencyKey ? ` · concurrency key ${row.concurrencyKey}` : ""}</dd>
${row.batchId ? html`<dt>Batch</dt><dd><code>${row.batchId}</code></dd>` : ""}
</dl>
<h2>Payload</h2>${jsonBlock(payload, "Payload")}
<h2>Output</h2>${row.status === "completed" ? jsonBlock(row.output, "Output") : html`<p class="muted">None</p>`}
<h2>Error</h2>${row.status === "completed" ? html`<p class="muted">None</p>` : errorBlock(row.error)}
<h2>Attempts</h2>${attemptsTable(row, attempts)}
<h2>Metadata</h2>${metadataProgress(row.metadata)}${jsonBlock(row.metadata, "Metadata")}
<h2>Parent run</h2>${runLinksTable(parent ? [parent] : [], "Triggered by")}
<h2>Child runs</h2>${runLinksTable(children, "Triggered by this run")}
</div>`,
  );
}
