import { sql } from "drizzle-orm";
import type { PayoutRail } from "../../db/schema.ts";
import type { Deps } from "../build-deps.ts";
import { rowsOf, type Tx } from "../db/types.ts";
import { withTenant } from "../db/with-tenant.ts";
import { ValidationError } from "../errors.ts";
import { CONNECTION_OF } from "./blocked-connection.ts";
import { notifyPayouts } from "./notify-payouts.ts";
import { formatMinor, isCurrencyForRail } from "./rail-currencies.ts";

export interface PreparedBatch {
  outcome: "prepared" | "nothing_to_pay" | "open_batch_exists";
  batchId?: string;
  status?: "awaiting_approval" | "approved";
  itemCount: number;
  totalMinor: number;
  /** Payees with money that were left out, and why (never silently). */
  skipped: { payeeId: string; reason: string }[];
}

interface Candidate {
  id: string;
  rail: PayoutRail;
  currency: string;
  stripe_account_id: string | null;
  paypal_receiver: string | null;
  payouts_enabled: boolean;
  bank_verification: string;
  balance: string | number;
  connection_status: string | null;
}

/** Why a payee with a positive balance cannot be paid now, or undefined when it can. */
function exclusion(c: Candidate, balance: number, settings: Settings): string | undefined {
  if (balance < settings.minimum) return "below_minimum";
  if (balance > settings.ceiling) return "above_ceiling";
  if (!isCurrencyForRail(c.rail, c.currency)) return "currency_not_on_rail";
  if (c.connection_status && c.connection_status !== "active") return `connection_${c.connection_status}`;
  if (c.rail === "stripe_connect") {
    if (!c.stripe_account_id) return "no_stripe_account";
    if (!c.payouts_enabled) return "payouts_disabled";
    if (c.bank_verification !== "verified") return "bank_unverified";
  }
  if (c.rail === "paypal" && !c.paypal_receiver) return "no_paypal_receiver";
  return undefined;
}

interface Settings {
  minimum: number;
  ceiling: number;
  approvalAbove: number | null;
  approvalAlways: boolean;
  feeBps: number | null;
}

async function readSettings(tx: Tx, tenantId: string): Promise<Settings> {
  const [row] = rowsOf<Record<string, string | number | boolean | null>>(
    await tx.execute(sql`select * from payout_settings where tenant_id = ${tenantId}`),
  );
  return {
    minimum: Number(row?.minimum_minor ?? 1_000),
    ceiling: Number(row?.item_ceiling_minor ?? 1_000_000),
    approvalAbove: row?.approval_above_minor == null ? null : Number(row.approval_above_minor),
    approvalAlways: row ? Boolean(row.approval_always) : true,
    feeBps: row?.fee_bps == null ? null : Number(row.fee_bps),
  };
}

/**
 * Prepares a tenant's payout batch in one currency, in ONE transaction: it selects payees whose
 * ledger balance meets the minimum and whose rail is usable, creates the batch and its items, and
 * appends a reserving (negative) ledger entry per item, so the same money can never be in two
 * batches. Preparations of one tenant and currency are serialised by an advisory lock, and at most
 * one batch is open per tenant and currency (a unique index): concurrent callers get one batch.
 */
export async function prepareBatch(
  deps: Pick<Deps, "db" | "keyRing" | "env" | "http" | "logger">,
  tenantId: string,
  options: { currency?: string } = {},
): Promise<PreparedBatch> {
  const currency = (options.currency ?? "usd").toLowerCase();
  if (!/^[a-z]{3}$/.test(currency)) throw new ValidationError("currency must be ISO 4217");
  const result = await withTenant(deps.db, tenantId, async (tx): Promise<PreparedBatch> => {
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtextextended(${`payouts:${tenantId}:${currency}`}, 0))`,
    );
    const [open] = rowsOf<{ id: string }>(
      await tx.execute(sql`select id from payout_batches where tenant_id = ${tenantId} and currency = ${currency}
        and status in ('draft', 'awaiting_approval', 'approved', 'processing')`),
    );
    if (open)
      return { outcome: "open_batch_exists", batchId: open.id, itemCount: 0, totalMinor: 0, skipped: [] };
    const settings = await readSettings(tx, tenantId);
    const candidates = rowsOf<Candidate>(
      await tx.execute(sql`select p.id, p.rail, p.currency, p.stripe_account_id, p.paypal_receiver,
          p.payouts_enabled, p.bank_verification, b.balance,
          (select c.status from integration_connections c where c.tenant_id = p.tenant_id
             and c.provider = case p.rail when 'stripe_connect' then ${CONNECTION_OF.stripe_connect} else ${CONNECTION_OF.paypal} end) as connection_status
        from payees p
        join (select payee_id, sum(amount_minor) as balance from ledger_entries
              where tenant_id = ${tenantId} and currency = ${currency} group by payee_id) b on b.payee_id = p.id
        where p.tenant_id = ${tenantId} and p.currency = ${currency} and b.balance > 0
        order by p.id`),
    );
    const skipped: PreparedBatch["skipped"] = [];
    const items: { payeeId: string; rail: PayoutRail; amount: number; fee: number; destination: string }[] =
      [];
    for (const c of candidates) {
      const balance = Number(c.balance);
      const reason = exclusion(c, balance, settings);
      const fee = settings.feeBps ? Math.floor((balance * settings.feeBps) / 10_000) : 0;
      if (reason ?? (balance - fee <= 0 ? "nothing_after_fee" : undefined)) {
        skipped.push({ payeeId: c.id, reason: reason ?? "nothing_after_fee" });
        continue;
      }
      const destination = c.rail === "stripe_connect" ? c.stripe_account_id! : c.paypal_receiver!;
      items.push({ payeeId: c.id, rail: c.rail, amount: balance, fee, destination });
    }
    if (items.length === 0) return { outcome: "nothing_to_pay", itemCount: 0, totalMinor: 0, skipped };
    const total = items.reduce((sum, i) => sum + i.amount, 0);
    const requiresApproval =
      settings.approvalAlways || (settings.approvalAbove !== null && total > settings.approvalAbove);
    const status = requiresApproval ? "awaiting_approval" : "approved";
    const [batch] = rowsOf<{ id: string }>(
      await tx.execute(sql`insert into payout_batches (tenant_id, currency, status, total_minor, item_count, requires_approval)
        values (${tenantId}, ${currency}, ${status}, ${total}, ${items.length}, ${requiresApproval}) returning id`),
    );
    const batchId = batch!.id;
    const rows = JSON.stringify(
      items.map((i) => ({
        payee_id: i.payeeId,
        rail: i.rail,
        amount: i.amount,
        fee: i.fee,
        destination: i.destination,
      })),
    );
    await tx.execute(sql`insert into payout_items (tenant_id, batch_id, payee_id, rail, amount_minor, fee_minor, net_minor, currency, destination)
      select ${tenantId}, ${batchId}, u.payee_id, u.rail, u.amount, u.fee, u.amount - u.fee, ${currency}, u.destination
      from jsonb_to_recordset(${rows}::jsonb) as u(payee_id uuid, rail text, amount bigint, fee bigint, destination text)`);
    await tx.execute(sql`insert into ledger_entries (tenant_id, payee_id, kind, amount_minor, currency, idempotency_key, item_id, memo)
      select tenant_id, payee_id, 'reservation', -amount_minor, currency, 'reserve:' || id, id, 'payout batch ' || batch_id
      from payout_items where batch_id = ${batchId}`);
    return { outcome: "prepared", batchId, status, itemCount: items.length, totalMinor: total, skipped };
  });
  if (result.outcome === "prepared" && result.status === "awaiting_approval") {
    await notifyPayouts(
      deps,
      tenantId,
      `Payout batch ${result.batchId} waits for approval: ${result.itemCount} payees, ${formatMinor(result.totalMinor, currency)} ${currency.toUpperCase()}` +
        `${result.skipped.length ? ` (${result.skipped.length} held back)` : ""}. Approve with \`payouts approve ${result.batchId}\`.`,
    );
  }
  return result;
}
