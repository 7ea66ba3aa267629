import { sql } from "drizzle-orm";
import type { Deps } from "../build-deps.ts";
import { rowsOf } from "../db/types.ts";
import { withTenant } from "../db/with-tenant.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";

export interface EarningInput {
  payeeId: string;
  /** Integer minor units; positive for earnings, either sign for adjustments. */
  amountMinor: number;
  currency: string;
  /** The caller's key: the same key records once; the same key with other values is refused. */
  idempotencyKey: string;
  kind?: "earning" | "adjustment" | undefined;
  memo?: string | undefined;
}

/**
 * Appends an earning or adjustment to a payee's ledger. Recording the same key again returns the
 * first entry (`replayed`); the same key with a different payee, amount, currency or kind is a
 * caller bug and is refused, like a provider's idempotency key.
 */
export async function recordEarning(
  deps: Pick<Deps, "db">,
  tenantId: string,
  input: EarningInput,
): Promise<{ entryId: string; replayed: boolean }> {
  const kind = input.kind ?? "earning";
  // Reservations, releases and returns are the capability's own entries, never app code's.
  if (kind !== "earning" && kind !== "adjustment") {
    throw new ValidationError('App code records only "earning" or "adjustment" entries');
  }
  const currency = input.currency.toLowerCase();
  if (!Number.isSafeInteger(input.amountMinor) || input.amountMinor === 0) {
    throw new ValidationError("amountMinor must be a non-zero integer of minor units");
  }
  if (kind === "earning" && input.amountMinor < 0) throw new ValidationError("An earning must be positive");
  const key = input.idempotencyKey.trim();
  if (!key || key.length > 200) throw new ValidationError("idempotencyKey must be 1-200 characters");
  if (/^(reserve|credit):/.test(key)) throw new ValidationError("idempotencyKey prefix is reserved");
  return withTenant(deps.db, tenantId, async (tx) => {
    const [payee] = rowsOf<{ currency: string }>(
      await tx.execute(
        sql`select currency from payees where id = ${input.payeeId} and tenant_id = ${tenantId}`,
      ),
    );
    if (!payee) throw new NotFoundError(`No payee ${input.payeeId}`);
    if (payee.currency !== currency) {
      throw new ValidationError(
        `The payee is paid in ${payee.currency.toUpperCase()}, not ${currency.toUpperCase()}`,
      );
    }
    const inserted = rowsOf<{ id: string }>(
      await tx.execute(sql`insert into ledger_entries (tenant_id, payee_id, kind, amount_minor, currency, idempotency_key, memo)
        values (${tenantId}, ${input.payeeId}, ${kind}, ${input.amountMinor}, ${currency}, ${key}, ${input.memo ?? null})
        on conflict (tenant_id, idempotency_key) do nothing returning id`),
    );
    if (inserted[0]) return { entryId: inserted[0].id, replayed: false };
    const [earlier] = rowsOf<{
      id: string;
      payee_id: string;
      kind: string;
      amount_minor: string | number;
      currency: string;
    }>(
      await tx.execute(sql`select id, payee_id, kind, amount_minor, currency from ledger_entries
        where tenant_id = ${tenantId} and idempotency_key = ${key}`),
    );
    const same =
      earlier &&
      earlier.payee_id === input.payeeId &&
      earlier.kind === kind &&
      Number(earlier.amount_minor) === input.amountMinor &&
      earlier.currency === currency;
    if (!same) {
      throw new ConflictError(`idempotencyKey "${key}" was already used with different values`, {
        context: { idempotencyKey: key },
      });
    }
    return { entryId: earlier.id, replayed: true };
  });
}
