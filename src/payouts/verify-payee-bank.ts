import { sql } from "drizzle-orm";
import type { Deps } from "../build-deps.ts";
import { encryptSecret } from "../crypto/envelope.ts";
import { rowsOf } from "../db/types.ts";
import { withTenant } from "../db/with-tenant.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { classifyStripeError } from "../providers/classify-stripe-error.ts";
import { classifyPlaidError, createPlaidClient } from "../providers/plaid-client.ts";
import { providerConfig } from "../providers/provider-config.ts";
import { createStripeClient } from "../providers/stripe.ts";

/** The binding of a payee's Plaid access token: tenant, provider and the payee id in the field. */
export const payeeTokenBinding = (tenantId: string, payeeId: string) => ({
  tenantId,
  provider: "plaid",
  field: `payee:${payeeId}:access_token`,
});

/**
 * Verifies a payee's bank from Plaid Link's public token: exchanges it, stores the access token
 * encrypted (bound to the payee) before anything else, reads Auth, turns the account into a Stripe
 * bank-account token through Plaid's processor endpoint and attaches it to the payee's connected
 * account (idempotency key from the payee and Item), then marks the bank verified.
 */
export async function verifyPayeeBank(
  deps: Deps,
  tenantId: string,
  input: { payeeId: string; publicToken: string; accountId?: string | undefined },
): Promise<{ itemId: string; accountId: string; externalAccountId: string }> {
  const [payee] = await withTenant(deps.db, tenantId, async (tx) =>
    rowsOf<{ stripe_account_id: string | null }>(
      await tx.execute(
        sql`select stripe_account_id from payees where id = ${input.payeeId} and tenant_id = ${tenantId}`,
      ),
    ),
  );
  if (!payee) throw new NotFoundError(`No payee ${input.payeeId}`);
  if (!payee.stripe_account_id)
    throw new ValidationError("Bank verification attaches the bank to a Stripe connected account");
  const credential = await deps.credentials.resolve("plaid");
  const plaid = createPlaidClient(credential.fields, providerConfig("plaid", deps.env).apiBaseUrl);
  const call = async <T>(fn: () => Promise<{ data: T }>) => {
    try {
      return (await fn()).data;
    } catch (err) {
      throw classifyPlaidError(err);
    }
  };
  const exchanged = await call(() => plaid.itemPublicTokenExchange({ public_token: input.publicToken }));
  const sealed = await encryptSecret(
    deps.keyRing,
    exchanged.access_token,
    payeeTokenBinding(tenantId, input.payeeId),
  );
  await withTenant(deps.db, tenantId, (tx) =>
    tx.execute(sql`insert into payee_bank_links (payee_id, tenant_id, plaid_item_id, access_token, key_version)
      values (${input.payeeId}, ${tenantId}, ${exchanged.item_id}, ${sealed}, ${deps.keyRing.current.version})
      on conflict (payee_id) do update set plaid_item_id = excluded.plaid_item_id, access_token = excluded.access_token,
        key_version = excluded.key_version, account_id = null, external_account_id = null, updated_at = now()`),
  );
  const auth = await call(() => plaid.authGet({ access_token: exchanged.access_token }));
  const account = auth.numbers.ach.find((a) => !input.accountId || a.account_id === input.accountId);
  if (!account) throw new ValidationError("The linked Item has no ACH account to pay out to");
  const processor = await call(() =>
    plaid.processorStripeBankAccountTokenCreate({
      access_token: exchanged.access_token,
      account_id: account.account_id,
    }),
  );
  const stripeKey = await deps.credentials.resolve("stripe");
  const stripe = createStripeClient(stripeKey.token, {
    baseUrl: providerConfig("stripe", deps.env).apiBaseUrl,
  });
  let externalAccountId: string;
  try {
    const attached = await stripe.accounts.createExternalAccount(
      payee.stripe_account_id,
      { external_account: processor.stripe_bank_account_token },
      { idempotencyKey: `bank-link-${input.payeeId}-${exchanged.item_id}` },
    );
    externalAccountId = attached.id;
  } catch (err) {
    throw classifyStripeError(err).error;
  }
  await withTenant(deps.db, tenantId, async (tx) => {
    await tx.execute(sql`update payee_bank_links set account_id = ${account.account_id}, external_account_id = ${externalAccountId},
      updated_at = now() where payee_id = ${input.payeeId}`);
    await tx.execute(sql`update payees set bank_verification = 'verified', bank_verified_at = now(),
      bank_verification_note = null, updated_at = now() where id = ${input.payeeId}`);
  });
  return { itemId: exchanged.item_id, accountId: account.account_id, externalAccountId };
}
