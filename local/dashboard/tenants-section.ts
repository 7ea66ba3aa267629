import { sql } from "drizzle-orm";
import { rowsOf } from "../../src/db/types.ts";
import type { DashboardDeps } from "./dashboard-deps.ts";
import { html, type SafeHtml } from "./html.ts";

const SHOWN = 100;

/** The tenants (first 100 by name) with their connection counts, each a filter of the connections list. */
export async function tenantsSection(deps: DashboardDeps, selected: string): Promise<SafeHtml> {
  const tenants = rowsOf<{ id: string; name: string; connections: number }>(
    await deps.db.execute(sql`select t.id, t.name, count(c.id)::int as connections
      from tenants t left join integration_connections c on c.tenant_id = t.id
      group by t.id, t.name order by t.name, t.id limit ${SHOWN + 1}`),
  );
  const items = tenants
    .slice(0, SHOWN)
    .map(
      (t) =>
        html`<li><a href="/dashboard/connections?tenant=${encodeURIComponent(t.id)}"${t.id === selected ? html` aria-current="true"` : ""}>${t.name}</a> <span class="muted">(${t.connections} connection${t.connections === 1 ? "" : "s"})</span></li>`,
    );
  return html`<section aria-labelledby="tenants-heading"><h2 id="tenants-heading">Tenants</h2>
${
  tenants.length === 0
    ? html`<p class="muted">No tenants yet (<code>switchboard tenants create --name …</code>).</p>`
    : html`<ul class="tenants">${items}${tenants.length > SHOWN ? html`<li class="muted">first ${SHOWN} tenants shown</li>` : ""}</ul>`
}
${selected ? html`<p><a href="/dashboard/connections">All tenants</a></p>` : ""}
</section>`;
}
