import { redact } from "../../src/observability/redact.ts";
import { html, type SafeHtml } from "./html.ts";

/**
 * A value as pretty JSON in a `<pre>`, with secret-looking fields redacted the way logs are
 * (payloads never should hold secrets; this is the second wall).
 */
export function jsonBlock(value: unknown, label: string): SafeHtml {
  if (value === undefined || value === null) return html`<p class="muted">None</p>`;
  const text = JSON.stringify(redact(value), null, 2) ?? String(value);
  return html`<pre class="json" tabindex="0" aria-label="${label}"><code>${text}</code></pre>`;
}
