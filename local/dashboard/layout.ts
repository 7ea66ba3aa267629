import { html, type SafeHtml } from "./html.ts";

export interface PageContext {
  /** The CSRF token write forms carry. */
  csrf: string;
  /** Write actions are shown only when allowed (not SWITCHBOARD_DASHBOARD=readonly). */
  writable: boolean;
  sandbox: boolean;
}

const NAV = [
  ["tasks", "/dashboard", "Tasks"],
  ["runs", "/dashboard/runs", "Runs"],
  ["connections", "/dashboard/connections", "Connections"],
  ["events", "/dashboard/events", "Webhook events"],
] as const;
export type Section = (typeof NAV)[number][0];

/** A whole dashboard page: skip link, banner with navigation, one main landmark, footer. */
export function layout(title: string, section: Section, ctx: PageContext, body: SafeHtml): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${ctx.csrf}">
<title>${title} · Switchboard</title>
<link rel="stylesheet" href="/dashboard/assets/dashboard.css">
<script src="/dashboard/assets/dashboard.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<p class="brand"><a href="/dashboard">Switchboard</a> <span class="env">local</span></p>
<nav aria-label="Dashboard">
<ul>${NAV.map(
    ([id, href, label]) =>
      html`<li><a href="${href}"${id === section ? html` aria-current="page"` : ""}>${label}</a></li>`,
  )}</ul>
</nav>
${ctx.sandbox ? html`<p class="badge sandbox">Sandbox providers</p>` : ""}
${ctx.writable ? "" : html`<p class="badge readonly">Read-only</p>`}
</header>
<main id="main" tabindex="-1">
<h1>${title}</h1>
${body}
</main>
<footer><p>Local runtime · runs are kept in this runtime's database</p></footer>
</body>
</html>`;
}
