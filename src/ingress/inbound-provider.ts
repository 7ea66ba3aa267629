import type { IngressDeps } from "./ingress-deps.ts";

/** What identifies a verified event: its dedupe key (within provider and tenant) and its type. */
export interface EventIdentity {
  dedupeKey: string;
  type: string;
}

/**
 * Everything about one inbound provider, in one place: the router's path, the verifier and where
 * its secret comes from, how an event is identified and deduplicated, which tenant it belongs to,
 * and a sample event for the sandbox. The router, the inbox task ids, `sandbox emit`, the CLI help
 * and the test matrix all read the list in `inbound-providers.ts`.
 */
export interface InboundProvider {
  id: string;
  /** Router path; per-tenant providers carry `:tenantId`. */
  path: string;
  /** Signed with a per-tenant secret: the tenant is in the path and scopes the dedupe key. */
  perTenant: boolean;
  /** Where the signing secret comes from (for help texts and docs). */
  secretSource: string;
  /** Verifies the exact bytes received; throws WebhookVerificationError, or ConfigError without a secret. */
  verify(
    body: Uint8Array<ArrayBuffer>,
    request: Request,
    deps: IngressDeps,
    params: Record<string, string>,
  ): Promise<void>;
  /** Pure: the event's identity from its parsed body; throws when the body is not such an event. */
  identify(body: unknown, raw: Uint8Array<ArrayBuffer>): Promise<EventIdentity>;
  /** The owning tenant (may read the database); default: the path's tenant, or none. */
  resolveTenant?(body: unknown, deps: IngressDeps): Promise<string | null>;
  /** A realistic event body, for `sandbox emit` and tests. */
  sampleEvent(uniqueId: string): string;
}
