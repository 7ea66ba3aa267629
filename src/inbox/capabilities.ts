/** Which capability owns an event, by provider and type (the routing table of the inbox). */
export function capabilityFor(provider: string, type: string): string {
  switch (provider) {
    case "stripe":
    case "paypal":
      return "payouts";
    case "plaid":
      return "bank-verification";
    case "lob":
      return "mail";
    case "retell":
      return "calls";
    default:
      return `unknown:${provider}:${type}`;
  }
}

export interface StoredEvent {
  id: string;
  provider: string;
  type: string;
  tenantId: string | null;
  payload: unknown;
}

/** A capability's entry point for inbound events; capabilities register themselves here. */
export type EventHandler = (event: StoredEvent) => Promise<unknown>;

const handlers = new Map<string, EventHandler>();

export function registerEventHandler(capability: string, handler: EventHandler): void {
  handlers.set(capability, handler);
}

export function eventHandlerFor(capability: string): EventHandler | undefined {
  return handlers.get(capability);
}
