import { html, type SafeHtml } from "./html.ts";
import { layout, type PageContext, type Section } from "./layout.ts";

/** A page that only says something (not found, refused, read-only). */
export function messagePage(
  title: string,
  message: string,
  ctx: PageContext,
  section: Section = "tasks",
): SafeHtml {
  return layout(
    title,
    section,
    ctx,
    html`<p class="notice" role="alert">${message}</p>
<p><a href="/dashboard">Back to the dashboard</a></p>`,
  );
}
