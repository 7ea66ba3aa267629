import { createHash } from "node:crypto";
import type { PayPalSimulator } from "../../local/sandbox/paypal-server.ts";
import {
  createPlaidSigner,
  type PlaidSigner,
  signLob,
  signPayPal,
  signRetell,
  signStripe,
} from "../../local/sandbox/webhook-signers.ts";

export type Timing = "now" | "stale" | "future";

export interface ProviderCase {
  provider: string;
  perTenant: boolean;
  /** The type of `event(...)` (accepted at the door by the tests' route table). */
  type: string;
  /** A relevant event, serialised as the provider would send it. */
  event(id: string): string;
  irrelevant(id: string): string;
  dedupeKey(raw: string): string;
  sign(raw: string, options?: { wrongSecret?: boolean; timing?: Timing }): Promise<Record<string, string>>;
  /** The header that carries the signature (removed/truncated by security tests). */
  signatureHeader: string;
}

const sha = (raw: string) => createHash("sha256").update(raw).digest("hex");
const offsetSec = (timing: Timing = "now") =>
  Math.floor(Date.now() / 1000) + (timing === "stale" ? -700 : timing === "future" ? 700 : 0);

export interface CaseSecrets {
  stripeSecret: string;
  lobSecret: string;
  retellKey: string;
  plaid: PlaidSigner;
  paypal: PayPalSimulator;
}

export async function providerCases(s: CaseSecrets): Promise<ProviderCase[]> {
  const otherPlaid = await createPlaidSigner();
  return [
    {
      provider: "stripe",
      type: "payout.paid",
      perTenant: false,
      event: (id) =>
        JSON.stringify({ id: `evt_${id}`, type: "payout.paid", data: { object: { id: "po_1" } } }, null, 2),
      irrelevant: (id) => JSON.stringify({ id: `evt_${id}`, type: "customer.created", data: { object: {} } }),
      dedupeKey: (raw) => (JSON.parse(raw) as { id: string }).id,
      sign: async (raw, o = {}) => ({
        "stripe-signature": signStripe(
          raw,
          o.wrongSecret ? "whsec_wrong" : s.stripeSecret,
          offsetSec(o.timing),
        ),
      }),
      signatureHeader: "stripe-signature",
    },
    {
      provider: "plaid",
      type: "AUTH.DEFAULT_UPDATE",
      perTenant: false,
      event: (id) =>
        JSON.stringify(
          { webhook_type: "AUTH", webhook_code: "DEFAULT_UPDATE", item_id: `item_${id}` },
          null,
          2,
        ),
      irrelevant: (id) =>
        JSON.stringify({
          webhook_type: "TRANSACTIONS",
          webhook_code: "SYNC_UPDATES_AVAILABLE",
          item_id: `item_${id}`,
        }),
      dedupeKey: (raw) => {
        const b = JSON.parse(raw) as { item_id: string; webhook_type: string; webhook_code: string };
        return `${b.item_id}:${b.webhook_type}.${b.webhook_code}:${sha(raw)}`;
      },
      sign: async (raw, o = {}) => ({
        // A forged token claims Plaid's key id but is signed with another key.
        "plaid-verification": await (o.wrongSecret ? otherPlaid : s.plaid).sign(raw, {
          iatSec: offsetSec(o.timing),
          kid: s.plaid.kid,
        }),
      }),
      signatureHeader: "plaid-verification",
    },
    {
      provider: "lob",
      type: "letter.mailed",
      perTenant: true,
      event: (id) =>
        JSON.stringify({
          id: `evt_${id}`,
          event_type: { id: "letter.mailed" },
          reference_id: "ltr_1",
          body: {},
        }),
      irrelevant: (id) =>
        JSON.stringify({ id: `evt_${id}`, event_type: { id: "postcard.created" }, body: {} }),
      dedupeKey: (raw) => (JSON.parse(raw) as { id: string }).id,
      sign: async (raw, o = {}) =>
        signLob(raw, o.wrongSecret ? "lob_wrong" : s.lobSecret, offsetSec(o.timing)),
      signatureHeader: "lob-signature",
    },
    {
      provider: "retell",
      type: "call_analyzed",
      perTenant: true,
      event: (id) =>
        JSON.stringify({ event: "call_analyzed", call: { call_id: `call_${id}`, call_status: "ended" } }),
      irrelevant: (id) => JSON.stringify({ event: "call_started", call: { call_id: `call_${id}` } }),
      dedupeKey: (raw) => `${(JSON.parse(raw) as { call: { call_id: string } }).call.call_id}:call_analyzed`,
      sign: async (raw, o = {}) => ({
        "x-retell-signature": signRetell(
          raw,
          o.wrongSecret ? "key_wrong" : s.retellKey,
          offsetSec(o.timing) * 1000,
        ),
      }),
      signatureHeader: "x-retell-signature",
    },
    {
      provider: "paypal",
      // A type no capability handles (payouts takes the item events), so it ends unrouted.
      type: "PAYMENT.PAYOUTSBATCH.SUCCESS",
      perTenant: false,
      event: (id) =>
        JSON.stringify({
          id: `WH-${id}`,
          event_type: "PAYMENT.PAYOUTSBATCH.SUCCESS",
          resource: { batch_header: { payout_batch_id: "B1" } },
        }),
      irrelevant: (id) =>
        JSON.stringify({ id: `WH-${id}`, event_type: "CHECKOUT.ORDER.APPROVED", resource: {} }),
      dedupeKey: (raw) => (JSON.parse(raw) as { id: string }).id,
      sign: async (raw, o = {}) =>
        signPayPal(
          raw,
          o.wrongSecret ? "wrong-key" : s.paypal.signingKey,
          s.paypal.webhookId,
          new Date(offsetSec(o.timing) * 1000).toISOString(),
        ),
      signatureHeader: "paypal-transmission-sig",
    },
  ];
}
