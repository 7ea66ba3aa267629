import { apiStatusOf } from "../executor/run-query.ts";
import type { RunRow } from "../executor/run-store.ts";
import { html, type SafeHtml } from "./html.ts";

/** A run's status as Trigger.dev names it (COMPLETED, DELAYED, …), styled by kind. */
export function runStatusBadge(row: RunRow): SafeHtml {
  const status = apiStatusOf(row);
  return html`<span class="status status-${status}">${status}</span>`;
}
