import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { createPayPalPayoutsState, type PayPalPayoutsState, payPalPayoutRoutes } from "./paypal-payouts.ts";
import { type Simulator, startSimulator } from "./simulator.ts";
import { payPalSignedContent } from "./webhook-signers.ts";

export interface PayPalSimulator extends Simulator {
  webhookId: string;
  signingKey: string;
  /** Access tokens issued so far, oldest first. */
  issuedTokens: string[];
  /** PayPal stops honouring every token issued so far (they expired early, or were revoked). */
  expireTokens(): void;
  /** The payouts side: items received, settlement pace, faults. */
  payouts: PayPalPayoutsState;
}

/**
 * PayPal on loopback: client-credentials tokens and `verify-webhook-signature`, which checks the
 * sandbox signature over the re-serialised event (as PayPal's API does, so a body that differs
 * from its own JSON serialisation fails, as it can in production).
 */
export async function startPayPalSimulator(
  credentials = { clientId: "sandbox-paypal-client", clientSecret: "sandbox-paypal-secret" },
): Promise<PayPalSimulator> {
  const webhookId = "WH-SANDBOX-0001";
  // Generated per start: a constant key would let anyone forge deliveries the sandbox accepts.
  const signingKey = randomBytes(32).toString("base64url");
  const issuedTokens: string[] = [];
  const live = new Set<string>();
  const payouts = createPayPalPayoutsState();
  const sim = await startSimulator({
    "POST /v1/oauth2/token": (request) => {
      const expected = `Basic ${Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString("base64")}`;
      if (request.headers.authorization !== expected)
        return { status: 401, body: { error: "invalid_client" } };
      const token = `A21AA-sandbox-${randomBytes(9).toString("hex")}`;
      issuedTokens.push(token);
      live.add(token);
      return { body: { access_token: token, token_type: "Bearer", expires_in: 32_400 } };
    },
    "POST /v1/notifications/verify-webhook-signature": (request) => {
      if (!live.has(request.headers.authorization?.replace(/^Bearer /, "") ?? ""))
        return { status: 401, body: { name: "AUTHENTICATION_FAILURE" } };
      const body = JSON.parse(request.body) as Record<string, string> & { webhook_event: unknown };
      const content = payPalSignedContent(
        body.transmission_id ?? "",
        body.transmission_time ?? "",
        body.webhook_id ?? "",
        JSON.stringify(body.webhook_event),
      );
      const expected = createHmac("sha256", signingKey).update(content).digest();
      const given = Buffer.from(body.transmission_sig ?? "", "base64");
      const ok =
        body.webhook_id === webhookId && given.length === expected.length && timingSafeEqual(given, expected);
      return { body: { verification_status: ok ? "SUCCESS" : "FAILURE" } };
    },
    ...payPalPayoutRoutes((token) => live.has(token), payouts),
  });
  return { ...sim, webhookId, signingKey, issuedTokens, expireTokens: () => live.clear(), payouts };
}
