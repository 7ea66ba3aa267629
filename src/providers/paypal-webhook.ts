import { UnavailableError } from "../errors.ts";
import { renewAccessToken } from "./oauth-client.ts";
import { providerConfig } from "./provider-config.ts";
import { checkTimestamp, WebhookVerificationError } from "./webhook-verification-error.ts";

/** PayPal defines no tolerance; ours: a transmission signed more than 10 minutes away is refused. */
export const PAYPAL_TOLERANCE_MS = 600_000;

export interface PayPalConfig {
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  /** Our endpoint's webhook id in PayPal's dashboard (PAYPAL_WEBHOOK_ID). */
  webhookId: string;
}

export interface PayPalHeaders {
  transmissionId: string | null;
  transmissionTime: string | null;
  transmissionSig: string | null;
  certUrl: string | null;
  authAlgo: string | null;
}

let cachedToken: { key: string; token: string; until: number } | undefined;

/** PayPal's client-credentials token (the catalog's token request), cached until shortly before expiry. */
async function accessToken(config: PayPalConfig): Promise<string> {
  const key = `${config.apiUrl}|${config.clientId}`;
  if (cachedToken && cachedToken.key === key && cachedToken.until > Date.now()) return cachedToken.token;
  const tokens = await renewAccessToken(providerConfig("paypal", { PAYPAL_API_URL: config.apiUrl }), {
    client_id: config.clientId,
    client_secret: config.clientSecret,
  });
  const until = (tokens.expiresAt?.getTime() ?? Date.now() + 3_600_000) - 60_000;
  cachedToken = { key, token: tokens.accessToken, until };
  return tokens.accessToken;
}

/** Only PayPal-hosted certificates over https (a forged cert_url must never be fetched or trusted). */
export function isPayPalCertUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      url.protocol === "https:" && (url.hostname === "paypal.com" || url.hostname.endsWith(".paypal.com"))
    );
  } catch {
    return false;
  }
}

/**
 * Verifies a PayPal webhook with PayPal's verify-webhook-signature API (fetch only: edge-safe).
 * The event is sent back parsed, as the API requires; PayPal answers SUCCESS or FAILURE.
 */
export async function verifyPayPalWebhook(
  raw: string,
  headers: PayPalHeaders,
  config: PayPalConfig,
  nowMs = Date.now(),
): Promise<void> {
  const { transmissionId, transmissionTime, transmissionSig, certUrl, authAlgo } = headers;
  if (!transmissionId || !transmissionTime || !transmissionSig || !certUrl || !authAlgo) {
    throw new WebhookVerificationError("paypal", "missing_header", "Missing PAYPAL-TRANSMISSION-* headers");
  }
  if (!isPayPalCertUrl(certUrl))
    throw new WebhookVerificationError("paypal", "malformed_header", "Untrusted PAYPAL-CERT-URL");
  checkTimestamp("paypal", Date.parse(transmissionTime), nowMs, PAYPAL_TOLERANCE_MS);
  let event: unknown;
  try {
    event = JSON.parse(raw);
  } catch {
    throw new WebhookVerificationError(
      "paypal",
      "malformed_header",
      "PayPal body is not JSON: cannot be verified",
    );
  }
  const response = await fetch(`${config.apiUrl}/v1/notifications/verify-webhook-signature`, {
    method: "POST",
    headers: { authorization: `Bearer ${await accessToken(config)}`, "content-type": "application/json" },
    body: JSON.stringify({
      auth_algo: authAlgo,
      cert_url: certUrl,
      transmission_id: transmissionId,
      transmission_sig: transmissionSig,
      transmission_time: transmissionTime,
      webhook_id: config.webhookId,
      webhook_event: event,
    }),
    signal: AbortSignal.timeout(5_000),
  }).catch((err: unknown) => {
    throw new UnavailableError("Could not reach PayPal to verify a webhook", { cause: err });
  });
  if (!response.ok) throw new UnavailableError(`PayPal verification answered ${response.status}`);
  const { verification_status: status } = (await response.json()) as { verification_status?: string };
  if (status !== "SUCCESS")
    throw new WebhookVerificationError("paypal", "invalid_signature", "PayPal says the signature is invalid");
}
