import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startPlaidSimulator } from "../../local/sandbox/plaid-server.ts";
import type { Simulator } from "../../local/sandbox/simulator.ts";
import { createPlaidSigner, type PlaidSigner } from "../../local/sandbox/webhook-signers.ts";
import { createPlaidKeySource, type PlaidKeyCacheLimits, verifyPlaidWebhook } from "./plaid-webhook.ts";
import { createProviderHttpClient } from "./provider-http-client.ts";

let signer: PlaidSigner;
let plaid: Simulator;
const credentials = { clientId: "sandbox-plaid-client", secret: "sandbox-plaid-secret" };
const body = JSON.stringify({ webhook_type: "AUTH", webhook_code: "DEFAULT_UPDATE", item_id: "i" }, null, 2);
const limits: PlaidKeyCacheLimits = {
  maxKeys: 2,
  keyTtlMs: 3_600_000,
  maxUnknown: 100,
  unknownTtlMs: 600_000,
  lookups: 3,
  perMs: 60_000,
};

beforeAll(async () => {
  signer = await createPlaidSigner();
  plaid = await startPlaidSimulator(signer, credentials);
});
afterAll(async () => plaid?.close());
beforeEach(() => {
  plaid.requests.length = 0;
  plaid.clearFaults();
});

const bytes = (text: string) => new TextEncoder().encode(text);
const lookups = () => plaid.requestsTo("POST /webhook_verification_key/get").length;
const source = (now = () => Date.now()) =>
  createPlaidKeySource({ apiUrl: plaid.url, ...credentials }, limits, now);

describe("Plaid webhook verification on Web Crypto", () => {
  it("accepts a token signed by Plaid's key over the exact body, fetching the key once", async () => {
    const keys = source();
    await verifyPlaidWebhook(bytes(body), await signer.sign(body), keys);
    await verifyPlaidWebhook(bytes(body), await signer.sign(body), keys);
    expect(lookups()).toBe(1);
  });

  it("rejects another key, a changed body, a stale or future iat, and a token that is not a JWS", async () => {
    const keys = source();
    const other = await createPlaidSigner();
    const now = Math.floor(Date.now() / 1000);
    const reason = (p: Promise<void>) =>
      p.then(
        () => "accepted",
        (e: { reason: string }) => e.reason,
      );
    expect(
      await reason(verifyPlaidWebhook(bytes(body), await other.sign(body, { kid: signer.kid }), keys)),
    ).toBe("invalid_signature");
    expect(await reason(verifyPlaidWebhook(bytes(`${body} `), await signer.sign(body), keys))).toBe(
      "invalid_signature",
    );
    expect(
      await reason(verifyPlaidWebhook(bytes(body), await signer.sign(body, { iatSec: now - 301 }), keys)),
    ).toBe("stale_timestamp");
    expect(
      await reason(verifyPlaidWebhook(bytes(body), await signer.sign(body, { iatSec: now + 120 }), keys)),
    ).toBe("future_timestamp");
    expect(await reason(verifyPlaidWebhook(bytes(body), "a.b", keys))).toBe("malformed_header");
    expect(await reason(verifyPlaidWebhook(bytes(body), null, keys))).toBe("missing_header");
  });

  it("forged key ids cost at most the global look-up budget, then 503 without calling Plaid", async () => {
    const keys = source();
    const results: string[] = [];
    for (let i = 0; i < 20; i++) {
      const forged = await signer.sign(body, { kid: `forged-${i}` });
      results.push(
        await verifyPlaidWebhook(bytes(body), forged, keys).then(
          () => "ok",
          (e: { code: string }) => e.code,
        ),
      );
    }
    expect(lookups()).toBe(limits.lookups);
    expect(results.slice(0, 3)).toEqual(["invalid_signature", "invalid_signature", "invalid_signature"]);
    expect(new Set(results.slice(3))).toEqual(new Set(["unavailable"]));
  });

  it("remembers an unknown id, so repeating one forged id calls Plaid once", async () => {
    const keys = source();
    for (let i = 0; i < 10; i++) {
      await expect(
        verifyPlaidWebhook(bytes(body), await signer.sign(body, { kid: "forged" }), keys),
      ).rejects.toThrow();
    }
    expect(lookups()).toBe(1);
  });

  it("refills the budget with time and shares one call between concurrent look-ups of an id", async () => {
    let now = 1_000_000;
    const keys = source(() => now);
    await Promise.all(Array.from({ length: 10 }, () => keys.getKey(signer.kid)));
    expect(lookups()).toBe(1);
    for (let i = 0; i < 2; i++) await keys.getKey(`x${i}`);
    await expect(keys.getKey("x-over")).rejects.toMatchObject({ code: "unavailable" });
    now += 20_000;
    await expect(keys.getKey("x-after")).resolves.toBeUndefined();
    expect(lookups()).toBe(4);
  });

  it("reports Plaid refusing our credentials as unavailable, not as a forged key", async () => {
    const keys = createPlaidKeySource({ apiUrl: plaid.url, clientId: "wrong", secret: "wrong" }, limits);
    await expect(keys.getKey(signer.kid)).rejects.toMatchObject({ code: "unavailable" });
  });

  it("looks keys up through the provider HTTP client: timed, logged, a Plaid outage is unavailable", async () => {
    const calls: string[] = [];
    const http = createProviderHttpClient({
      fetch: (input, init) => {
        calls.push(`${init?.method} ${String(input)}`);
        return fetch(input, init);
      },
    });
    const keys = createPlaidKeySource({ apiUrl: plaid.url, ...credentials }, limits, Date.now, http);
    plaid.fault("POST /webhook_verification_key/get", { status: 503, times: 1 });
    await expect(keys.getKey(signer.kid)).rejects.toMatchObject({ code: "unavailable" });
    await expect(keys.getKey(signer.kid)).resolves.toBeDefined();
    expect(calls).toEqual([
      `POST ${plaid.url}/webhook_verification_key/get`,
      `POST ${plaid.url}/webhook_verification_key/get`,
    ]);
  });
});
