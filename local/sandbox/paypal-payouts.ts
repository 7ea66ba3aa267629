import { randomBytes } from "node:crypto";
import { createRateLimiter, type RateLimiter } from "./rate-limit.ts";
import type { RecordedRequest, SimResponse, SimRoute } from "./simulator.ts";

interface PayoutItem {
  recipient_type: string;
  receiver: string;
  amount: { value: string; currency: string };
  sender_item_id?: string;
}

export interface SimPayPalItem {
  payout_item_id: string;
  payout_batch_id: string;
  sender_batch_id: string;
  sender_item_id: string | undefined;
  receiver: string;
  amount: { value: string; currency: string };
  /** The status the item settles in (SUCCESS, UNCLAIMED, FAILED, BLOCKED). */
  final: string;
}

/** What a test or benchmark can see and steer in the PayPal Payouts simulator. */
export interface PayPalPayoutsState {
  /** Every item of every accepted batch (a duplicate payment shows as two items for one sender_item_id). */
  items: SimPayPalItem[];
  /** Status reads a batch answers PROCESSING (items PENDING) before it settles. */
  pollsUntilSettled: number;
  /** The next N batches are accepted, then answered with a 500 (the answer is lost on the way). */
  loseAnswers(n: number): void;
  rateLimit: RateLimiter;
}

export function createPayPalPayoutsState(): PayPalPayoutsState & { takeLoss(): boolean } {
  let lose = 0;
  return {
    items: [],
    pollsUntilSettled: 1,
    loseAnswers: (n) => {
      lose = n;
    },
    takeLoss: () => {
      if (lose <= 0) return false;
      lose--;
      return true;
    },
    rateLimit: createRateLimiter(),
  };
}

/** The receiver decides the outcome in the sandbox: "unregistered", "fail" and "blocked" in it. */
function finalStatus(receiver: string): { status: string; error?: string } {
  if (receiver.includes("unregistered")) return { status: "UNCLAIMED", error: "RECEIVER_UNREGISTERED" };
  if (receiver.includes("fail")) return { status: "FAILED", error: "RECEIVER_ACCOUNT_LOCKED" };
  if (receiver.includes("blocked")) return { status: "BLOCKED", error: "RISK_DECLINE" };
  return { status: "SUCCESS" };
}

/**
 * PayPal Payouts (REST v1) on loopback: `POST /v1/payments/payouts` answers 201 with a batch
 * header; a reused `sender_batch_id` is refused (PayPal's idempotency, 30 days) with a link to the
 * original batch; `GET /v1/payments/payouts/{batch_id}` shows the batch PROCESSING for
 * `pollsUntilSettled` reads, then settled with its items. Faults: lost answers after the batch was
 * accepted, a requests-per-second limit (429 RATE_LIMIT_REACHED).
 */
export function payPalPayoutRoutes(
  isValidToken: (token: string) => boolean,
  state: PayPalPayoutsState & { takeLoss?: () => boolean } = createPayPalPayoutsState(),
): Record<string, SimRoute> {
  const batches = new Map<string, { header: Record<string, unknown>; reads: number }>();
  const senderBatchIds = new Map<string, string>();
  const authed = (handler: (request: RecordedRequest) => SimResponse) => (request: RecordedRequest) => {
    if (!state.rateLimit.admit()) {
      return { status: 429, body: { name: "RATE_LIMIT_REACHED", message: "Too many requests" } };
    }
    return isValidToken(request.headers.authorization?.replace(/^Bearer /, "") ?? "")
      ? handler(request)
      : {
          status: 401,
          body: {
            name: "AUTHENTICATION_FAILURE",
            message: "Authentication failed due to invalid authentication credentials",
          },
        };
  };
  return {
    "POST /v1/payments/payouts": authed((request) => {
      const body = JSON.parse(request.body || "{}") as {
        sender_batch_header?: { sender_batch_id?: string };
        items?: PayoutItem[];
      };
      const senderBatchId = body.sender_batch_header?.sender_batch_id;
      if (!senderBatchId || !body.items?.length) {
        return { status: 400, body: { name: "VALIDATION_ERROR", message: "Invalid request - see details" } };
      }
      const earlier = senderBatchIds.get(senderBatchId);
      if (earlier) {
        return {
          status: 400,
          body: {
            name: "USER_BUSINESS_ERROR",
            message: "Batch with given sender_batch_id already exists",
            links: [{ href: `/v1/payments/payouts/${earlier}`, rel: "self", method: "GET" }],
          },
        };
      }
      const batchId = randomBytes(6).toString("hex").toUpperCase();
      for (const item of body.items) {
        state.items.push({
          payout_item_id: randomBytes(6).toString("hex").toUpperCase(),
          payout_batch_id: batchId,
          sender_batch_id: senderBatchId,
          sender_item_id: item.sender_item_id,
          receiver: item.receiver,
          amount: item.amount,
          final: finalStatus(item.receiver).status,
        });
      }
      const header = {
        payout_batch_id: batchId,
        batch_status: "PENDING",
        sender_batch_header: body.sender_batch_header,
      };
      batches.set(batchId, { header, reads: 0 });
      senderBatchIds.set(senderBatchId, batchId);
      if (state.takeLoss?.())
        return { status: 500, body: { name: "INTERNAL_SERVER_ERROR", message: "lost" } };
      return { status: 201, body: { batch_header: header } };
    }),
    "GET /v1/payments/payouts/*": authed((request) => {
      const batchId = request.path.split("/").pop() ?? "";
      const batch = batches.get(batchId);
      if (!batch) {
        return {
          status: 404,
          body: { name: "INVALID_RESOURCE_ID", message: "Requested resource ID was not found." },
        };
      }
      batch.reads++;
      const settled = batch.reads > state.pollsUntilSettled;
      const items = state.items
        .filter((i) => i.payout_batch_id === batchId)
        .map((i) => {
          const outcome = finalStatus(i.receiver);
          return {
            payout_item_id: i.payout_item_id,
            payout_batch_id: batchId,
            transaction_status: settled ? outcome.status : "PENDING",
            payout_item: {
              recipient_type: "EMAIL",
              receiver: i.receiver,
              amount: i.amount,
              sender_item_id: i.sender_item_id,
            },
            ...(settled && outcome.error ? { errors: { name: outcome.error } } : {}),
          };
        });
      return {
        body: { batch_header: { ...batch.header, batch_status: settled ? "SUCCESS" : "PROCESSING" }, items },
      };
    }),
  };
}
