import type { AttemptRow } from "../executor/attempt-log.ts";
import type { RunRow } from "../executor/run-store.ts";
import { formatTime } from "./format.ts";
import { formatDuration } from "./format-duration.ts";
import { html, type SafeHtml } from "./html.ts";

const messageOf = (error: unknown) =>
  error && typeof error === "object" && "message" in error
    ? String((error as { message: unknown }).message)
    : "";

/** Every attempt of a run: outcome, start, duration, error and the delay before the next one. */
export function attemptsTable(run: RunRow, attempts: AttemptRow[]): SafeHtml {
  const rows = attempts.map(
    (a) => html`<tr>
<th scope="row">${a.number}</th>
<td><span class="status status-${a.status}">${a.status}</span></td>
<td>${formatTime(a.startedAt)}</td>
<td>${formatDuration(a.startedAt ? a.finishedAt.getTime() - a.startedAt.getTime() : undefined)}</td>
<td>${a.retryDelayMs === null ? html`<span class="muted">—</span>` : formatDuration(a.retryDelayMs)}</td>
<td>${messageOf(a.error) || html`<span class="muted">—</span>`}</td>
</tr>`,
  );
  if (run.status === "running" && !attempts.some((a) => a.number === run.attempts)) {
    rows.push(html`<tr><th scope="row">${run.attempts}</th><td><span class="status status-EXECUTING">running</span></td>
<td colspan="4" class="muted">in progress</td></tr>`);
  }
  if (rows.length === 0) return html`<p class="muted">No attempt yet.</p>`;
  return html`<table>
<thead><tr><th scope="col">#</th><th scope="col">Outcome</th><th scope="col">Started</th><th scope="col">Duration</th><th scope="col">Retry delay</th><th scope="col">Error</th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
}
