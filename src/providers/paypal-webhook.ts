import { ConfigError, UnavailableError } from "../errors.ts";
import type { ProviderHttpClient } from "./provider-http-client.ts";
import { checkTimestamp, WebhookVerificationError } from "./webhook-verification-error.ts";

/** PayPal defines no tolerance; ours: a transmission signed more than 10 minutes away is refused. */
export const PAYPAL_TOLERANCE_MS = 600_000;

export interface PayPalConfig {
  /** PayPal's API base (`PAYPAL_API_URL`, else production). */
  apiUrl: string;
  /** Our endpoint's webhook id in PayPal's dashboard (PAYPAL_WEBHOOK_ID). */
  webhookId: string;
}

/** What verification calls PayPal with: the provider HTTP client and a source of the platform's token. */
export interface PayPalVerifierDeps {
  http: ProviderHttpClient;
  /**
   * Runs `call` with the platform's PayPal token, and once more with a new one if PayPal answers
   * 401 (the credential resolver's `withCredential`).
   */
  withToken<T>(call: (token: string) => Promise<T>): Promise<T>;
}

export interface PayPalHeaders {
  transmissionId: string | null;
  transmissionTime: string | null;
  transmissionSig: string | null;
  certUrl: string | null;
  authAlgo: string | null;
}

/** PayPal answers a webhook delivery's verification within this (its deliveries time out too). */
const VERIFY_TIMEOUT_MS = 5_000;

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
  deps: PayPalVerifierDeps,
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
  const body = JSON.stringify({
    auth_algo: authAlgo,
    cert_url: certUrl,
    transmission_id: transmissionId,
    transmission_sig: transmissionSig,
    transmission_time: transmissionTime,
    webhook_id: config.webhookId,
    webhook_event: event,
  });
  const response = await deps
    .withToken((token) =>
      deps.http.request({
        provider: "paypal",
        operation: "webhook.verify",
        url: `${config.apiUrl}/v1/notifications/verify-webhook-signature`,
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body,
        timeoutMs: VERIFY_TIMEOUT_MS,
      }),
    )
    .catch((err: unknown) => {
      if (err instanceof ConfigError) throw err;
      // Whatever kept us from asking (network, PayPal down, our token refused twice): retry later.
      throw new UnavailableError("Could not verify a PayPal webhook with PayPal now", { cause: err });
    });
  const status = (response.json as { verification_status?: string } | undefined)?.verification_status;
  if (status !== "SUCCESS")
    throw new WebhookVerificationError("paypal", "invalid_signature", "PayPal says the signature is invalid");
}
