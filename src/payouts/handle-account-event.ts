import { sql } from "drizzle-orm";
import type { Deps } from "../build-deps.ts";
import type { CapabilityEvent } from "../capabilities/capability.ts";
import { rowsOf } from "../db/types.ts";
import { withTenant } from "../db/with-tenant.ts";
import { providerConfig } from "../providers/provider-config.ts";
import { createStripeClient } from "../providers/stripe.ts";
import { notifyPayouts } from "./notify-payouts.ts";

/** Payees paid to a connected account, across tenants on purpose (the event names only the account). */
async function payeesOf(deps: Deps, account: string): Promise<{ id: string; tenant_id: string }[]> {
  return rowsOf(
    await deps.db.execute(sql`select id, tenant_id from payees where stripe_account_id = ${account}`),
  );
}

/**
 * Stripe `account.updated`: reads the account's current `payouts_enabled` from Stripe (events can
 * arrive out of order; the account itself cannot be stale) and applies it to its payees.
 * `payout.failed` on a connected account: the payee's bank payout bounced, so its bank is marked
 * unverified (excluded from new batches) and the tenant is told. Both are safe to repeat.
 */
export async function handleAccountEvent(
  event: CapabilityEvent,
  deps: Deps,
): Promise<{ outcome: string; payees: number }> {
  const payload = event.payload as {
    account?: string;
    data?: { object?: { id?: string; failure_code?: string } };
  };
  const account =
    event.type === "account.updated" ? (payload.data?.object?.id ?? payload.account) : payload.account;
  if (!account) return { outcome: "unknown_account", payees: 0 };
  const payees = await payeesOf(deps, account);
  if (payees.length === 0) return { outcome: "unknown_account", payees: 0 };
  if (event.type === "account.updated") {
    const credential = await deps.credentials.resolve("stripe");
    const stripe = createStripeClient(credential.token, {
      baseUrl: providerConfig("stripe", deps.env).apiBaseUrl,
    });
    const enabled = (await stripe.accounts.retrieve(account)).payouts_enabled === true;
    for (const payee of payees) {
      await withTenant(deps.db, payee.tenant_id, (tx) =>
        tx.execute(sql`update payees set payouts_enabled = ${enabled}, updated_at = now()
          where id = ${payee.id} and payouts_enabled is distinct from ${enabled}`),
      );
    }
    return { outcome: enabled ? "payouts_enabled" : "payouts_disabled", payees: payees.length };
  }
  const code = payload.data?.object?.failure_code ?? "payout_failed";
  for (const payee of payees) {
    const changed = await withTenant(
      deps.db,
      payee.tenant_id,
      async (tx) =>
        rowsOf(
          await tx.execute(sql`update payees set bank_verification = 'revoked', bank_verification_note = ${`Stripe payout failed: ${code}`},
            updated_at = now() where id = ${payee.id} and bank_verification <> 'revoked' returning id`),
        ).length,
    );
    if (changed) {
      await notifyPayouts(
        deps,
        payee.tenant_id,
        `A bank payout to payee ${payee.id} failed (${code}); the payee is left out of new batches until the bank is verified again.`,
      );
    }
  }
  return { outcome: "bank_unverified", payees: payees.length };
}
