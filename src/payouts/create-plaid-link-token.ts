import { sql } from "drizzle-orm";
import type { Deps } from "../build-deps.ts";
import { rowsOf } from "../db/types.ts";
import { withTenant } from "../db/with-tenant.ts";
import { NotFoundError } from "../errors.ts";
import { classifyPlaidError, createPlaidClient, PLAID_BANK_LINK } from "../providers/plaid-client.ts";
import { providerConfig } from "../providers/provider-config.ts";

/** A Plaid Link token for a payee's bank verification (the app opens Link with it). */
export async function createPlaidLinkToken(
  deps: Deps,
  tenantId: string,
  payeeId: string,
): Promise<{ linkToken: string; expiration: string }> {
  const [payee] = await withTenant(deps.db, tenantId, async (tx) =>
    rowsOf<{ id: string; name: string }>(
      await tx.execute(sql`select id, name from payees where id = ${payeeId} and tenant_id = ${tenantId}`),
    ),
  );
  if (!payee) throw new NotFoundError(`No payee ${payeeId}`);
  const credential = await deps.credentials.resolve("plaid");
  const plaid = createPlaidClient(credential.fields, providerConfig("plaid", deps.env).apiBaseUrl);
  try {
    const { data } = await plaid.linkTokenCreate({
      client_name: "Payouts",
      language: "en",
      country_codes: PLAID_BANK_LINK.countryCodes,
      products: PLAID_BANK_LINK.products,
      user: { client_user_id: payeeId },
      ...(deps.env.PLAID_WEBHOOK_URL ? { webhook: deps.env.PLAID_WEBHOOK_URL } : {}),
    });
    return { linkToken: data.link_token, expiration: data.expiration };
  } catch (err) {
    throw classifyPlaidError(err);
  }
}
