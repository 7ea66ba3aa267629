import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type PayPalSimulator, startPayPalSimulator } from "../../local/sandbox/paypal-server.ts";
import { signPayPal } from "../../local/sandbox/webhook-signers.ts";
import { captureLogs } from "../../test/helpers/capture-logs.ts";
import { ConfigError, UnavailableError } from "../errors.ts";
import {
  isPayPalCertUrl,
  type PayPalHeaders,
  type PayPalVerifierDeps,
  verifyPayPalWebhook,
} from "./paypal-webhook.ts";
import { createProviderHttpClient } from "./provider-http-client.ts";
import type { WebhookVerificationError } from "./webhook-verification-error.ts";

let paypal: PayPalSimulator;
beforeAll(async () => {
  paypal = await startPayPalSimulator();
});
afterAll(async () => paypal?.close());
beforeEach(() => {
  paypal.requests.length = 0;
});

const http = createProviderHttpClient();
/** The platform's token, minted from the sandbox's client credentials. */
const deps = (): PayPalVerifierDeps => ({
  http,
  async withToken(call) {
    const basic = Buffer.from("sandbox-paypal-client:sandbox-paypal-secret").toString("base64");
    const answer = await fetch(`${paypal.url}/v1/oauth2/token`, {
      method: "POST",
      headers: { authorization: `Basic ${basic}` },
    });
    return call(((await answer.json()) as { access_token: string }).access_token);
  },
});
const verifies = () => paypal.requests.filter((r) => r.path === "/v1/notifications/verify-webhook-signature");

const raw = JSON.stringify({ id: `WH-${randomUUID()}`, event_type: "PAYMENT.PAYOUTS-ITEM.SUCCEEDED" });
function headersFor(body: string, time = new Date().toISOString()): PayPalHeaders {
  const h = signPayPal(body, paypal.signingKey, paypal.webhookId, time);
  return {
    transmissionId: h["paypal-transmission-id"],
    transmissionTime: h["paypal-transmission-time"],
    transmissionSig: h["paypal-transmission-sig"],
    certUrl: h["paypal-cert-url"],
    authAlgo: h["paypal-auth-algo"],
  };
}
async function outcome(
  body: string,
  headers: PayPalHeaders,
  d = deps(),
  nowMs = Date.now(),
): Promise<string> {
  try {
    await verifyPayPalWebhook(body, headers, { apiUrl: paypal.url, webhookId: paypal.webhookId }, d, nowMs);
    return "ok";
  } catch (err) {
    return (err as WebhookVerificationError).reason ?? (err as Error).constructor.name;
  }
}

describe("PayPal certificate URLs", () => {
  it("trusts only https URLs on paypal.com or its subdomains", () => {
    expect(isPayPalCertUrl("https://api.paypal.com/v1/notifications/certs/CERT-1")).toBe(true);
    expect(isPayPalCertUrl("https://paypal.com/cert")).toBe(true);
    expect(isPayPalCertUrl("http://api.paypal.com/cert")).toBe(false);
    expect(isPayPalCertUrl("https://evilpaypal.com/cert")).toBe(false);
    expect(isPayPalCertUrl("https://paypal.com.evil.example/cert")).toBe(false);
    expect(isPayPalCertUrl("not a url")).toBe(false);
  });
});

describe("PayPal webhook verification", () => {
  it("accepts a delivery PayPal's API calls SUCCESS, asking it once with our webhook id", async () => {
    expect(await outcome(raw, headersFor(raw))).toBe("ok");
    expect(verifies()).toHaveLength(1);
    const sent = JSON.parse(verifies()[0]!.body) as Record<string, unknown>;
    expect(sent).toMatchObject({ auth_algo: "SHA256withRSA", webhook_id: paypal.webhookId });
    expect(sent.webhook_event).toEqual(JSON.parse(raw));
  });

  it("refuses what PayPal calls FAILURE: another body, another signature", async () => {
    const headers = headersFor(raw);
    const other = JSON.stringify({ ...JSON.parse(raw), event_type: "PAYMENT.PAYOUTS-ITEM.FAILED" });
    expect(await outcome(other, headers)).toBe("invalid_signature");
    expect(await outcome(raw, { ...headers, transmissionSig: headersFor(other).transmissionSig })).toBe(
      "invalid_signature",
    );
  });

  it("refuses missing headers, a foreign certificate URL and a body that is not JSON without asking PayPal", async () => {
    const headers = headersFor(raw);
    for (const name of Object.keys(headers) as (keyof PayPalHeaders)[]) {
      expect(await outcome(raw, { ...headers, [name]: null })).toBe("missing_header");
    }
    expect(await outcome(raw, { ...headers, certUrl: "https://evil.example/cert" })).toBe("malformed_header");
    expect(await outcome("not json", headersFor("not json"))).toBe("malformed_header");
    expect(verifies()).toHaveLength(0);
  });

  it("refuses a transmission signed more than 10 minutes away, either way", async () => {
    const time = "2026-01-01T00:00:00.000Z";
    const at = Date.parse(time);
    const headers = headersFor(raw, time);
    expect(await outcome(raw, headers, deps(), at + 600_001)).toBe("stale_timestamp");
    expect(await outcome(raw, headers, deps(), at - 600_001)).toBe("future_timestamp");
    expect(await outcome(raw, { ...headers, transmissionTime: "yesterday" })).toBe("malformed_header");
    expect(verifies()).toHaveLength(0);
    expect(await outcome(raw, headers, deps(), at + 600_000)).toBe("ok");
  });

  it("passes a configuration error through and makes any other failure to ask PayPal unavailable", async () => {
    const failing = (err: Error): PayPalVerifierDeps => ({ http, withToken: () => Promise.reject(err) });
    expect(await outcome(raw, headersFor(raw), failing(new ConfigError("no PayPal credentials")))).toBe(
      "ConfigError",
    );
    expect(await outcome(raw, headersFor(raw), failing(new Error("socket hang up")))).toBe(
      "UnavailableError",
    );
    const down = {
      ...deps(),
      http: createProviderHttpClient({ fetch: () => Promise.reject(new TypeError("fetch failed")) }),
    };
    expect(await outcome(raw, headersFor(raw), down)).toBe(UnavailableError.name);
  });
});

describe("PayPal verification failures as callers see them", () => {
  it("names the provider, reason and a message for each failure (the message is the 4xx answer)", async () => {
    const headers = headersFor(raw);
    const cases: [string, PayPalHeaders, string, string][] = [
      [raw, { ...headers, authAlgo: null }, "missing_header", "Missing PAYPAL-TRANSMISSION-* headers"],
      [
        raw,
        { ...headers, certUrl: "https://evil.example/c" },
        "malformed_header",
        "Untrusted PAYPAL-CERT-URL",
      ],
      [
        raw,
        { ...headers, transmissionTime: "2001-01-01T00:00:00Z" },
        "stale_timestamp",
        "Webhook timestamp is too old",
      ],
      ["nope", headersFor("nope"), "malformed_header", "PayPal body is not JSON: cannot be verified"],
      [
        raw,
        { ...headers, transmissionSig: "AAAA" },
        "invalid_signature",
        "PayPal says the signature is invalid",
      ],
    ];
    for (const [body, h, reason, message] of cases) {
      const error = await verifyPayPalWebhook(
        body,
        h,
        { apiUrl: paypal.url, webhookId: paypal.webhookId },
        deps(),
      ).catch((e: WebhookVerificationError) => e);
      expect(error).toMatchObject({ reason, message, context: { provider: "paypal", reason } });
    }
  });

  it("asks PayPal as a logged, JSON-typed provider call, and keeps why asking failed", async () => {
    const logs = captureLogs();
    try {
      expect(await outcome(raw, headersFor(raw))).toBe("ok");
    } finally {
      logs.stop();
    }
    expect(verifies()[0]!.headers["content-type"]).toBe("application/json");
    const call = logs.lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.message === "provider call");
    expect(call).toMatchObject({ provider: "paypal", operation: "webhook.verify" });
    const cause = new Error("socket hang up");
    const error = await verifyPayPalWebhook(
      raw,
      headersFor(raw),
      { apiUrl: paypal.url, webhookId: paypal.webhookId },
      { http, withToken: () => Promise.reject(cause) },
    ).catch((e: Error) => e);
    expect(error).toMatchObject({ message: "Could not verify a PayPal webhook with PayPal now", cause });
  });

  it("refuses, as an invalid signature, an answer from PayPal that is not JSON", async () => {
    const empty = createProviderHttpClient({ fetch: async () => new Response("", { status: 200 }) });
    expect(await outcome(raw, headersFor(raw), { ...deps(), http: empty })).toBe("invalid_signature");
  });
});
