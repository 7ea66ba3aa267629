import type { ProviderResponse } from "../providers/provider-http-client.ts";

interface StripeAccount {
  payouts_enabled?: unknown;
  requirements?: { disabled_reason?: unknown; past_due?: unknown };
}

/** Stripe Connect: a connected account Stripe will not pay out to cannot receive payouts. */
function stripeConnectWarning(response: ProviderResponse): string | undefined {
  const account = response.json as StripeAccount | undefined;
  if (account?.payouts_enabled !== false) return undefined;
  const reason = account.requirements?.disabled_reason;
  return `Stripe has disabled payouts on this account${typeof reason === "string" ? ` (${reason})` : ""}`;
}

/**
 * What a successful probe's answer says is wrong without failing: the credential works, but the
 * account cannot do its job (a Stripe connected account with `payouts_enabled: false`). The
 * connection is then `degraded` with this reason. Undefined when nothing is wrong.
 */
export function probeWarning(provider: string, response: ProviderResponse): string | undefined {
  if (provider === "stripe_connect") return stripeConnectWarning(response);
  return undefined;
}
