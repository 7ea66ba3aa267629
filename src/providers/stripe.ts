import Stripe from "stripe";

/**
 * The Stripe SDK client for tasks (never imported by web handlers: they verify with
 * `stripe-webhook.ts`). Retries and telemetry are off: our tasks own retries.
 */
export function createStripeClient(apiKey: string, options: { baseUrl?: string | undefined } = {}): Stripe {
  const base = options.baseUrl ? new URL(options.baseUrl) : undefined;
  return new Stripe(apiKey, {
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
