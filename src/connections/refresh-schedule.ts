import type { CatalogEntry } from "../providers/catalog-types.ts";

const DEFAULT_LEAD_SECONDS = 3600;

/**
 * When the sweep should next refresh a connection: its expiry minus the provider's lead time,
 * or its keep-alive date for refresh tokens that die when unused — whichever comes first.
 * Null when nothing ever needs refreshing.
 */
export function refreshDueAt(
  entry: CatalogEntry,
  expiresAt: Date | undefined | null,
  now = new Date(),
): Date | null {
  const candidates: number[] = [];
  if (expiresAt)
    candidates.push(expiresAt.getTime() - (entry.refreshLeadSeconds ?? DEFAULT_LEAD_SECONDS) * 1000);
  if (entry.keepAliveDays) candidates.push(now.getTime() + entry.keepAliveDays * 86_400_000);
  return candidates.length ? new Date(Math.min(...candidates)) : null;
}
