import type { RunRow } from "../executor/run-store.ts";
import { formatTime } from "./format.ts";
import { html, type SafeHtml } from "./html.ts";
import { runStatusBadge } from "./run-status-badge.ts";

/** A short table of related runs (parent, children) linking to each. */
export function runLinksTable(rows: RunRow[], caption: string): SafeHtml {
  if (rows.length === 0) return html`<p class="muted">None</p>`;
  return html`<table>
<caption class="muted">${caption}</caption>
<thead><tr><th scope="col">Run</th><th scope="col">Task</th><th scope="col">Status</th><th scope="col">Created</th></tr></thead>
<tbody>${rows.map(
    (
      r,
    ) => html`<tr><th scope="row"><a href="/dashboard/runs/${encodeURIComponent(r.id)}"><code>${r.id}</code></a></th>
<td>${r.taskId}</td><td>${runStatusBadge(r)}</td><td>${formatTime(r.createdAt)}</td></tr>`,
  )}</tbody>
</table>`;
}
