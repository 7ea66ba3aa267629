import { html, type SafeHtml } from "./html.ts";

/** A time as `<time>`, in UTC to the second, or a dash. */
export function formatTime(value: Date | string | null | undefined): SafeHtml {
  if (!value) return html`<span class="muted">—</span>`;
  const date = typeof value === "string" ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return html`${String(value)}`;
  const iso = date.toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, 19).replace("T", " ")} UTC</time>`;
}
