import { sql } from "drizzle-orm";
import { rowsOf } from "../../src/db/types.ts";
import {
  listPlatformCredentialHealth,
  type PlatformCredentialHealth,
} from "../../src/health/list-platform-credential-health.ts";
import type { DashboardDeps } from "./dashboard-deps.ts";
import { formatTime } from "./format.ts";
import { html, type SafeHtml } from "./html.ts";
import { layout, type PageContext } from "./layout.ts";
import { tenantsSection } from "./tenants-section.ts";

const PAGE = 50;

interface ConnectionLine {
  id: string;
  tenant_id: string;
  tenant_name: string;
  provider: string;
  status: string;
  token_expires_at: string | null;
  last_refreshed_at: string | null;
  last_error: string | null;
  last_error_at: string | null;
  refresh_failures: number;
  health_failures: number;
  failing_since: string | null;
  status_changed_at: string | null;
  health_state: string;
  last_checked_at: string | null;
  last_latency_ms: number | null;
  health_error_class: string | null;
  health_window_checks: number;
  health_window_failures: number;
}

interface TransitionLine {
  connection_id: string;
  kind: string;
  from_status: string;
  to_status: string;
  reason: string | null;
  created_at: string;
}

function transitionsOf(list: TransitionLine[]): SafeHtml {
  if (list.length === 0) return html`<span class="muted">—</span>`;
  return html`<ul>${list.map(
    (t) =>
      html`<li>${t.kind === "health" ? "health " : ""}${t.from_status} → ${t.to_status} ${formatTime(t.created_at)}${t.reason ? html`: ${t.reason}` : ""}</li>`,
  )}</ul>`;
}

function healthOf(c: ConnectionLine): SafeHtml {
  const checked = c.last_checked_at
    ? html`<br><span class="muted">checked</span> ${formatTime(c.last_checked_at)}${c.last_latency_ms === null ? "" : ` (${c.last_latency_ms} ms)`}`
    : "";
  const rate =
    c.health_window_checks > 0
      ? html`<br><span class="muted">errors this hour</span> ${c.health_window_failures}/${c.health_window_checks}`
      : "";
  return html`<span class="status status-health-${c.health_state}">${c.health_state}</span>${c.health_error_class ? html` <code>${c.health_error_class}</code>` : ""}${checked}${rate}`;
}

function connectionRow(c: ConnectionLine, transitions: TransitionLine[]): SafeHtml {
  return html`<tr>
<td>${c.tenant_name}<br><code class="muted">${c.tenant_id}</code></td>
<th scope="row">${c.provider}</th>
<td><span class="status status-${c.status}">${c.status}</span>${c.status_changed_at ? html`<br><span class="muted">since</span> ${formatTime(c.status_changed_at)}` : ""}</td>
<td>${formatTime(c.token_expires_at)}</td>
<td>${formatTime(c.last_refreshed_at)}</td>
<td>${c.last_error ? html`<span class="error-text">${c.last_error}</span><br>${formatTime(c.last_error_at)}` : html`<span class="muted">—</span>`}</td>
<td>${healthOf(c)}</td>
<td>refresh ${c.refresh_failures} · health ${c.health_failures}${c.failing_since ? html`<br><span class="muted">failing since</span> ${formatTime(c.failing_since)}` : ""}</td>
<td>${transitionsOf(transitions.filter((t) => t.connection_id === c.id))}</td>
</tr>`;
}

function platformRow(p: PlatformCredentialHealth): SafeHtml {
  const checked = p.lastCheckedAt
    ? html`${formatTime(p.lastCheckedAt)}${p.lastLatencyMs === null ? "" : ` (${p.lastLatencyMs} ms)`}`
    : html`<span class="muted">never</span>`;
  return html`<tr>
<th scope="row">${p.name}</th>
<td><span class="status status-health-${p.healthState}">${p.healthState}</span>${p.lastErrorClass ? html` <code>${p.lastErrorClass}</code>` : ""}${p.stateChangedAt ? html`<br><span class="muted">since</span> ${formatTime(p.stateChangedAt)}` : ""}</td>
<td>${checked}</td>
<td>${p.consecutiveFailures}${p.errorRate === null ? "" : html`<br><span class="muted">errors this hour</span> ${(p.errorRate * 100).toFixed(1)}%`}</td>
<td>${p.lastError ? html`<span class="error-text">${p.lastError}</span>` : html`<span class="muted">—</span>`}</td>
</tr>`;
}

/** The platform's own credentials (STRIPE_API_KEY, PLAID_*, PAYPAL_*…), as the health sweep last saw them. */
async function platformSection(deps: DashboardDeps): Promise<SafeHtml | string> {
  const list = await listPlatformCredentialHealth(deps.db);
  if (list.length === 0) return "";
  return html`<h2>Platform credentials</h2>
<table>
<caption class="muted">The platform's own keys, probed by every health sweep</caption>
<thead><tr><th scope="col">Provider</th><th scope="col">Health</th><th scope="col">Last check</th><th scope="col">Failures</th><th scope="col">Last error</th></tr></thead>
<tbody>${list.map(platformRow)}</tbody>
</table>`;
}

/**
 * Tenants and their connections (an operator view across tenants, read on purpose): status,
 * token expiry, last refresh, last error, health, failure counters and the latest transitions,
 * one keyset page at a time; above them (unfiltered first page) the platform credentials' health.
 * The selected columns never include credentials.
 */
export async function connectionsPage(deps: DashboardDeps, params: URLSearchParams, ctx: PageContext) {
  const after = params.get("after") ?? "";
  const tenant = params.get("tenant") ?? "";
  const rows = rowsOf<ConnectionLine>(
    await deps.db.execute(sql`select c.id, c.tenant_id, t.name as tenant_name, c.provider, c.status,
        c.token_expires_at, c.last_refreshed_at, c.last_error, c.last_error_at, c.refresh_failures,
        c.health_failures, c.failing_since, c.status_changed_at, c.health_state, c.last_checked_at,
        c.last_latency_ms, c.health_error_class, c.health_window_checks, c.health_window_failures
      from integration_connections c join tenants t on t.id = c.tenant_id
      where (${tenant} = '' or c.tenant_id::text = ${tenant})
        and (${after} = '' or (c.tenant_id::text, c.provider) >
          (select tenant_id::text, provider from integration_connections where id::text = ${after}))
      order by c.tenant_id::text, c.provider limit ${PAGE + 1}`),
  );
  const page = rows.slice(0, PAGE);
  const ids = page.map((r) => r.id);
  const transitions = ids.length
    ? rowsOf<TransitionLine>(
        await deps.db.execute(sql`select connection_id, kind, from_status, to_status, reason, created_at from (
            select *, row_number() over (partition by connection_id order by created_at desc) as n
            from connection_transitions where connection_id::text = any(${`{${ids.join(",")}}`}::text[])
          ) x where n <= 3 order by created_at desc`),
      )
    : [];
  const next = rows.length > PAGE ? page.at(-1)?.id : undefined;
  const scope = tenant ? `tenant=${encodeURIComponent(tenant)}&` : "";
  return layout(
    "Connections",
    "connections",
    ctx,
    html`${await tenantsSection(deps, tenant)}
${tenant || after ? "" : await platformSection(deps)}
<h2>Connections</h2>
${
  page.length === 0
    ? html`<p class="notice">No connections yet. Connect a provider with the CLI (<code>switchboard connections connect-key …</code>).</p>`
    : html`<table>
<caption class="muted">By tenant, then provider</caption>
<thead><tr><th scope="col">Tenant</th><th scope="col">Provider</th><th scope="col">Status</th><th scope="col">Token expires</th><th scope="col">Last refresh</th><th scope="col">Last error</th><th scope="col">Health</th><th scope="col">Failures</th><th scope="col">Transitions</th></tr></thead>
<tbody>${page.map((c) => connectionRow(c, transitions))}</tbody>
</table>`
}
<nav class="pager" aria-label="Pages of connections">
${after ? html`<a href="/dashboard/connections?${scope}">First page</a>` : ""}
${next ? html`<a href="/dashboard/connections?${scope}after=${encodeURIComponent(next)}" rel="next">Next connections</a>` : ""}
</nav>`,
  );
}
