import { sql } from "drizzle-orm";
import type { Deps } from "../build-deps.ts";
import { rowsOf } from "../db/types.ts";
import { withTenant } from "../db/with-tenant.ts";
import { type AppError, ConflictError } from "../errors.ts";
import { providerConfig } from "../providers/provider-config.ts";
import { classifyHttpFailure } from "../providers/provider-http-client.ts";
import { blockedConnection } from "./blocked-connection.ts";
import { moveItem } from "./move-item.ts";
import { notifyPayouts } from "./notify-payouts.ts";
import type { PayoutRunOptions } from "./payout-failpoint.ts";
import { payPalDuplicateBatchId } from "./paypal-duplicate-batch.ts";
import { formatMinor } from "./rail-currencies.ts";
import { refreshBatchStatus } from "./refresh-batch-status.ts";

interface Claimed {
  paypalBatchId: string | null;
  items: { id: string; net_minor: string | number; currency: string; destination: string; status: string }[];
}

/** Claims the batch's PayPal items (approved batches only) unless PayPal already has them. */
async function claim(deps: Deps, tenantId: string, batchId: string): Promise<Claimed> {
  return withTenant(deps.db, tenantId, async (tx) => {
    const [batch] = rowsOf<{ status: string; paypal_batch_id: string | null }>(
      await tx.execute(sql`select status, paypal_batch_id from payout_batches
        where id = ${batchId} and tenant_id = ${tenantId} for update`),
    );
    if (!batch) throw new ConflictError(`No payout batch ${batchId}`);
    if (!["approved", "processing", "completed", "partially_failed", "failed"].includes(batch.status)) {
      throw new ConflictError(`Batch ${batchId} is ${batch.status}: it cannot be executed without approval`);
    }
    if (batch.paypal_batch_id) return { paypalBatchId: batch.paypal_batch_id, items: [] };
    const items = rowsOf<Claimed["items"][number]>(
      await tx.execute(sql`select id, net_minor, currency, destination, status from payout_items
        where batch_id = ${batchId} and tenant_id = ${tenantId} and rail = 'paypal' and status in ('pending', 'submitted')
        order by id for update`),
    );
    if (items.length === 0) return { paypalBatchId: null, items };
    await tx.execute(sql`update payout_items set status = 'submitted', attempts = attempts + 1,
        submitted_at = coalesce(submitted_at, now()), updated_at = now()
      where batch_id = ${batchId} and rail = 'paypal' and status in ('pending', 'submitted')`);
    await tx.execute(sql`update payout_batches set status = 'processing', updated_at = now()
      where id = ${batchId} and status = 'approved'`);
    return { paypalBatchId: null, items };
  });
}

/**
 * Sends a batch's PayPal items as ONE PayPal payout batch whose `sender_batch_id` is our batch id,
 * so a re-run after any crash is refused by PayPal as a duplicate (and we adopt the original
 * batch) instead of paying again. A permanent refusal of a first attempt releases every item; a
 * refusal after an earlier attempt may have reached PayPal marks them for review instead (money
 * might have moved). Transient failures throw a retryable error.
 */
export async function submitPayPalBatch(
  deps: Deps,
  tenantId: string,
  batchId: string,
  options: PayoutRunOptions = {},
): Promise<{ paypalBatchId: string | null; submitted: number }> {
  const claimed = await claim(deps, tenantId, batchId);
  if (claimed.paypalBatchId || claimed.items.length === 0)
    return { paypalBatchId: claimed.paypalBatchId, submitted: 0 };
  const retried = claimed.items.some((i) => i.status === "submitted");
  // A first attempt through a connection that broke after approval sends nothing and releases the
  // items; a retried one is sent again (PayPal refuses the duplicate and we adopt the original).
  const blocked = retried
    ? undefined
    : await withTenant(deps.db, tenantId, (tx) => blockedConnection(tx, tenantId, "paypal"));
  if (blocked) {
    await withTenant(deps.db, tenantId, async (tx) => {
      for (const item of claimed.items) {
        await moveItem(tx, tenantId, item.id, {
          status: "failed",
          failureCode: blocked,
          failureMessage: `The tenant's PayPal connection is ${blocked.slice("connection_".length)}`,
        });
      }
      await refreshBatchStatus(tx, tenantId, batchId);
    });
    await notifyPayouts(
      deps,
      tenantId,
      `Payout batch ${batchId} was not sent to PayPal: ${blocked.replace("_", " ")}; its items are released.`,
    );
    return { paypalBatchId: null, submitted: 0 };
  }
  await options.failpoint?.("after_claim");
  const base = providerConfig("paypal", deps.env).apiBaseUrl;
  const body = JSON.stringify({
    sender_batch_header: { sender_batch_id: batchId, email_subject: "You have a payout" },
    items: claimed.items.map((i) => ({
      recipient_type: "EMAIL",
      receiver: i.destination,
      amount: { value: formatMinor(Number(i.net_minor), i.currency), currency: i.currency.toUpperCase() },
      sender_item_id: i.id,
    })),
  });
  let refusal: AppError | undefined;
  const response = await deps.credentials.withCredential("paypal", {}, (credential) =>
    deps.http.request({
      provider: "paypal",
      operation: "payouts.create",
      url: `${base}/v1/payments/payouts`,
      method: "POST",
      headers: { authorization: `Bearer ${credential.token}`, "content-type": "application/json" },
      body,
      failure: (r) => {
        if (r.status === 201 || r.status === 200 || payPalDuplicateBatchId(r)) return undefined;
        const failure = classifyHttpFailure("paypal", r);
        if (failure && !failure.retryable && !failure.reauthRequired) {
          refusal = failure;
          return undefined;
        }
        return failure;
      },
    }),
  );
  const paypalBatchId =
    (response.json as { batch_header?: { payout_batch_id?: string } } | undefined)?.batch_header
      ?.payout_batch_id ?? payPalDuplicateBatchId(response);
  if (refusal || !paypalBatchId) {
    const status = retried || !refusal ? "needs_review" : "failed";
    await withTenant(deps.db, tenantId, async (tx) => {
      for (const item of claimed.items) {
        await moveItem(tx, tenantId, item.id, {
          status,
          failureCode: refusal?.code ?? "paypal_unreadable_answer",
          failureMessage: refusal?.message ?? response.text.slice(0, 300),
        });
      }
      await refreshBatchStatus(tx, tenantId, batchId);
    });
    await notifyPayouts(
      deps,
      tenantId,
      `PayPal refused payout batch ${batchId} (${refusal?.code ?? "unreadable answer"}): items ${status === "failed" ? "released" : "need review"}.`,
    );
    return { paypalBatchId: null, submitted: 0 };
  }
  await options.failpoint?.("after_provider_accepted");
  await withTenant(deps.db, tenantId, (tx) =>
    tx.execute(sql`update payout_batches set paypal_batch_id = ${paypalBatchId}, updated_at = now()
      where id = ${batchId} and tenant_id = ${tenantId} and paypal_batch_id is null`),
  );
  await options.failpoint?.("after_recording");
  return { paypalBatchId, submitted: claimed.items.length };
}
