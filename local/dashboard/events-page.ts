import { sql } from "drizzle-orm";
import { webhookEventStatuses } from "../../db/schema.ts";
import { rowsOf } from "../../src/db/types.ts";
import { inboundProviderIds, inboundProviders } from "../../src/ingress/inbound-providers.ts";
import type { DashboardDeps } from "./dashboard-deps.ts";
import { formatTime } from "./format.ts";
import { html, type SafeHtml } from "./html.ts";
import { layout, type PageContext } from "./layout.ts";

const PAGE = 25;

interface EventLine {
  id: string;
  provider: string;
  type: string;
  status: string;
  tenant_id: string | null;
  tenant_name: string | null;
  error: string | null;
  attempts: number;
  received_at: string;
  processed_at: string | null;
}

function option(value: string, label: string, selected: string): SafeHtml {
  return html`<option value="${value}"${value === selected ? html` selected` : ""}>${label}</option>`;
}

async function samplesSection(deps: DashboardDeps, ctx: PageContext): Promise<SafeHtml> {
  if (!ctx.writable || !deps.sandbox) return html``;
  const tenants = rowsOf<{ id: string; name: string }>(
    await deps.db.execute(sql`select id, name from tenants order by name, id limit 200`),
  );
  const forms = inboundProviders.map(
    (p) => html`<form method="post" action="/dashboard/events/sample" class="actions">
<input type="hidden" name="csrf" value="${ctx.csrf}"><input type="hidden" name="provider" value="${p.id}">
${
  p.perTenant
    ? html`<label for="sample-tenant-${p.id}" class="hint">Tenant for ${p.id} (signs with ${p.secretSource})</label>
<select id="sample-tenant-${p.id}" name="tenant">${tenants.map((t) => option(t.id, t.name, ""))}</select>`
    : ""
}
<button type="submit" class="secondary"${p.perTenant && tenants.length === 0 ? html` disabled` : ""}>Send a sample ${p.id} event</button>
</form>`,
  );
  return html`<section aria-labelledby="samples-heading"><h2 id="samples-heading">Send a sample (sandbox)</h2>
<p class="hint">A correctly signed sample event, sent to this runtime's webhook door as the provider would.</p>${forms}</section>`;
}

/** The webhook inbox: provider, type, status, tenant, times and reason; Replay per event. */
export async function eventsPage(
  deps: DashboardDeps,
  params: URLSearchParams,
  ctx: PageContext,
  notice?: string,
) {
  const provider = inboundProviderIds().includes(params.get("provider") ?? "") ? params.get("provider")! : "";
  const status = (webhookEventStatuses as readonly string[]).includes(params.get("status") ?? "")
    ? params.get("status")!
    : "";
  const after = params.get("after") ?? "";
  const rows = rowsOf<EventLine>(
    await deps.db.execute(sql`select e.id, e.provider, e.type, e.status, e.tenant_id, t.name as tenant_name,
        e.error, e.attempts, e.received_at, e.processed_at
      from webhook_events e left join tenants t on t.id = e.tenant_id
      where (${provider} = '' or e.provider = ${provider}) and (${status} = '' or e.status = ${status})
        and (${after} = '' or (e.received_at, e.id::text) <
          (select received_at, id::text from webhook_events where id::text = ${after}))
      order by e.received_at desc, e.id::text desc limit ${PAGE + 1}`),
  );
  const page = rows.slice(0, PAGE);
  const next = rows.length > PAGE ? page.at(-1)?.id : undefined;
  const filterQuery = new URLSearchParams({
    ...(provider ? { provider } : {}),
    ...(status ? { status } : {}),
  });
  return layout(
    "Webhook events",
    "events",
    ctx,
    html`${notice ? html`<p class="notice" role="status">${notice}</p>` : ""}
<form class="filters" method="get" action="/dashboard/events" role="search" aria-label="Filter webhook events">
<div class="field"><label for="e-provider">Provider</label><select id="e-provider" name="provider">${option("", "All providers", provider)}${inboundProviderIds().map((p) => option(p, p, provider))}</select></div>
<div class="field"><label for="e-status">Status</label><select id="e-status" name="status">${option("", "Any status", status)}${webhookEventStatuses.map((s) => option(s, s, status))}</select></div>
<div class="field"><button type="submit">Filter</button></div>
</form>
${
  page.length === 0
    ? html`<p class="notice">No webhook events match.</p>`
    : html`<table>
<caption class="muted">Newest first</caption>
<thead><tr><th scope="col">Received</th><th scope="col">Provider</th><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Tenant</th><th scope="col">Reason</th><th scope="col">Processed</th>${ctx.writable ? html`<th scope="col"><span class="hint">Action</span></th>` : ""}</tr></thead>
<tbody>${page.map(
        (e) => html`<tr>
<td>${formatTime(e.received_at)}</td><th scope="row">${e.provider}</th><td>${e.type}</td>
<td><span class="status status-${e.status}">${e.status}</span>${e.attempts > 1 ? html` <span class="muted">×${e.attempts}</span>` : ""}</td>
<td>${e.tenant_name ?? html`<span class="muted">platform</span>`}</td>
<td>${e.error ?? html`<span class="muted">—</span>`}</td>
<td>${formatTime(e.processed_at)}</td>
${ctx.writable ? html`<td><form method="post" action="/dashboard/events/${e.id}/replay"><input type="hidden" name="csrf" value="${ctx.csrf}"><button type="submit" class="secondary" aria-label="Replay ${e.provider} ${e.type} event ${e.id}">Replay</button></form></td>` : ""}
</tr>`,
      )}</tbody>
</table>`
}
<nav class="pager" aria-label="Pages of webhook events">
${after ? html`<a href="/dashboard/events?${filterQuery}">Newest events</a>` : ""}
${next ? html`<a href="/dashboard/events?${new URLSearchParams({ ...Object.fromEntries(filterQuery), after: next })}" rel="next">Older events</a>` : ""}
</nav>
${await samplesSection(deps, ctx)}`,
  );
}
