import { CountryCode } from "plaid";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startPlaidSimulator } from "../../local/sandbox/plaid-server.ts";
import type { Simulator } from "../../local/sandbox/simulator.ts";
import { type StripeApiSimulator, startStripeApiSimulator } from "../../local/sandbox/stripe-api-server.ts";
import { createPlaidSigner } from "../../local/sandbox/webhook-signers.ts";
import { createPlaidClient } from "../../src/providers/plaid-client.ts";
import { createStripeClient } from "../../src/providers/stripe.ts";
import { captureLogs } from "../helpers/capture-logs.ts";

let stripe: StripeApiSimulator;
let plaid: Simulator;
let logs: ReturnType<typeof captureLogs>;
const plaidKeys = { client_id: "sandbox-plaid-client", secret: "sandbox-plaid-secret" };

beforeAll(async () => {
  stripe = await startStripeApiSimulator(["sk_test_logged"]);
  plaid = await startPlaidSimulator(await createPlaidSigner());
  logs = captureLogs();
});
afterAll(async () => {
  logs.stop();
  await stripe?.close();
  await plaid?.close();
});
beforeEach(() => {
  logs.lines.length = 0;
});

const providerLines = () =>
  logs.lines
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.message === "provider call");

describe("provider SDK calls are timed and logged once, like the provider HTTP client's", () => {
  it("logs each Stripe SDK answer with operation, status and duration, ids folded out of the operation", async () => {
    const client = createStripeClient("sk_test_logged", { baseUrl: stripe.url });
    await client.balance.retrieve();
    await client.accounts.retrieve("acct_123abc");
    await expect(
      createStripeClient("sk_revoked", { baseUrl: stripe.url }).balance.retrieve(),
    ).rejects.toThrow();
    expect(providerLines()).toEqual([
      expect.objectContaining({
        provider: "stripe",
        operation: "GET /v1/balance",
        status: 200,
        level: "info",
      }),
      expect.objectContaining({ provider: "stripe", operation: "GET /v1/accounts/acct_…", status: 200 }),
      expect.objectContaining({
        provider: "stripe",
        operation: "GET /v1/balance",
        status: 401,
        level: "warn",
      }),
    ]);
    for (const line of providerLines()) expect(line.duration_ms).toEqual(expect.any(Number));
  });

  it("logs each Plaid SDK call once, its failures with the status Plaid answered", async () => {
    const request = { count: 1, offset: 0, country_codes: [CountryCode.Us] };
    await createPlaidClient(plaidKeys, plaid.url).institutionsGet(request);
    await expect(
      createPlaidClient({ ...plaidKeys, secret: "wrong" }, plaid.url).institutionsGet(request),
    ).rejects.toThrow();
    expect(providerLines()).toEqual([
      expect.objectContaining({
        provider: "plaid",
        operation: "institutionsGet",
        status: 200,
        level: "info",
      }),
      expect.objectContaining({
        provider: "plaid",
        operation: "institutionsGet",
        status: 400,
        level: "warn",
      }),
    ]);
  });
});
