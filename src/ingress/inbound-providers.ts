import type { InboundProvider } from "./inbound-provider.ts";
import { lobInbound } from "./providers/lob.ts";
import { paypalInbound } from "./providers/paypal.ts";
import { plaidInbound } from "./providers/plaid.ts";
import { retellInbound } from "./providers/retell.ts";
import { stripeInbound } from "./providers/stripe.ts";

/** Every inbound webhook provider. The one list: router, inbox task ids, sandbox, CLI help, tests. */
export const inboundProviders: readonly InboundProvider[] = [
  stripeInbound,
  plaidInbound,
  lobInbound,
  retellInbound,
  paypalInbound,
];

export const inboundProviderIds = (): string[] => inboundProviders.map((p) => p.id);

export function findInboundProvider(id: string): InboundProvider | undefined {
  return inboundProviders.find((p) => p.id === id);
}

/** The task that processes a provider's stored events (one task file per provider in trigger/inbox/). */
export const inboxTaskId = (provider: string): string => `inbox-process-${provider}-event`;
