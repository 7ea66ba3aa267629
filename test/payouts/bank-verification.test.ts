import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CapabilityEvent } from "../../src/capabilities/capability.ts";
import { capabilityRegistry } from "../../src/capabilities/registry.ts";
import { decryptSecret } from "../../src/crypto/envelope.ts";
import { createPlaidLinkToken } from "../../src/payouts/create-plaid-link-token.ts";
import { prepareBatch } from "../../src/payouts/prepare-batch.ts";
import { recordEarning } from "../../src/payouts/record-earning.ts";
import { payeeTokenBinding, verifyPayeeBank } from "../../src/payouts/verify-payee-bank.ts";
import { createPayoutsFixture, type PayoutsFixture } from "./payouts-fixture.ts";

let fx: PayoutsFixture;
beforeAll(async () => {
  fx = await createPayoutsFixture();
});
afterAll(async () => fx?.close());
beforeEach(async () => {
  await fx.db.truncate();
  fx.plaid.requests.length = 0;
  fx.slack.requests.length = 0;
});

async function publicToken(): Promise<string> {
  const response = await fetch(`${fx.plaid.url}/sandbox/public_token/create`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      client_id: "plaid-client",
      secret: "plaid-secret",
      institution_id: "ins_109508",
      initial_products: ["auth"],
    }),
  });
  return ((await response.json()) as { public_token: string }).public_token;
}

describe("bank verification with Plaid", () => {
  it("creates a Link token for the payee, then exchanges, stores the access token encrypted to the payee and attaches the bank to the connected account", async () => {
    const tenant = await fx.tenant();
    const payee = await fx.payee(tenant, { ready: false, stripeAccountId: "acct_bankless" });
    await fx.db.db.execute(sql`update payees set payouts_enabled = true where id = ${payee}`);
    const link = await createPlaidLinkToken(fx.deps, tenant, payee);
    expect(link.linkToken).toMatch(/^link-sandbox-/);
    const linkRequest = fx.plaid.requestsTo("POST /link/token/create")[0]!;
    expect(JSON.parse(linkRequest.body).user).toEqual({ client_user_id: payee });
    expect(linkRequest.headers["plaid-client-id"]).toBe("plaid-client");

    const verified = await verifyPayeeBank(fx.deps, tenant, {
      payeeId: payee,
      publicToken: await publicToken(),
    });
    expect(verified.accountId).toBe("acc_sandbox_checking");
    expect(fx.stripe.state.externalAccounts.get("acct_bankless")).toEqual([expect.stringMatching(/^btok_/)]);
    const [row] = await fx.rows<{ access_token: string; plaid_item_id: string; external_account_id: string }>(
      sql`select access_token, plaid_item_id, external_account_id from payee_bank_links where payee_id = ${payee}`,
    );
    expect(row!.access_token).toMatch(/^sb1\./);
    expect(row!.access_token).not.toContain("access-sandbox");
    expect(await decryptSecret(fx.deps.keyRing, row!.access_token, payeeTokenBinding(tenant, payee))).toMatch(
      /^access-sandbox-/,
    );
    const other = await fx.payee(tenant);
    await expect(
      decryptSecret(fx.deps.keyRing, row!.access_token, payeeTokenBinding(tenant, other)),
    ).rejects.toThrow();
    const [state] = await fx.rows<{ bank_verification: string }>(
      sql`select bank_verification from payees where id = ${payee}`,
    );
    expect(state!.bank_verification).toBe("verified");
    await recordEarning(fx.deps, tenant, {
      payeeId: payee,
      amountMinor: 5000,
      currency: "usd",
      idempotencyKey: "e",
    });
    expect(await prepareBatch(fx.deps, tenant)).toMatchObject({ outcome: "prepared", itemCount: 1 });
  });

  it("refuses a public token Plaid does not know, storing nothing", async () => {
    const tenant = await fx.tenant();
    const payee = await fx.payee(tenant, { ready: false });
    await expect(
      verifyPayeeBank(fx.deps, tenant, { payeeId: payee, publicToken: "public-sandbox-nope" }),
    ).rejects.toMatchObject({
      code: "INVALID_PUBLIC_TOKEN",
      retryable: false,
    });
    expect(await fx.rows(sql`select 1 from payee_bank_links`)).toEqual([]);
  });

  it("un-verifies the payee on a Plaid ITEM error or pending expiration, excluding it from the next batch, and tells the tenant once", async () => {
    const tenant = await fx.tenant();
    const payee = await fx.payee(tenant, { ready: false, stripeAccountId: "acct_item" });
    await fx.db.db.execute(sql`update payees set payouts_enabled = true where id = ${payee}`);
    const { itemId } = await verifyPayeeBank(fx.deps, tenant, {
      payeeId: payee,
      publicToken: await publicToken(),
    });
    await recordEarning(fx.deps, tenant, {
      payeeId: payee,
      amountMinor: 5000,
      currency: "usd",
      idempotencyKey: "e",
    });
    for (const code of ["PENDING_EXPIRATION", "ERROR", "ERROR"]) {
      const event: CapabilityEvent = {
        id: `evt-${code}`,
        provider: "plaid",
        type: `ITEM.${code}`,
        tenantId: null,
        payload: {
          webhook_type: "ITEM",
          webhook_code: code,
          item_id: itemId,
          error: { error_code: "ITEM_LOGIN_REQUIRED" },
        },
      };
      await capabilityRegistry
        .handlerFor("plaid", event.type)!
        .handle(event, fx.deps, { idempotencyKey: event.id });
    }
    const [state] = await fx.rows<{ bank_verification: string; bank_verification_note: string }>(
      sql`select bank_verification, bank_verification_note from payees where id = ${payee}`,
    );
    expect(state).toEqual({
      bank_verification: "revoked",
      bank_verification_note: "Plaid PENDING_EXPIRATION (ITEM_LOGIN_REQUIRED)",
    });
    expect(await prepareBatch(fx.deps, tenant)).toMatchObject({
      outcome: "nothing_to_pay",
      skipped: [{ payeeId: payee, reason: "bank_unverified" }],
    });
    expect(fx.notices().filter((n) => n.includes("bank needs attention"))).toHaveLength(1);
  });
});
