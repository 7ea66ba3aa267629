import { sql } from "drizzle-orm";
import type { PayoutsFixture } from "./payouts-fixture.ts";

/**
 * The money check after any run: per payee, what the app credited (earnings and adjustments)
 * equals what is still available plus what left in items that are out or on their way; and the
 * provider holds exactly one transfer per paid Stripe item, of its net amount, and none for
 * items that did not pay. Returns the problems found (empty when the ledger has zero drift).
 */
export async function ledgerDrift(fx: PayoutsFixture, tenantId: string): Promise<string[]> {
  const problems: string[] = [];
  const payees = await fx.rows<{ id: string; credited: string; available: string; out: string }>(sql`
    select p.id,
      coalesce((select sum(amount_minor) from ledger_entries where payee_id = p.id and kind in ('earning', 'adjustment')), 0) as credited,
      coalesce((select sum(amount_minor) from ledger_entries where payee_id = p.id), 0) as available,
      coalesce((select sum(amount_minor) from payout_items where payee_id = p.id
        and status in ('pending', 'submitted', 'paid', 'unclaimed', 'needs_review')), 0) as out
    from payees p where p.tenant_id = ${tenantId}`);
  for (const p of payees) {
    if (Number(p.credited) !== Number(p.available) + Number(p.out)) {
      problems.push(`payee ${p.id}: credited ${p.credited} != available ${p.available} + out ${p.out}`);
    }
  }
  const items = await fx.rows<{ id: string; status: string; net_minor: string; rail: string }>(
    sql`select id, status, net_minor, rail from payout_items where tenant_id = ${tenantId}`,
  );
  for (const item of items.filter((i) => i.rail === "stripe_connect")) {
    const transfers = fx.stripe.state.transfers.filter((t) => t.metadata.payout_item_id === item.id);
    const live = transfers.filter((t) => !t.reversed);
    const shouldHave = item.status === "paid" ? 1 : 0;
    if (transfers.length > 1) problems.push(`item ${item.id}: ${transfers.length} transfers (paid twice)`);
    if (item.status !== "returned" && live.length !== shouldHave) {
      problems.push(`item ${item.id} is ${item.status} but has ${live.length} live transfers`);
    }
    if (live[0] && live[0].amount !== Number(item.net_minor))
      problems.push(`item ${item.id}: transfer amount ${live[0].amount}`);
  }
  for (const item of items.filter((i) => i.rail === "paypal")) {
    const sent = fx.paypal.payouts.items.filter((i) => i.sender_item_id === item.id);
    if (sent.length > 1) problems.push(`item ${item.id}: sent to PayPal ${sent.length} times (paid twice)`);
    const reached = sent.filter((i) => i.final === "SUCCESS" || i.final === "UNCLAIMED");
    if ((item.status === "paid" || item.status === "unclaimed") !== (reached.length === 1)) {
      problems.push(`item ${item.id} is ${item.status} but PayPal has ${reached.length} paying items`);
    }
    if (sent[0] && Number(sent[0].amount.value.replace(".", "")) !== Number(item.net_minor)) {
      problems.push(`item ${item.id}: PayPal amount ${sent[0].amount.value}`);
    }
  }
  return problems;
}
