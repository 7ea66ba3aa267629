import { sql } from "drizzle-orm";
import type { PayoutRail } from "../../db/schema.ts";
import type { Deps } from "../build-deps.ts";
import { rowsOf } from "../db/types.ts";
import { withTenant } from "../db/with-tenant.ts";
import { ValidationError } from "../errors.ts";
import { assertCurrencyForRail, isPayoutRail } from "./rail-currencies.ts";

export interface PayeeInput {
  externalRef: string;
  name: string;
  email?: string | undefined;
  country: string;
  rail: PayoutRail;
  currency: string;
  stripeAccountId?: string | undefined;
  paypalReceiver?: string | undefined;
  taxInfo?: Record<string, unknown> | undefined;
}

/**
 * Creates or updates the payee the app knows as `externalRef`. The rail's destination must be
 * present (a Stripe `acct_…` or a PayPal receiver) and the currency one the rail pays in.
 * Payout readiness (`payouts_enabled`, bank verification) is never set here: the provider says so.
 */
export async function upsertPayee(
  deps: Pick<Deps, "db">,
  tenantId: string,
  input: PayeeInput,
): Promise<{ id: string }> {
  const currency = input.currency.toLowerCase();
  if (!isPayoutRail(input.rail)) throw new ValidationError(`Unknown payout rail "${input.rail}"`);
  assertCurrencyForRail(input.rail, currency);
  if (!/^[A-Z]{2}$/.test(input.country)) throw new ValidationError("country must be ISO 3166-1 alpha-2");
  if (!input.externalRef.trim() || !input.name.trim())
    throw new ValidationError("A payee needs a ref and a name");
  if (input.rail === "stripe_connect" && !/^acct_\w+$/.test(input.stripeAccountId ?? "")) {
    throw new ValidationError("A Stripe Connect payee needs its connected account id (acct_…)");
  }
  if (input.rail === "paypal" && !input.paypalReceiver?.trim()) {
    throw new ValidationError("A PayPal payee needs a receiver (email, phone or PayPal id)");
  }
  const rows = await withTenant(deps.db, tenantId, async (tx) => {
    // Balances are per currency: changing it would strand the ledger in the old one.
    const [held] = rowsOf<{ currency: string }>(
      await tx.execute(sql`select distinct l.currency from ledger_entries l
        join payees p on p.id = l.payee_id
        where p.tenant_id = ${tenantId} and p.external_ref = ${input.externalRef} and l.currency <> ${currency}
        limit 1`),
    );
    if (held) {
      throw new ValidationError(
        `Payee ${input.externalRef} has ledger entries in ${held.currency}: its currency cannot change to ${currency}; create a new payee for ${currency}`,
      );
    }
    return tx.execute(sql`insert into payees (tenant_id, external_ref, name, email, country, rail, currency,
        stripe_account_id, paypal_receiver, tax_info)
      values (${tenantId}, ${input.externalRef}, ${input.name}, ${input.email ?? null}, ${input.country},
        ${input.rail}, ${currency}, ${input.stripeAccountId ?? null}, ${input.paypalReceiver ?? null},
        ${JSON.stringify(input.taxInfo ?? {})}::jsonb)
      on conflict (tenant_id, external_ref) do update set name = excluded.name, email = excluded.email,
        country = excluded.country, rail = excluded.rail, currency = excluded.currency,
        stripe_account_id = excluded.stripe_account_id, paypal_receiver = excluded.paypal_receiver,
        tax_info = excluded.tax_info,
        payouts_enabled = payees.payouts_enabled and payees.stripe_account_id is not distinct from excluded.stripe_account_id,
        updated_at = now()
      returning id`);
  });
  return rowsOf<{ id: string }>(rows)[0]!;
}
