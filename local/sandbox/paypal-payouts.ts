import { randomBytes } from "node:crypto";
import type { RecordedRequest, SimResponse, SimRoute } from "./simulator.ts";

interface PayoutItem {
  recipient_type: string;
  receiver: string;
  amount: { value: string; currency: string };
  sender_item_id?: string;
}

/**
 * PayPal Payouts (REST v1) on loopback: `POST /v1/payments/payouts` answers 201 with a batch
 * header; a reused `sender_batch_id` is refused (PayPal's idempotency, 30 days);
 * `GET /v1/payments/payouts/{batch_id}` shows the batch and its items. A receiver containing
 * "unregistered" ends UNCLAIMED with RECEIVER_UNREGISTERED. A base for payouts to extend.
 */
export function payPalPayoutRoutes(isValidToken: (token: string) => boolean): Record<string, SimRoute> {
  const batches = new Map<string, Record<string, unknown>>();
  const senderBatchIds = new Map<string, string>();
  const authed = (handler: (request: RecordedRequest) => SimResponse) => (request: RecordedRequest) =>
    isValidToken(request.headers.authorization?.replace(/^Bearer /, "") ?? "")
      ? handler(request)
      : {
          status: 401,
          body: {
            name: "AUTHENTICATION_FAILURE",
            message: "Authentication failed due to invalid authentication credentials",
          },
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
      const items = body.items.map((item) => {
        const unregistered = item.receiver.includes("unregistered");
        return {
          payout_item_id: randomBytes(6).toString("hex").toUpperCase(),
          payout_batch_id: batchId,
          transaction_status: unregistered ? "UNCLAIMED" : "SUCCESS",
          payout_item: item,
          ...(unregistered ? { errors: { name: "RECEIVER_UNREGISTERED" } } : {}),
        };
      });
      const header = {
        payout_batch_id: batchId,
        batch_status: "PENDING",
        sender_batch_header: body.sender_batch_header,
      };
      batches.set(batchId, { batch_header: { ...header, batch_status: "SUCCESS" }, items });
      senderBatchIds.set(senderBatchId, batchId);
      return { status: 201, body: { batch_header: header } };
    }),
    "GET /v1/payments/payouts/*": authed((request) => {
      const batch = batches.get(request.path.split("/").pop() ?? "");
      return batch
        ? { body: batch }
        : {
            status: 404,
            body: { name: "INVALID_RESOURCE_ID", message: "Requested resource ID was not found." },
          };
    }),
  };
}
