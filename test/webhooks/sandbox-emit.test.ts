import type { JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookEvents } from "../../db/schema.ts";
import { type Runtime, startRuntime } from "../../local/runtime.ts";
import { emitWebhook } from "../../local/sandbox/emit-webhook.ts";
import { createPlaidSigner } from "../../local/sandbox/webhook-signers.ts";
import { createTestDb, type TestDb } from "../helpers/test-db.ts";

let db: TestDb;
let runtime: Runtime;
beforeAll(async () => {
  db = await createTestDb();
  runtime = await startRuntime({ db, port: 0, secretKey: "tr_test", sandbox: true, cron: false });
});
afterAll(async () => {
  await runtime?.close(1_000);
  await db?.close();
});

describe("sandbox mode", () => {
  it("signs each provider's sample webhook so the runtime accepts it, storing the types a capability handles", async () => {
    const env = runtime.sandbox!.env;
    const common = { baseUrl: runtime.url };
    const results = [
      await emitWebhook("stripe", { ...common, secret: env.STRIPE_WEBHOOK_SECRET }),
      await emitWebhook("plaid", {
        ...common,
        plaidSigner: await createPlaidSigner(JSON.parse(env.SANDBOX_PLAID_SIGNING_JWK!) as JWK),
      }),
      await emitWebhook("paypal", {
        ...common,
        payPal: { signingKey: env.SANDBOX_PAYPAL_SIGNING_KEY!, webhookId: env.PAYPAL_WEBHOOK_ID! },
      }),
    ];
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    // PayPal payout item events belong to the payouts capability: verified and stored.
    expect(results[2]!.body).not.toHaveProperty("ignored");
    const stored = await db.db.select().from(webhookEvents);
    expect(stored.map((e) => `${e.provider} ${e.type}`).sort()).toEqual([
      "paypal PAYMENT.PAYOUTS-ITEM.SUCCEEDED",
      "plaid ITEM.ERROR",
      "stripe account.application.deauthorized",
    ]);
  });
});
