/**
 * Orders rows so tenants take turns: the first row of every tenant, then the second of every
 * tenant, and so on, keeping each tenant's own order and the order tenants first appear in.
 */
export function interleaveByTenant<T extends { tenant_id: string }>(rows: readonly T[]): T[] {
  const byTenant = new Map<string, T[]>();
  for (const row of rows) {
    const list = byTenant.get(row.tenant_id);
    if (list) list.push(row);
    else byTenant.set(row.tenant_id, [row]);
  }
  const out: T[] = [];
  for (let turn = 0; out.length < rows.length; turn++) {
    for (const list of byTenant.values()) if (turn < list.length) out.push(list[turn]!);
  }
  return out;
}
