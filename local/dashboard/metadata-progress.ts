import { html, type SafeHtml } from "./html.ts";

/**
 * A progress bar for run metadata that reports `processed` of `total` (the sweeps' convention),
 * or nothing when the metadata says no such thing.
 */
export function metadataProgress(metadata: unknown): SafeHtml {
  if (!metadata || typeof metadata !== "object") return html``;
  const { processed, total } = metadata as { processed?: unknown; total?: unknown };
  if (typeof processed !== "number" || typeof total !== "number" || total <= 0) return html``;
  const done = Math.min(processed, total);
  return html`<p><label for="run-progress">Progress</label>
<progress id="run-progress" max="${total}" value="${done}">${done} of ${total}</progress> ${done} of ${total} (${Math.round((done / total) * 100)}%)</p>`;
}
