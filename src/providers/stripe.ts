import Stripe from "stripe";
import { logger } from "../observability/logger.ts";

/** What the SDK's `response` event says about one HTTP exchange (`Stripe.ResponseEvent`). */
interface StripeResponseEvent {
  method: string;
  path: string;
  status: number;
  request_id: string;
  elapsed: number;
}

/**
 * Every answer the SDK gets is logged once, as the provider HTTP client logs its calls
 * (`{provider, operation, status, duration_ms, request_id, retryable}`): the SDK does its own
 * HTTP, so its `response` event stands in for `timeProviderCall`. A call that never got an answer
 * surfaces as a StripeConnectionError to its caller, which classifies it.
 */
function logStripeResponse(event: StripeResponseEvent): void {
  const failed = event.status >= 400;
  logger[failed ? "warn" : "info"]("provider call", {
    provider: "stripe",
    operation: `${event.method} ${event.path.replace(/\/(acct|tr|po|ba|py|trr)_[A-Za-z0-9]+/g, "/$1_…")}`,
    status: event.status,
    duration_ms: Math.round(event.elapsed),
    request_id: event.request_id ?? null,
    retryable: failed ? event.status === 409 || event.status === 429 || event.status >= 500 : false,
  });
}

/**
 * The Stripe SDK client for tasks (never imported by web handlers: they verify with
 * `stripe-webhook.ts`). Retries and telemetry are off: our tasks own retries. Every answer is
 * timed and logged once (`logStripeResponse`).
 */
export function createStripeClient(apiKey: string, options: { baseUrl?: string | undefined } = {}): Stripe {
  const base = options.baseUrl ? new URL(options.baseUrl) : undefined;
  const client = new Stripe(apiKey, {
    // Pinned explicitly (the SDK's own version today): an SDK upgrade never changes the API silently.
    apiVersion: "2026-10-28.endive",
    maxNetworkRetries: 0,
    telemetry: false,
    timeout: 10_000,
    ...(base
      ? {
          host: base.hostname,
          port: Number(base.port || (base.protocol === "https:" ? 443 : 80)),
          protocol: base.protocol.replace(":", "") as "http" | "https",
        }
      : {}),
  });
  client.on("response", logStripeResponse);
  return client;
}

/** The SDK's own webhook verification (Web Crypto provider): the benchmark's baseline. */
export async function constructStripeEventWithSdk(
  client: Stripe,
  raw: string,
  header: string,
  secret: string,
): Promise<Stripe.Event> {
  return client.webhooks.constructEventAsync(
    raw,
    header,
    secret,
    undefined,
    Stripe.createSubtleCryptoProvider(),
  );
}
