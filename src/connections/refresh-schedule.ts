import type { CatalogEntry } from "../providers/catalog-types.ts";

const DEFAULT_LEAD_SECONDS = 3600;
/** Sweeps run every 10 minutes: refresh what falls due before the next one, with slack. */
export const SWEEP_HORIZON_MS = 15 * 60_000;

/**
 * When the sweep should next refresh a connection: its expiry minus a lead time — the provider's
 * (default one hour) but at most half the token's remaining life, so one-hour tokens are not
 * refreshed on every sweep — or its keep-alive date for refresh tokens that die when unused,
 * whichever comes first. Null when nothing ever needs refreshing.
 */
export function refreshDueAt(
  entry: CatalogEntry,
  expiresAt: Date | undefined | null,
  now = new Date(),
): Date | null {
  const candidates: number[] = [];
  if (expiresAt) {
    const remaining = Math.max(0, expiresAt.getTime() - now.getTime());
    const lead = Math.min((entry.refreshLeadSeconds ?? DEFAULT_LEAD_SECONDS) * 1000, remaining / 2);
    candidates.push(expiresAt.getTime() - lead);
  }
  if (entry.keepAliveDays) candidates.push(now.getTime() + entry.keepAliveDays * 86_400_000);
  return candidates.length ? new Date(Math.min(...candidates)) : null;
}
