import type { Deps } from "../build-deps.ts";

/** Inbound events a capability handles: one provider and its exact event types. */
export interface InboundRoute {
  provider: string;
  types: readonly string[];
}

/** A capability's name and routes, importable by edge code without any handler code. */
export interface CapabilityRoutes {
  name: string;
  routes: readonly InboundRoute[];
}

/** A stored inbound event as a handler sees it. */
export interface CapabilityEvent {
  id: string;
  provider: string;
  type: string;
  tenantId: string | null;
  /** The verified body, parsed (also when the database had to keep it as raw bytes). */
  payload: unknown;
}

export interface HandleContext {
  /**
   * The stored event's id. Delivery is at least once: the same event can reach a handler again
   * (a retry after a crash, a replay), so every side effect must be keyed by it.
   */
  idempotencyKey: string;
}

/** What a capability folder exports: its routes plus the handler of those events. */
export interface Capability extends CapabilityRoutes {
  handle(event: CapabilityEvent, deps: Deps, context: HandleContext): Promise<unknown>;
}
